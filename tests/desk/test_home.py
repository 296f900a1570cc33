"""The coordinator's home: today's items from every room, most urgent first, each with a
link to where it is handled, in a constant number of queries."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from desk import home
from duos import services as duo_services
from duos.models import AlertKind
from matching.intake.models import ParticipantStatus
from notifications.models import CoordinatorTask, TaskKind
from organisations.scoping import organisation_scope
from tests.factories_coaching import InvitationFactory, SessionFactory
from tests.factories_duos import ParticipantFactory, active_duo, volunteer_with_account
from tests.factories_proposals import ProposalCallTaskFactory, ProposalFactory


def _fill(organisation, coordinator, n):
    """n of each kind of thing the home shows."""
    today = datetime.date.today()
    for i in range(n):
        volunteer, account = volunteer_with_account(organisation)
        duo = active_duo(organisation, coordinator=coordinator, volunteer=volunteer,
                         start_date=today - datetime.timedelta(days=200), duration_months=7)
        duo_services.meeting_log_create(duo=duo, created_by=account, date=today,
                                        did_not_meet=True, wants_to_talk=True)
        ParticipantFactory(organisation=organisation, status=ParticipantStatus.WAITING,
                           waiting_since=today - datetime.timedelta(days=10 + i))
        CoordinatorTask.objects.create(organisation=organisation, kind=TaskKind.CALL_UNDELIVERED,
                                       first_name=f"Lena{i}", phone="+32470000111")
        proposal = ProposalFactory(organisation=organisation)
        ProposalCallTaskFactory(organisation=organisation, proposal=proposal)
        session = SessionFactory(organisation=organisation)
        InvitationFactory(session=session, answer="yes")


@pytest.mark.django_db
def test_home_shows_each_rooms_items_with_links_most_urgent_first(
        organisation, coordinator, coordinator_client):
    _fill(organisation, coordinator, 1)
    with organisation_scope(organisation):
        data = home.home_for_today()
    kinds = [item.kind for item in data.items]
    assert kinds[0] == "alert"  # the volunteer asked to talk: first
    assert data.items[0].title == str(AlertKind.TALK_TO_ME.label)
    assert {"message", "call_task", "proposals"} <= set(kinds)
    assert kinds.index("message") < kinds.index("proposals")
    assert data.number_waiting == 1 and data.active_duos == 1
    assert len(data.ending_soon) == 1  # seven months from 200 days ago: ends within 6 weeks
    page = coordinator_client.get("/").content.decode()
    assert "Follow-up today" in page
    assert f"/duos/{data.ending_soon[0].pk}/" in page
    assert "/messages/tasks/" in page or "notifications" in page
    assert f"/proposals/{ProposalCallTaskFactory._meta.model.objects.get().proposal_id}/" in page
    assert "/waiting-list/?fit=none" in page  # nobody fits the one waiting participant
    assert "/coaching/sessions/" in page and "1 of 1 invited said yes." in page


@pytest.mark.django_db
def test_home_for_an_empty_organisation_says_so(coordinator_client):
    page = coordinator_client.get("/").content.decode()
    assert "Nothing needs attention today." in page
    assert "No session planned." in page and "No duo ends soon." in page


@pytest.mark.django_db
def test_home_takes_the_same_number_of_queries_for_few_and_many_rows(
        organisation, coordinator, coordinator_client):
    counts = []
    for n in (1, 6):
        _fill(organisation, coordinator, n if not counts else n - 1)
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get("/")
        assert response.status_code == 200
        counts.append(len(queries.captured_queries))
    with organisation_scope(organisation):
        assert home.home_for_today().active_duos == 6
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_volunteer_gets_their_own_home_not_the_coordinators(client, volunteer_user):
    client.force_login(volunteer_user)
    page = client.get("/").content.decode()
    assert "Follow-up today" not in page and "/reports/" not in page


@pytest.mark.django_db
def test_home_and_reports_work_on_the_demo(client):
    call_command("seed_demo", stdout=None)
    assert client.login(username="coordinator", password="buddy-demo-2026")
    home_page = client.get("/")
    assert home_page.status_code == 200
    assert 'id="follow-up-heading"' in home_page.content.decode()
    for url in ("/reports/", "/reports/?preset=last_year", "/reports/export.csv",
                "/reports/export.xlsx", "/reports/export.pdf"):
        assert client.get(url).status_code == 200, url
