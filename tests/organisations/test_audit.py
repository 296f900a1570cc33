"""The append-only audit log: what is recorded, that it never changes, who reads it."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test.utils import CaptureQueriesContext

from organisations.models import AuditAction, AuditEvent, AuditLogIsAppendOnly, User
from organisations.services import audit_record
from tests.factories import AuditEventFactory, OrganisationAdminFactory

PASSWORD = "correct-horse-battery"


@pytest.mark.django_db
def test_audit_record_keeps_who_what_whom_and_from_where(rf, coordinator, organisation):
    request = rf.get("/participants/12/", REMOTE_ADDR="198.51.100.7",
                     HTTP_USER_AGENT="Firefox\x00/1")
    request.user = coordinator
    event = audit_record(request_or_actor=request, action=AuditAction.VIEW,
                         subject_ref="matching.participant:12", label="participant Anna D.")
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.actor_id, event.actor_username, event.organisation_id) == (
        coordinator.pk, "sofie", organisation.pk)
    assert (event.action, event.subject_ref, event.label) == (
        "view", "matching.participant:12", "participant Anna D.")
    assert event.ip_address == "198.51.100.7"
    assert event.user_agent == "Firefox/1"


@pytest.mark.django_db
def test_audit_record_takes_a_model_instance_as_subject_and_a_user_as_actor(coordinator):
    event = audit_record(request_or_actor=coordinator, action=AuditAction.EXPORT,
                         subject_ref=coordinator, label="accounts list")
    assert event.subject_ref == f"organisations.user:{coordinator.pk}"
    assert event.ip_address is None


@pytest.mark.django_db
def test_an_unknown_action_is_refused(coordinator):
    with pytest.raises(ValueError):
        audit_record(request_or_actor=coordinator, action="peek", subject_ref="x:1")


@pytest.mark.django_db
def test_an_event_cannot_be_changed_or_deleted(coordinator):
    event = audit_record(request_or_actor=coordinator, action=AuditAction.VIEW,
                         subject_ref="matching.participant:1", label="a")
    event.label = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(label="rewritten")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).label == "a"


@pytest.mark.django_db
def test_the_database_refuses_changes_on_postgresql(coordinator):
    event = AuditEventFactory(organisation=coordinator.organisation, label="a")
    table = AuditEvent._meta.db_table
    if connection.vendor == "postgresql":
        for sql in (f"UPDATE {table} SET label = 'x' WHERE id = %s",
                    f"DELETE FROM {table} WHERE id = %s"):
            with pytest.raises(DatabaseError, match="append-only"):
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(sql, [event.pk])
        assert AuditEvent.objects.get(pk=event.pk).label == "a"
    else:
        # SQLite has no such trigger: the model and queryset guards above are the defence.
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
            assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_deleting_an_account_leaves_its_events(org_admin, coordinator):
    event = audit_record(request_or_actor=coordinator, action=AuditAction.VIEW,
                         subject_ref="matching.participant:1")
    coordinator.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_username == "sofie"


@pytest.mark.django_db
def test_logins_failures_and_logouts_are_recorded(client, coordinator):
    client.post("/accounts/login/", {"username": "sofie", "password": "wrong"},
                REMOTE_ADDR="198.51.100.7")
    client.post("/accounts/login/", {"username": "sofie", "password": PASSWORD})
    client.post("/accounts/logout/")
    events = list(AuditEvent.objects.filter(actor_username__in=["", "sofie"])
                  .order_by("id").values_list("action", "label", "organisation_id"))
    org = coordinator.organisation_id
    assert events == [
        ("login_failure", "sofie", org), ("login_success", "sofie", org),
        ("logout", "sofie", org),
    ]
    failure = AuditEvent.objects.get(action="login_failure")
    assert failure.ip_address == "198.51.100.7"
    assert failure.actor is None


@pytest.mark.django_db
def test_a_failed_login_with_an_unknown_name_keeps_no_typed_text(client, organisation):
    client.post("/accounts/login/", {"username": "MySecretPassw0rd", "password": "x"})
    event = AuditEvent.objects.get(action="login_failure")
    assert event.label == "" and event.subject_ref == "" and event.organisation_id is None
    assert "MySecretPassw0rd" not in str(AuditEvent.objects.values_list())


@pytest.mark.django_db
def test_an_api_token_login_is_recorded(api_client, coordinator):
    api_client.post("/api/auth/token/", {"username": "sofie", "password": PASSWORD},
                    format="json")
    assert AuditEvent.objects.filter(action="login_success", actor=coordinator,
                                     label="API token").exists()


@pytest.fixture
def logged_events(organisation, other_organisation, coordinator):
    AuditEventFactory(organisation=organisation, actor_username="sofie",
                      subject_ref="matching.participant:12", label="participant Anna D.",
                      action=AuditAction.VIEW)
    AuditEventFactory(organisation=organisation, actor_username="sofie",
                      subject_ref="matching.participant:13", label="participant Bart V.",
                      action=AuditAction.EXPORT,
                      created_at=dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC))
    AuditEventFactory(organisation=organisation, actor_username="els",
                      subject_ref="matching.participant:12", label="participant Anna D.",
                      action=AuditAction.CHANGE)
    AuditEventFactory(organisation=other_organisation, actor_username="karim",
                      subject_ref="matching.participant:99", label="participant Other Org")


@pytest.mark.django_db
def test_an_organisation_admin_reads_only_their_organisations_log(client, org_admin,
                                                                  logged_events):
    client.force_login(org_admin)
    page = client.get("/audit/").content.decode()
    assert "participant Anna D." in page and "participant Bart V." in page
    assert "Other Org" not in page and "karim" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"person": "matching.participant:12"}, ["Anna D."], ["Bart V."]),
        ({"person": "els"}, ["Anna D."], ["Bart V."]),
        ({"person": "bart"}, ["Bart V."], ["Anna D."]),
        ({"action": "export"}, ["Bart V."], ["Anna D."]),
        ({"date_from": "2026-01-01", "date_to": "2026-01-31"}, ["Bart V."], ["Anna D."]),
    ],
)
def test_the_log_is_filtered_by_person_action_and_date(client, org_admin, logged_events,
                                                       query, shown, hidden):
    client.force_login(org_admin)
    page = client.get("/audit/", query).content.decode()
    for text in shown:
        assert text in page
    for text in hidden:
        assert text not in page


@pytest.mark.django_db
def test_a_bad_filter_shows_an_error_not_a_crash(client, org_admin, logged_events):
    client.force_login(org_admin)
    response = client.get("/audit/", {"date_from": "yesterday", "action": "<script>"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a valid date" in page
    assert "<script>" not in page


@pytest.mark.django_db
def test_coordinators_and_volunteers_cannot_read_the_log(client, coordinator, volunteer_user,
                                                        logged_events):
    client.force_login(coordinator)
    assert client.get("/audit/").status_code == 403
    assert client.get("/admin/organisations/auditevent/").status_code == 403
    client.force_login(volunteer_user)
    assert client.get("/audit/").status_code == 403
    admin = client.get("/admin/organisations/auditevent/")  # not staff: the admin's login
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_the_log_page_uses_a_constant_number_of_queries_and_is_paginated(
    client, org_admin, organisation
):
    client.force_login(org_admin)
    AuditEventFactory.create_batch(3, organisation=organisation)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/audit/").status_code == 200
    AuditEventFactory.create_batch(120, organisation=organisation)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/audit/", {"page": 2})
    assert response.status_code == 200
    assert len(many) == len(few)
    assert len(response.context["events"]) == 50
    assert "Page 2 of 3" in response.content.decode()


@pytest.mark.django_db
def test_the_admin_shows_the_log_read_only_and_scoped(client, org_admin, logged_events):
    client.force_login(org_admin)
    listing = client.get("/admin/organisations/auditevent/")
    assert listing.status_code == 200
    assert "Anna D." in listing.content.decode() and "Other Org" not in listing.content.decode()
    event = AuditEvent.objects.filter(organisation=org_admin.organisation).first()
    other = AuditEvent.objects.exclude(organisation=org_admin.organisation).first()
    assert client.get("/admin/organisations/auditevent/add/").status_code == 403
    detail = client.get(f"/admin/organisations/auditevent/{event.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.post(f"/admin/organisations/auditevent/{event.pk}/change/",
                       {"label": "x"}).status_code == 403
    assert client.post(f"/admin/organisations/auditevent/{event.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert client.get(f"/admin/organisations/auditevent/{other.pk}/change/").status_code == 302
    assert AuditEvent.objects.get(pk=event.pk).label == event.label


@pytest.mark.django_db
def test_staff_of_another_organisation_see_none_of_the_log(client, other_organisation,
                                                           logged_events):
    client.force_login(OrganisationAdminFactory(organisation=other_organisation))
    page = client.get("/audit/").content.decode()
    assert "Other Org" in page and "Anna D." not in page


@pytest.mark.django_db
def test_the_menu_links_the_log_for_organisation_admins_only(client, org_admin, coordinator):
    client.force_login(org_admin)
    assert 'href="/audit/"' in client.get("/").content.decode()
    client.force_login(coordinator)
    assert 'href="/audit/"' not in client.get("/").content.decode()


@pytest.mark.django_db
def test_a_superuser_reads_every_organisations_log_in_the_admin(client, logged_events):
    client.force_login(User.objects.create_superuser("umbrella", "u@example.org", "x-long-pass-1"))
    page = client.get("/admin/organisations/auditevent/").content.decode()
    assert "Anna D." in page and "Other Org" in page
