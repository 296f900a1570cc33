"""Every view of a person's record by staff, every change and every export is in the audit log,
with a label that names no one (ids only)."""

import datetime

import pytest
from django.urls import reverse

from coaching.models import CoachingContact
from organisations.models import AuditEvent
from tests.factories_coaching import InvitationFactory, SessionFactory, in_days
from tests.factories_duos import ParticipantFactory, VolunteerFactory, active_duo
from tests.factories_matching import InterestCategoryFactory, InterestFactory
from tests.factories_proposals import CandidateFactory, ProposalFactory


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


@pytest.mark.django_db
def test_session_pages_and_attendance_are_audited(coordinator_client, organisation):
    session = SessionFactory(organisation=organisation, starts_at=in_days(0, hour=0))
    came = InvitationFactory(session=session)
    url = reverse("coaching:attendance", args=[session.pk])
    coordinator_client.get(reverse("coaching:session_detail", args=[session.pk]))
    coordinator_client.get(url)
    coordinator_client.post(url, {"listed": [came.pk], "present": [came.pk]})
    ref = f"coaching.intervisionsession:{session.pk}"
    assert [e[:2] for e in _events()] == [("view", ref), ("view", ref), ("change", ref)]


@pytest.mark.django_db
def test_coaching_contact_is_audited_as_created(coordinator_client, organisation, volunteer):
    coordinator_client.post(reverse("coaching:contact_list"), {
        "volunteer": volunteer.pk, "happened_on": datetime.date.today().isoformat(),
        "form": "call", "note": "fine"})
    contact = CoachingContact.objects.get()
    assert [e[:2] for e in _events()] == [("create", f"coaching.coachingcontact:{contact.pk}")]


@pytest.mark.django_db
def test_proposal_page_and_answer_are_audited_and_a_refused_answer_is_not(
        coordinator_client, organisation, participant, volunteer):
    proposal = ProposalFactory(organisation=organisation, participant=participant)
    CandidateFactory(proposal=proposal, volunteer=volunteer, position=1)
    coordinator_client.get(reverse("proposals:proposal_detail", args=[proposal.pk]))
    answer = reverse("proposals:proposal_answer", args=[proposal.pk])
    coordinator_client.post(answer, {"answer": "7"})  # no such candidate: refused
    coordinator_client.post(answer, {"answer": "call_me"})
    ref = f"matching.proposal:{proposal.pk}"
    assert [e[:2] for e in _events()] == [("view", ref), ("change", ref)]


@pytest.mark.django_db
def test_shortlist_page_and_api_are_audited_as_a_view_of_the_participant(
        coordinator_client, participant):
    coordinator_client.get(reverse("proposals:participant_shortlist", args=[participant.pk]))
    coordinator_client.get(f"/api/participants/{participant.pk}/shortlist/")
    ref = f"matching.participant:{participant.pk}"
    assert [e[:2] for e in _events()] == [("view", ref), ("view", ref)]


@pytest.mark.django_db
def test_the_admin_audits_opening_and_changing_a_row(client, org_admin, participant):
    client.force_login(org_admin)
    url = f"/admin/matching/participant/{participant.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.get("/admin/matching/participant/").status_code == 200  # a list
    assert client.get("/admin/matching/participant/999999/change/").status_code == 302
    ref = f"matching.participant:{participant.pk}"
    assert _events() == [("view", ref, f"participant #{participant.pk}")]


@pytest.mark.django_db
def test_the_admin_audits_a_deletion_from_its_page(client, org_admin, organisation):
    interest = InterestFactory(organisation=organisation,
                               category=InterestCategoryFactory(organisation=organisation))
    client.force_login(org_admin)
    base = f"/admin/matching/interest/{interest.pk}"
    response = client.post(f"{base}/delete/", {"post": "yes"})
    assert response.status_code == 302
    ref = f"matching.interest:{interest.pk}"
    assert [e[:2] for e in _events()] == [("delete", ref)]
