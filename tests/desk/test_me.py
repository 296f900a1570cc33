"""A volunteer's own page (/me/): they change their availability, languages, interests and
how to reach them (audited, announced to matching), take a break until a day (out of short
lists until then, their duo goes on) and come back; they see their hours and expenses."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duos.models import Expense, MeetingLog
from matching.intake import versions
from matching.intake.models import Volunteer
from organisations.models import AuditEvent
from tests.factories import VolunteerUserFactory
from tests.factories_duos import active_duo
from tests.factories_matching import InterestFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(client, volunteer_user):
    volunteer = VolunteerFactory(organisation=volunteer_user.organisation, user=volunteer_user,
                                 ready=True, languages=["nl"], first_name="Pieter",
                                 email="pieter@example.org")
    client.force_login(volunteer_user)
    return volunteer


def test_a_volunteer_changes_what_matching_uses_and_it_is_audited(client, me, volunteer_user,
                                                                  on_commit):
    cooking = InterestFactory(organisation=me.organisation)
    counter = versions.VOLUNTEER_CHANGES_KEY.format(me.organisation_id)
    before = cache.get(counter) or 0
    with on_commit():
        response = client.post("/me/", {
            "action": "profile", "availability": ["1-2", "6-0"], "languages": "nl, fr",
            "interests": [cooking.pk], "contact_channel": "email",
            "message_language": "fr", "meeting_frequency": "monthly"})
    assert response.status_code == 302
    me.refresh_from_db()
    assert me.languages == ["nl", "fr"] and list(me.interests.all()) == [cooking]
    assert (me.message_language, me.meeting_frequency) == ("fr", "monthly")
    assert me.contact_channel == "email"
    event = AuditEvent.objects.get(subject_ref=f"matching.volunteer:{me.pk}", action="change")
    assert event.actor == volunteer_user
    # Announced to matching: every process updates this volunteer's row of its block.
    assert (cache.get(counter) or 0) > before


def test_bad_input_saves_nothing(client, me):
    response = client.post("/me/", {"action": "profile", "languages": "klingon",
                                    "contact_channel": "sms", "message_language": "nl"})
    assert response.status_code == 400
    assert "klingon" in response.content.decode()
    me.refresh_from_db()
    assert me.languages == ["nl"]
    assert not AuditEvent.objects.filter(action="change").exists()


def test_a_break_takes_them_out_of_short_lists_until_the_day(client, me):
    ready = Volunteer.objects.ready_with_capacity
    response = client.post("/me/", {"action": "pause", "until": "2026-12-24"})
    assert response.status_code == 302
    me.refresh_from_db()
    assert me.available_from == datetime.date(2026, 12, 24)
    assert not ready(datetime.date(2026, 11, 17)).filter(pk=me.pk).exists()
    assert ready(datetime.date(2026, 12, 24)).filter(pk=me.pk).exists()
    assert "You are on a break until" in client.get("/me/").content.decode()
    client.post("/me/", {"action": "back"})
    me.refresh_from_db()
    assert me.available_from is None
    assert ready(datetime.date(2026, 11, 17)).filter(pk=me.pk).exists()


def test_a_break_must_end_after_today(client, me):
    response = client.post("/me/", {"action": "pause", "until": "2026-11-17"})
    assert response.status_code == 400 and "after today" in response.content.decode()
    me.refresh_from_db()
    assert me.available_from is None


def test_their_hours_per_month_and_expenses_with_the_same_queries(client, me):
    duo = active_duo(me.organisation, volunteer=me)
    MeetingLog.objects.create(duo=duo, date=datetime.date(2026, 10, 3), duration="one_two")
    Expense.objects.create(duo=duo, spent_on=datetime.date(2026, 10, 3), amount_cents=450,
                           kind="tickets")
    client.get("/me/")
    with CaptureQueriesContext(connection) as few:
        page = client.get("/me/").content.decode()
    assert "2026-10" in page and "4.50" in page
    for day in range(1, 20):
        MeetingLog.objects.create(duo=duo, date=datetime.date(2026, 9, day),
                                  duration="one_two")
        Expense.objects.create(duo=duo, spent_on=datetime.date(2026, 9, day),
                               amount_cents=100, kind="tickets")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/me/").content.decode()
    assert "2026-09" in page
    assert len(many.captured_queries) == len(few.captured_queries)


def test_only_their_own_and_only_volunteers(client, me, coordinator, organisation):
    other = VolunteerFactory(organisation=organisation, first_name="Zqxanders")
    assert "Zqxanders" not in client.get("/me/").content.decode()
    del other
    client.force_login(coordinator)
    assert client.get("/me/").status_code == 403
    client.force_login(VolunteerUserFactory(organisation=organisation, username="geenprofiel"))
    assert client.get("/me/").status_code == 403
    client.logout()
    assert client.get("/me/").status_code == 302
