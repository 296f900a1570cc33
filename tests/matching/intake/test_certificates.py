"""The certificate of good conduct (model 2): how long it counts (the organisation's
setting), a reminder to the volunteer and the coordinator before it ends, and an expired one
takes the volunteer out of new proposals while their duos go on (with a task)."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from matching.intake import services
from matching.intake.models import Volunteer
from matching.intake.screening import services as screening_services
from matching.intake.screening.models import CertificateCopy, ScreeningSettings, ScreeningStage
from matching.intake.screening.tasks import delete_certificate_copies
from matching.intake.sms_texts import CERTIFICATE_RENEWAL
from notifications.models import CoordinatorTask, Message, SentReminder, TaskKind
from notifications.tasks import reminders_dispatch
from tests.factories import CoordinatorFactory
from tests.factories_duos import active_duo
from tests.factories_matching import VolunteerFactory

pytestmark = pytest.mark.django_db
BRUSSELS = timezone.get_default_timezone()


def dispatch(day, kind, capture):
    with (time_machine.travel(datetime.datetime(*day, 10, tzinfo=BRUSSELS), tick=False),
          capture(execute=True)):
        reminders_dispatch(now=timezone.now(), only={kind})


def test_a_certificate_counts_for_the_organisations_months(organisation):
    volunteer = VolunteerFactory(organisation=organisation)
    services.volunteer_update(volunteer=volunteer, certificate_seen_on=datetime.date(2026, 3, 31))
    volunteer.refresh_from_db()
    assert volunteer.certificate_valid_until == datetime.date(2029, 3, 31)  # 36 by default
    ScreeningSettings.objects.create(organisation=organisation, certificate_valid_months=12)
    services.volunteer_update(volunteer=volunteer, certificate_seen_on=datetime.date(2026, 3, 31))
    volunteer.refresh_from_db()
    assert volunteer.certificate_valid_until == datetime.date(2027, 3, 31)
    ScreeningSettings.objects.filter(organisation=organisation).update(
        certificate_valid_months=0)
    services.volunteer_update(volunteer=volunteer, certificate_seen_on=datetime.date(2026, 4, 1))
    volunteer.refresh_from_db()
    assert volunteer.certificate_valid_until is None


def test_an_expired_certificate_takes_the_volunteer_out_of_new_proposals(organisation):
    volunteer = VolunteerFactory(organisation=organisation, ready=True,
                                 certificate_valid_until=datetime.date(2026, 11, 30))
    ready = Volunteer.objects.ready_with_capacity
    assert ready(datetime.date(2026, 11, 30)).filter(pk=volunteer.pk).exists()
    assert not ready(datetime.date(2026, 12, 1)).filter(pk=volunteer.pk).exists()


def test_the_volunteer_and_the_coordinator_are_reminded_before_it_ends(
        organisation, django_capture_on_commit_callbacks):
    volunteer = VolunteerFactory(organisation=organisation, ready=True, email="",
                                 phone="+32470111222", message_language="nl")
    services.volunteer_update(volunteer=volunteer, certificate_seen_on=datetime.date(2024, 1, 15))
    volunteer.refresh_from_db()
    assert volunteer.certificate_valid_until == datetime.date(2027, 1, 15)
    # 42 days before by default: 4 December.
    dispatch((2026, 12, 3), "screening.certificate_renewal", django_capture_on_commit_callbacks)
    assert not Message.objects.filter(template=CERTIFICATE_RENEWAL).exists()
    dispatch((2026, 12, 4), "screening.certificate_renewal", django_capture_on_commit_callbacks)
    dispatch((2026, 12, 5), "screening.certificate_renewal", django_capture_on_commit_callbacks)
    message = Message.objects.get(template=CERTIFICATE_RENEWAL)
    assert message.recipient_key == f"volunteer:{volunteer.pk}"
    assert "15/01/2027" in message.body
    task = CoordinatorTask.objects.get(kind=TaskKind.CERTIFICATE_RENEWAL)
    assert "15/01/2027" in task.detail


def test_a_new_certificate_seen_in_time_sends_no_reminder(organisation,
                                                          django_capture_on_commit_callbacks):
    volunteer = VolunteerFactory(organisation=organisation, ready=True)
    services.volunteer_update(volunteer=volunteer, certificate_seen_on=datetime.date(2024, 1, 15))
    services.volunteer_update(volunteer=volunteer, certificate_seen_on=datetime.date(2026, 11, 2))
    dispatch((2026, 12, 10), "screening.certificate_renewal", django_capture_on_commit_callbacks)
    assert not CoordinatorTask.objects.exists() and not Message.objects.exists()


def test_an_expired_certificate_opens_a_task_once_and_duos_go_on(
        organisation, django_capture_on_commit_callbacks):
    volunteer = VolunteerFactory(organisation=organisation, ready=True,
                                 certificate_valid_until=datetime.date(2026, 11, 16))
    duo = active_duo(organisation, volunteer=volunteer)
    dispatch((2026, 11, 17), "screening.certificate_expired",
             django_capture_on_commit_callbacks)
    dispatch((2026, 11, 18), "screening.certificate_expired",
             django_capture_on_commit_callbacks)
    task = CoordinatorTask.objects.get(kind=TaskKind.CERTIFICATE_EXPIRED)
    assert "Their duos go on" in task.detail and "16/11/2026" in task.detail
    assert SentReminder.objects.filter(kind="screening.certificate_expired").count() == 1
    duo.refresh_from_db()
    assert duo.status == "active"


PDF = b"%PDF-1.4\n" + b"x" * 100


def upload(client, volunteer, content=PDF, name="uittreksel.pdf"):
    return client.post(f"/screening/{volunteer.pk}/certificate/",
                       {"file": SimpleUploadedFile(name, content)})


@pytest.fixture
def keeps_copies(organisation):
    return ScreeningSettings.objects.create(organisation=organisation,
                                            certificate_copy_kept=True,
                                            certificate_copy_days=30)


def test_by_default_no_copy_is_kept(coordinator_client, organisation):
    volunteer = VolunteerFactory(organisation=organisation, status="applied")
    response = upload(coordinator_client, volunteer)
    assert response.status_code == 400 and "keeps no copies" in response.content.decode()
    assert not CertificateCopy.objects.exists()


def test_a_copy_is_checked_kept_privately_and_served_to_staff_only(
        client, coordinator_client, organisation, keeps_copies, other_organisation):
    volunteer = VolunteerFactory(organisation=organisation, status="applied")
    assert "must be a photo" in upload(coordinator_client, volunteer,
                                       content=b"MZ\x90\x00 not a pdf").content.decode()
    assert "larger than 5 MB" in upload(coordinator_client, volunteer,
                                        content=PDF + b"x" * (5 * 1024 * 1024)).content.decode()
    assert not CertificateCopy.objects.exists()
    assert upload(coordinator_client, volunteer).status_code == 302
    copy = CertificateCopy.objects.get()
    assert copy.delete_on == datetime.date(2026, 12, 17) and copy.kind == "pdf"
    assert "uittreksel" not in copy.file.name  # a random name
    response = coordinator_client.get(f"/screening/certificates/{copy.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "no-store" in response["Cache-Control"]
    client.logout()
    client.force_login(CoordinatorFactory(organisation=other_organisation))
    assert client.get(f"/screening/certificates/{copy.pk}/").status_code == 404


def test_marking_the_certificate_seen_deletes_the_copy_and_its_file(
        coordinator_client, organisation, keeps_copies, django_capture_on_commit_callbacks):
    volunteer = VolunteerFactory(organisation=organisation, status="applied")
    upload(coordinator_client, volunteer)
    copy = CertificateCopy.objects.get()
    name, storage = copy.file.name, copy.file.storage
    assert storage.exists(name)
    screening_services.screening_start(volunteer=volunteer, on=datetime.date(2026, 11, 1))
    stage = ScreeningStage.objects.get(organisation=organisation, kind="certificate")
    with django_capture_on_commit_callbacks(execute=True):
        screening_services.screening_move(volunteer=volunteer, stage=stage,
                                          on=datetime.date(2026, 11, 16))
    assert not CertificateCopy.objects.exists() and not storage.exists(name)
    volunteer.refresh_from_db()
    assert volunteer.certificate_seen_on == datetime.date(2026, 11, 16)


def test_a_copy_is_deleted_after_the_organisations_days(
        coordinator_client, organisation, keeps_copies, django_capture_on_commit_callbacks):
    volunteer = VolunteerFactory(organisation=organisation, status="applied")
    upload(coordinator_client, volunteer)
    copy = CertificateCopy.objects.get()
    name, storage = copy.file.name, copy.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        assert delete_certificate_copies() == 0
    with (time_machine.travel(datetime.datetime(2026, 12, 17, 4, tzinfo=BRUSSELS)),
          django_capture_on_commit_callbacks(execute=True)):
        assert delete_certificate_copies() == 1
    assert not CertificateCopy.objects.exists() and not storage.exists(name)
