"""Every view of a person's record by staff, every change and every export is in the audit log,
with a label that names no one (ids only)."""

import datetime

import pytest
from django.urls import reverse

from organisations.models import AuditEvent
from tests.factories_duos import ParticipantFactory, VolunteerFactory, active_duo


def _events(action=None):
    events = AuditEvent.objects.exclude(action__startswith="log").order_by("pk")
    if action:
        events = events.filter(action=action)
    return [(e.action, e.subject_ref, e.label) for e in events]


@pytest.fixture
def participant(organisation):
    return ParticipantFactory(organisation=organisation, first_name="Amina", last_name="Haddad",
                              status="waiting")


@pytest.fixture
def volunteer(organisation):
    return VolunteerFactory(organisation=organisation, first_name="Pieter")


@pytest.mark.django_db
def test_participant_detail_page_is_audited_as_a_view_without_the_name(coordinator_client,
                                                                      participant):
    response = coordinator_client.get(reverse("matching:participant_detail",
                                              args=[participant.pk]))
    assert response.status_code == 200
    assert _events("view") == [("view", f"matching.participant:{participant.pk}",
                                f"participant #{participant.pk}")]
    assert not AuditEvent.objects.filter(label__icontains="Amina").exists()


@pytest.mark.django_db
def test_volunteer_detail_page_is_audited(coordinator_client, volunteer):
    coordinator_client.get(reverse("matching:volunteer_detail", args=[volunteer.pk]))
    assert _events("view") == [("view", f"matching.volunteer:{volunteer.pk}",
                                f"volunteer #{volunteer.pk}")]


@pytest.mark.django_db
def test_participant_change_and_withdrawal_on_pages_are_audited(coordinator_client,
                                                                participant):
    coordinator_client.post(reverse("matching:participant_action",
                                    args=[participant.pk, "withdraw"]), {"reason": "moved"})
    assert _events("change") == [("change", f"matching.participant:{participant.pk}",
                                  f"participant #{participant.pk}")]


@pytest.mark.django_db
def test_a_refused_change_is_not_audited(coordinator_client, participant):
    coordinator_client.post(reverse("matching:participant_action",
                                    args=[participant.pk, "pause"]), {"check_back_on": "x"})
    assert _events("change") == []


@pytest.mark.django_db
def test_volunteer_status_change_is_audited(coordinator_client, volunteer):
    coordinator_client.post(reverse("matching:volunteer_status", args=[volunteer.pk]),
                            {"status": "paused"})
    assert [e[:2] for e in _events("change")] == [
        ("change", f"matching.volunteer:{volunteer.pk}")]


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_waiting_list_export_is_audited(coordinator_client, participant, file_format):
    response = coordinator_client.get(reverse("matching:waiting_list_export",
                                              args=[file_format]))
    assert response.status_code == 200
    [(action, ref, label)] = _events()
    assert (action, ref) == ("export", "matching.participant:*")
    assert "Amina" not in label


@pytest.mark.django_db
def test_participant_api_retrieve_and_actions_are_audited(coordinator_client, participant):
    api_client = coordinator_client
    assert api_client.get(f"/api/participants/{participant.pk}/").status_code == 200
    assert api_client.get("/api/participants/").status_code == 200  # a list: not one record
    response = api_client.post(f"/api/participants/{participant.pk}/contact/", {},
                               content_type="application/json")
    assert response.status_code == 200
    ref = f"matching.participant:{participant.pk}"
    assert _events() == [("view", ref, f"participant #{participant.pk}"),
                         ("change", ref, f"participant #{participant.pk}")]


@pytest.mark.django_db
def test_failed_api_retrieve_is_not_audited(coordinator_client):
    assert coordinator_client.get("/api/participants/999999/").status_code == 404
    assert _events() == []


@pytest.mark.django_db
def test_waiting_list_api_export_is_audited(coordinator_client, participant):
    assert coordinator_client.get("/api/waiting-list/export-csv/").status_code == 200
    assert [e[:2] for e in _events()] == [("export", "matching.participant:*")]


@pytest.mark.django_db
def test_duo_page_view_and_changes_are_audited(coordinator_client, organisation, coordinator):
    duo = active_duo(organisation, coordinator=coordinator)
    coordinator_client.get(reverse("duos:detail", args=[duo.pk]))
    coordinator_client.post(reverse("duos:checkin", args=[duo.pk]), {
        "done_on": datetime.date.today().isoformat(), "with_whom": "both", "how": "call",
        "note": "fine"})
    ref = f"duos.duo:{duo.pk}"
    assert [e[:2] for e in _events()] == [("view", ref), ("change", ref)]


@pytest.mark.django_db
def test_duo_api_retrieve_is_audited(coordinator_client, organisation, coordinator):
    duo = active_duo(organisation, coordinator=coordinator)
    assert coordinator_client.get(f"/api/duos/duos/{duo.pk}/").status_code == 200
    assert _events() == [("view", f"duos.duo:{duo.pk}", f"duo #{duo.pk}")]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_expense_export_is_audited(coordinator_client, fmt):
    response = coordinator_client.get(reverse(f"duos:expense_export_{fmt}"))
    assert response.status_code == 200
    assert [e[:2] for e in _events()] == [("export", "duos.expense:*")]


@pytest.mark.django_db
def test_one_persons_message_page_is_audited(coordinator_client, participant):
    key = f"participant:{participant.pk}"
    coordinator_client.get(reverse("notifications:messages"), {"person": key})
    coordinator_client.get(reverse("notifications:messages"))  # the whole log: no one's record
    assert _events() == [("view", f"notifications.person:{key}", f"messages of {key}")]
