"""Retention, erasure, a person's data export, consent to messages, and private receipts."""

import datetime
import importlib
import json
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import clear_url_caches, reverse
from django.utils import timezone

import buddy.urls
from buddy.settings import base
from buddy.storage import PrivateFileSystemStorage
from coaching.models import CoachingContact
from desk.privacy import selectors, services
from desk.tasks import anonymise_due
from duos.models import (
    DuoStatus,
    Ending,
    Evaluation,
    Expense,
    MeetingLog,
)
from matching.intake import services as matching_services
from matching.intake.models import ConsentRecord, Participant, Volunteer
from notifications import services as notifications_services
from notifications.models import (
    CoordinatorTask,
    Message,
    Question,
    SignedLink,
    Status,
    TaskKind,
)
from organisations.models import AnonymisationRecord, AuditEvent
from tests.factories import OrganisationFactory, VolunteerUserFactory
from tests.factories_duos import ParticipantFactory, VolunteerFactory, pending_duo
from tests.notifications_helpers import QUESTION, recipient
from tests.walks.test_isolation import all_paths

LEFT = datetime.datetime(2024, 1, 15, 10, tzinfo=datetime.UTC)


def _travel(when):
    return time_machine.travel(when, tick=False)


def _closed_duo(organisation, participant, volunteer, ended_on):
    duo = pending_duo(organisation, participant=participant, volunteer=volunteer,
                      start_date=ended_on - datetime.timedelta(days=300))
    MeetingLog.objects.create(duo=duo, date=ended_on - datetime.timedelta(days=10),
                              activity_text="Walked to the OCMW about her debts",
                              note_to_coordinator="She cried about her son", duration="1h")
    Evaluation.objects.create(duo=duo, moment="end", party="participant",
                              answers={"score": 4}, free_text="Felt less lonely",
                              recorded_at=timezone.now())
    Ending.objects.create(duo=duo, ended_by="participant", reason="agreed_end",
                          outcome="closed", note="Depressed again",
                          exit_conversation_notes="Talked about her illness",
                          recorded_at=timezone.now())
    expense = Expense(duo=duo, spent_on=ended_on - datetime.timedelta(days=10),
                      amount_cents=450, kind="transport", description="Bus to hospital")
    expense.receipt.save("ticket.pdf", ContentFile(b"%PDF-1.4 receipt"), save=True)
    type(duo).objects.filter(pk=duo.pk).update(status=DuoStatus.CLOSED, ended_on=ended_on)
    duo.refresh_from_db()
    return duo, expense


@pytest.fixture
def left_pair(organisation, coordinator, sms_texts):
    """A participant and a volunteer who both left on LEFT, after a duo that ended then."""
    with _travel(LEFT):
        participant = ParticipantFactory(organisation=organisation, first_name="Amina",
                                         last_name="Haddad", birth_year=1970,
                                         email="amina@example.org")
        volunteer = VolunteerFactory(organisation=organisation, first_name="Pieter",
                                     motivation="My own depression", introduction="Hi")
        duo, expense = _closed_duo(organisation, participant, volunteer, LEFT.date())
        ConsentRecord.objects.create(participant=participant, purpose="data",
                                     note="Signed with her social worker present")
        CoachingContact.objects.create(organisation=organisation, coordinator=coordinator,
                                       volunteer=volunteer, participant=participant,
                                       happened_on=LEFT.date(), form="call",
                                       note="Worried about Amina's health")
        key = f"participant:{participant.pk}"
        message = notifications_services.sms_send(
            recipient=recipient(organisation, key=key, first_name="Amina",
                                phone=str(participant.phone)),
            template=QUESTION, idempotency_key="q-1",
            question=notifications_services.QuestionSpec(purpose="tests", subject="1",
                                                         accepts=("yes", "no")))
        notifications_services.link_create(
            organisation_id=organisation.pk, recipient_key=key, language="nl",
            purpose="tests", subject="1")
        Participant.objects.filter(pk=participant.pk).update(
            status="withdrawn", withdrawal_reason="Admitted to hospital")
        Volunteer.objects.filter(pk=volunteer.pk).update(status="stopped")
    return participant, volunteer, duo, expense, message


def _months_later(months):
    return _travel(LEFT + datetime.timedelta(days=31 * months))


@pytest.mark.django_db
def test_retention_anonymises_people_who_left_long_ago_and_keeps_the_figures(
        organisation, left_pair, on_commit):
    participant, volunteer, duo, expense, message = left_pair
    storage, receipt_name = expense.receipt.storage, expense.receipt.name
    assert storage.exists(receipt_name)
    with _months_later(25):
        due = selectors.due_for_anonymisation(organisation, timezone.localdate())
        assert {(type(p).__name__, p.pk) for p in due} == {
            ("Participant", participant.pk), ("Volunteer", volunteer.pk)}
        with on_commit():
            records = services.retention_apply(organisation=organisation)
    assert len(records) == 2
    participant.refresh_from_db()
    assert (participant.first_name, participant.last_name, participant.email,
            str(participant.phone or ""), participant.intake_note,
            participant.referrer_detail, participant.withdrawal_reason,
            participant.birth_year) == ("Anonymised", "", "", "", "", "", "Anonymised", None)
    assert participant.age_range == "45-64"
    assert participant.postcode_id is not None and participant.status == "withdrawn"
    volunteer.refresh_from_db()
    assert (volunteer.first_name, volunteer.motivation, volunteer.introduction) == (
        "Anonymised", "", "")
    log = MeetingLog.objects.get(duo=duo)
    assert (log.activity_text, log.note_to_coordinator, log.duration) == ("", "", "1h")
    evaluation = Evaluation.objects.get(duo=duo)
    assert (evaluation.free_text, evaluation.answers) == ("", {"score": 4})
    ending = Ending.objects.get(duo=duo)
    assert (ending.note, ending.exit_conversation_notes, ending.reason) == ("", "", "agreed_end")
    expense.refresh_from_db()
    assert (expense.description, expense.receipt.name, expense.amount_cents) == ("", "", 450)
    assert not storage.exists(receipt_name)
    assert ConsentRecord.objects.get(participant=participant).note == ""
    assert CoachingContact.objects.get().note == ""
    message.refresh_from_db()
    assert (message.body, str(message.phone or ""), message.first_name) == ("", "", "")
    assert message.segments >= 1 and message.status and message.cost is not None
    assert SignedLink.objects.get().revoked_at is not None
    assert Question.objects.get().closed_at is not None
    duo.refresh_from_db()
    assert (duo.status, duo.ended_on, duo.meeting_logs.count(), duo.expenses.count()) == (
        DuoStatus.CLOSED, LEFT.date(), 1, 1)


@pytest.mark.django_db
def test_the_record_of_an_anonymisation_holds_no_personal_data(organisation, left_pair):
    participant, *_ = left_pair
    with _months_later(25):
        services.retention_apply(organisation=organisation)
    record = AnonymisationRecord.objects.get(kind="participant")
    assert record.subject_ref == f"matching.participant:{participant.pk}"
    assert record.reason == "retention" and record.done_at is not None
    assert "Amina" not in json.dumps(record.counts) + record.subject_ref


@pytest.mark.django_db
def test_retention_run_twice_changes_nothing_more(organisation, left_pair):
    participant, *_ = left_pair
    with _months_later(25):
        services.retention_apply(organisation=organisation)
        after_first = Participant.objects.filter(pk=participant.pk).values().get()
        assert services.retention_apply(organisation=organisation) == []
        assert anonymise_due() == 0
    assert Participant.objects.filter(pk=participant.pk).values().get() == after_first
    assert AnonymisationRecord.objects.count() == 2


@pytest.mark.django_db
def test_people_within_the_period_still_in_a_duo_or_still_active_are_kept(organisation,
                                                                          left_pair):
    participant, volunteer, *_ = left_pair
    with _travel(LEFT):
        waiting = ParticipantFactory(organisation=organisation, status="waiting")
        in_duo = VolunteerFactory(organisation=organisation)
        pending_duo(organisation, participant=ParticipantFactory(organisation=organisation),
                    volunteer=in_duo)
        Volunteer.objects.filter(pk=in_duo.pk).update(status="stopped")
    with _months_later(23):
        assert services.retention_apply(organisation=organisation) == []
    with _months_later(30):
        done = {r.subject_ref for r in services.retention_apply(organisation=organisation)}
    assert done == {f"matching.participant:{participant.pk}",
                    f"matching.volunteer:{volunteer.pk}"}
    assert Participant.objects.get(pk=waiting.pk).first_name != "Anonymised"
    assert Volunteer.objects.get(pk=in_duo.pk).first_name != "Anonymised"


@pytest.mark.django_db
def test_the_retention_period_is_per_organisation(organisation, left_pair):
    other = OrganisationFactory()
    with _travel(LEFT):
        elsewhere = ParticipantFactory(organisation=other, status="withdrawn",
                                       withdrawal_reason="moved")
    services.retention_set(organisation=other, months=6)
    with _months_later(7):
        assert services.retention_apply(organisation=organisation) == []
        [record] = services.retention_apply(organisation=other)
    assert record.subject_ref == f"matching.participant:{elsewhere.pk}"
    with pytest.raises(ValidationError):
        services.retention_set(organisation=other, months=0)


@pytest.mark.django_db
def test_dry_run_lists_who_would_be_anonymised_and_changes_nothing(organisation, left_pair):
    participant, volunteer, *_ = left_pair
    out = StringIO()
    with _months_later(25):
        call_command("anonymise", "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"matching.participant:{participant.pk}" in text
    assert f"matching.volunteer:{volunteer.pk}" in text
    assert "Would anonymise 2 in all." in text
    assert "Amina" not in text
    assert AnonymisationRecord.objects.count() == 0
    assert Participant.objects.get(pk=participant.pk).first_name == "Amina"
    out = StringIO()
    with _months_later(25):
        call_command("anonymise", stdout=out)
    assert "Anonymised 2 in all." in out.getvalue()
    assert Participant.objects.get(pk=participant.pk).first_name == "Anonymised"


@pytest.mark.django_db
def test_the_daily_job_is_scheduled_and_runs_every_organisation(organisation, left_pair):
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-anonymise-due"]
    assert entry["task"] == "privacy.anonymise_due" and entry["schedule"] == 24 * 60 * 60
    with _months_later(25):
        assert anonymise_due() == 2


# --- erasure ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_erasure_is_refused_while_the_person_is_in_a_duo(organisation, coordinator):
    duo = pending_duo(organisation)
    with pytest.raises(ValidationError):
        services.person_erase(person=duo.participant, requested_by=coordinator)
    assert AnonymisationRecord.objects.count() == 0


@pytest.mark.django_db
def test_erasure_anonymises_now_and_keeps_the_other_sides_duo(organisation, coordinator,
                                                              left_pair):
    participant, volunteer, duo, *_ = left_pair
    Volunteer.objects.filter(pk=volunteer.pk).update(status="active")
    record = services.person_erase(person=participant, requested_by=coordinator)
    assert (record.reason, record.done_by) == ("erasure", coordinator)
    participant.refresh_from_db()
    assert participant.first_name == "Anonymised"
    # The volunteer keeps their duo history, with a former participant.
    assert list(volunteer.duos.values_list("pk", "participant__first_name")) == [
        (duo.pk, "Anonymised")]
    assert Volunteer.objects.get(pk=volunteer.pk).first_name == "Pieter"


@pytest.mark.django_db
def test_erasure_page_needs_the_confirmation_and_is_audited(coordinator_client, organisation):
    participant = ParticipantFactory(organisation=organisation, status="waiting")
    url = reverse("privacy:person_erase", args=["participant", participant.pk])
    coordinator_client.post(url)
    assert Participant.objects.get(pk=participant.pk).first_name != "Anonymised"
    coordinator_client.post(url, {"confirm": "yes"})
    participant.refresh_from_db()
    assert (participant.first_name, participant.status) == ("Anonymised", "withdrawn")
    event = AuditEvent.objects.get(action="delete")
    assert event.subject_ref == f"matching.participant:{participant.pk}"


@pytest.mark.django_db
def test_a_volunteer_cannot_erase_or_export(client, volunteer_user, organisation):
    participant = ParticipantFactory(organisation=organisation)
    client.force_login(volunteer_user)
    assert client.post(reverse("privacy:person_erase", args=["participant", participant.pk]),
                       {"confirm": "yes"}).status_code == 403
    assert client.get(reverse("privacy:person_export",
                              args=["participant", participant.pk, "json"])).status_code == 403


# --- export ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_persons_data_export_holds_everything_and_is_audited(coordinator_client,
                                                               organisation, left_pair):
    participant, volunteer, duo, *_ = left_pair
    response = coordinator_client.get(reverse("privacy:person_export",
                                              args=["participant", participant.pk, "json"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["profile"]["first_name"] == "Amina"
    assert data["profile"]["intake_note"] == "Private intake note"
    assert [c["purpose"] for c in data["consents"]] == ["data"]
    assert data["duos"][0]["id"] == duo.pk
    assert data["duos"][0]["meetings"][0]["activity_text"].startswith("Walked")
    assert [m["direction"] for m in data["messages"]] == ["out"]
    assert data["coaching_contacts"][0]["note"].startswith("Worried")
    event = AuditEvent.objects.get(action="export")
    assert event.subject_ref == f"matching.participant:{participant.pk}"
    assert "Amina" not in event.label
    printout = coordinator_client.get(reverse("privacy:person_export",
                                              args=["volunteer", volunteer.pk, "md"]))
    text = printout.content.decode()
    assert text.startswith("# Data held about this person")
    assert "My own depression" in text and "Bus to hospital" in text


@pytest.mark.django_db
def test_export_of_an_unknown_kind_or_format_is_not_found(coordinator_client, organisation):
    participant = ParticipantFactory(organisation=organisation)
    assert coordinator_client.get(reverse("privacy:person_export", args=[
        "user", participant.pk, "json"])).status_code == 404
    assert coordinator_client.get(reverse("privacy:person_export", args=[
        "participant", participant.pk, "exe"])).status_code == 404


@pytest.mark.django_db
def test_the_participant_page_offers_export_and_erasure(coordinator_client, organisation):
    participant = ParticipantFactory(organisation=organisation, status="waiting")
    page = coordinator_client.get(reverse("matching:participant_detail",
                                          args=[participant.pk])).content.decode()
    assert reverse("privacy:person_export", args=["participant", participant.pk, "md"]) in page
    assert reverse("privacy:person_erase", args=["participant", participant.pk]) in page


# --- consent ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_withdrawing_consent_to_messages_stops_them_and_asks_for_a_call(organisation,
                                                                        sms_texts):
    participant = ParticipantFactory(organisation=organisation, status="waiting")
    key = f"participant:{participant.pk}"
    first = notifications_services.sms_send(recipient=recipient(organisation, key=key),
                                            template=QUESTION, idempotency_key="c-1")
    assert first.status != Status.NO_CONSENT
    matching_services.participant_record_consent(participant=participant, purpose="sms",
                                                 given=False)
    refused = notifications_services.sms_send(recipient=recipient(organisation, key=key),
                                              template=QUESTION, idempotency_key="c-2")
    assert refused.status == Status.NO_CONSENT
    email = notifications_services.email_send(
        recipient=recipient(organisation, key=key, email="a@example.org"),
        template="tests.mail", idempotency_key="c-3")
    assert email.status == Status.NO_CONSENT
    assert CoordinatorTask.objects.filter(kind=TaskKind.CALL_NO_CONSENT,
                                          recipient_key=key).count() == 2
    # Consent for another purpose does not matter; giving it again lets messages go.
    matching_services.participant_record_consent(participant=participant,
                                                 purpose="share_profile", given=False)
    matching_services.participant_record_consent(participant=participant, purpose="sms",
                                                 given=True)
    again = notifications_services.sms_send(recipient=recipient(organisation, key=key),
                                            template=QUESTION, idempotency_key="c-4")
    assert again.status != Status.NO_CONSENT
    assert Message.objects.filter(status=Status.NO_CONSENT).count() == 2


@pytest.mark.django_db
def test_staff_record_the_withdrawal_of_a_purpose_on_the_participant_page(coordinator_client,
                                                                          organisation):
    participant = ParticipantFactory(organisation=organisation, status="waiting")
    coordinator_client.post(reverse("matching:participant_action",
                                    args=[participant.pk, "consent"]),
                            {"purpose": "sms", "given": "", "note": ""})
    assert list(ConsentRecord.objects.values_list("purpose", "given")) == [("sms", False)]


# --- uploaded files --------------------------------------------------------------------------


def test_receipts_are_stored_outside_the_media_root_and_have_no_url():
    receipts = base.STORAGES["receipts"]
    assert receipts["BACKEND"] == "buddy.storage.PrivateFileSystemStorage"
    location = str(receipts["OPTIONS"]["location"])
    assert not location.startswith(str(base.MEDIA_ROOT))
    assert not location.startswith(str(base.STATIC_ROOT))
    with pytest.raises(ValueError):
        PrivateFileSystemStorage(location=location).url("receipts/abc.pdf")


def test_no_url_pattern_serves_uploaded_files(settings):
    settings.DEBUG = True  # not even on a laptop
    clear_url_caches()


    importlib.reload(buddy.urls)
    try:
        paths = list(all_paths())
        assert not any(p in ("/<path>", "<path>") or p.startswith("/media") for p in paths)
        assert [p for p in paths if "receipt" in p] == ["/duos/expenses/<int:pk>/receipt/"]
    finally:
        settings.DEBUG = False
        importlib.reload(buddy.urls)
        clear_url_caches()


@pytest.mark.django_db
def test_a_receipt_is_served_only_to_staff_and_the_duos_volunteer(client, organisation,
                                                                  coordinator, left_pair):
    *_, expense, _message = left_pair
    url = reverse("duos:receipt", args=[expense.pk])
    assert client.get(url).status_code == 302  # to the login page

    client.force_login(VolunteerUserFactory(organisation=organisation, username="other"))
    assert client.get(url).status_code == 404
    client.force_login(coordinator)
    response = client.get(url)
    assert response.status_code == 200
    assert {d.strip() for d in response["Cache-Control"].split(",")} == {"private", "no-store"}
