"""The coordinator's view of messages and follow-up items, the admin's monthly SMS report,
and the organisation scoping of the log (pages and API)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

from notifications import selectors
from notifications.models import CoordinatorTask, Message, TaskKind
from organisations.scoping import organisation_scope
from tests.factories import CoordinatorFactory, api_token_for

pytestmark = pytest.mark.django_db


def log(organisation, key="participant:1", body="Hallo Amina", when=None, **fields):
    fields.setdefault("direction", "out")
    fields.setdefault("channel", "sms")
    fields.setdefault("status", "sent")
    when = when or datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    return Message.objects.create(
        organisation=organisation, recipient_key=key, first_name="Amina", body=body,
        phone="+32470123456", created_at=when,
        sent_at=when if fields["direction"] == "out" and fields["status"] != "pending" else None,
        **fields,
    )


def test_a_coordinator_sees_a_persons_messages_and_no_other_organisations(
    coordinator_client, organisation, other_organisation
):
    log(organisation, body="Mine for Amina")
    log(organisation, key="participant:2", body="Someone else")
    log(other_organisation, body="Theirs for Amina")
    page = coordinator_client.get("/messages/?person=participant:1").content.decode()
    assert "Mine for Amina" in page
    assert "Someone else" not in page and "Theirs for Amina" not in page
    everything = coordinator_client.get("/messages/").content.decode()
    assert "Someone else" in everything and "Theirs for Amina" not in everything


def test_the_person_log_is_a_constant_number_of_queries(coordinator_client, organisation,
                                                         django_assert_max_num_queries):
    for n in range(30):
        log(organisation, body=f"message {n}")
    with django_assert_max_num_queries(12):
        assert coordinator_client.get("/messages/?person=participant:1").status_code == 200


def test_an_app_page_can_include_a_persons_messages(organisation):
    log(organisation, body="Included here")
    with organisation_scope(organisation):
        html = Template("{% load notifications_tags %}{% person_messages key %}").render(
            Context({"key": "participant:1"}))
    assert "Included here" in html


def test_follow_up_items_are_listed_and_can_be_marked_done(coordinator_client, coordinator,
                                                           organisation, other_organisation):
    mine = CoordinatorTask.objects.create(organisation=organisation,
                                          kind=TaskKind.CALL_UNDELIVERED, first_name="Amina",
                                          phone="+32470123456")
    CoordinatorTask.objects.create(organisation=other_organisation, kind=TaskKind.HELP,
                                   first_name="Theirs")
    page = coordinator_client.get("/messages/tasks/").content.decode()
    assert "Amina" in page and "call this person" in page and "Theirs" not in page
    assert coordinator_client.post(f"/messages/tasks/{mine.pk}/done/").status_code == 302
    mine.refresh_from_db()
    assert mine.done_at is not None and mine.done_by == coordinator
    assert "Amina" not in coordinator_client.get("/messages/tasks/").content.decode()


def test_the_admin_sees_monthly_sms_counts_and_cost(client, org_admin, organisation,
                                                    other_organisation):
    may = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    for _ in range(3):
        log(organisation, when=may, segments=2, cost=Decimal("0.16"))
    log(organisation, when=datetime(2026, 6, 1, 8, 0, tzinfo=UTC), segments=1,
        cost=Decimal("0.08"))
    log(organisation, when=may, direction="in", status="received", segments=1)
    log(organisation, when=may, status="pending", segments=1, cost=Decimal("0.08"))
    log(other_organisation, when=may, segments=5, cost=Decimal("9.99"))
    client.force_login(org_admin)

    with organisation_scope(organisation):
        months = list(selectors.sms_usage_by_month())
    may_row = next(row for row in months if row["month"].month == 5)
    assert (may_row["sent"], may_row["segments"], may_row["cost"], may_row["received"]) == (
        3, 6, Decimal("0.48"), 1)
    page = client.get("/messages/usage/").content.decode()
    assert "0.48" in page and "9.99" not in page


def test_a_coordinator_does_not_see_the_cost_report(coordinator_client):
    assert coordinator_client.get("/messages/usage/").status_code == 403


def test_the_api_lists_only_the_organisations_messages(api_client, organisation,
                                                       other_organisation):
    log(organisation, body="Mine")
    log(other_organisation, body="Theirs")
    coordinator = CoordinatorFactory(organisation=organisation)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(coordinator)}")
    bodies = [m["body"] for m in api_client.get("/api/messages/").json()["results"]]
    assert bodies == ["Mine"]
    task = CoordinatorTask.objects.create(organisation=organisation, kind=TaskKind.HELP)
    theirs = CoordinatorTask.objects.create(organisation=other_organisation, kind=TaskKind.HELP)
    assert api_client.post(f"/api/coordinator-tasks/{task.pk}/done/").status_code == 200
    assert api_client.post(f"/api/coordinator-tasks/{theirs.pk}/done/").status_code == 404
