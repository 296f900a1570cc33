"""Screening of volunteers: the organisation's stages (defaults, renamed, ordered), each step
with its date, who and a note; the readiness dates follow, "ready" makes an applicant
proposable; the board by stage with the days spent there; a task when someone waits longer
than the stage allows."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matching.intake.models import Volunteer, VolunteerStatus
from matching.intake.screening import services
from matching.intake.screening.models import (
    ReferenceRequest,
    ScreeningStage,
    ScreeningStep,
    StageKind,
)
from notifications.models import CoordinatorTask, SentReminder, TaskKind
from notifications.tasks import reminders_dispatch
from organisations.models import AuditEvent
from tests.factories import OrganisationFactory
from tests.factories_matching import VolunteerFactory

pytestmark = pytest.mark.django_db
BRUSSELS = timezone.get_default_timezone()
TODAY = datetime.date(2026, 11, 17)  # the pinned clock's day (tests/clock.py)


def stage(organisation, kind):
    services.screening_stages_ensure(organisation)
    return ScreeningStage.objects.get(organisation=organisation, kind=kind)


@pytest.fixture
def applicant(organisation):
    volunteer = VolunteerFactory(organisation=organisation, status=VolunteerStatus.APPLIED,
                                 first_name="Anouk")
    services.screening_start(volunteer=volunteer, on=datetime.date(2026, 11, 2))
    return volunteer


def test_an_organisation_starts_with_the_default_stages_in_order(organisation):
    stages = services.screening_stages_ensure(organisation)
    assert [s.kind for s in stages] == ["applied", "intake_planned", "intake_held",
                                        "certificate", "references", "training", "ready"]
    assert stages[3].label_nl and stages[3].label_fr and stages[3].label_en
    # Asking again makes nothing new; another organisation gets its own.
    services.screening_stages_ensure(organisation)
    assert ScreeningStage.objects.filter(organisation=organisation).count() == 7
    services.screening_stages_ensure(OrganisationFactory())
    assert ScreeningStage.objects.count() == 14


def test_renamed_and_reordered_stages_are_the_organisations_own(organisation, applicant):
    services.screening_stages_ensure(organisation)
    ScreeningStage.objects.filter(organisation=organisation, kind="references").update(
        label_en="Two references", position=1)
    stages = services.screening_stages_ensure(organisation)
    assert [s.kind for s in stages][:2] == ["applied", "references"]
    assert stages[1].label == "Two references"


def test_the_steps_fill_the_readiness_dates_and_ready_makes_them_proposable(
        organisation, applicant, coordinator):
    for kind, day in (("intake_planned", 3), ("intake_held", 5), ("certificate", 9),
                      ("references", 10), ("training", 12)):
        services.screening_move(volunteer=applicant, stage=stage(organisation, kind),
                                on=datetime.date(2026, 11, day), by=coordinator,
                                note=f"step {kind}")
    applicant.refresh_from_db()
    assert applicant.intake_talk_on == datetime.date(2026, 11, 5)
    assert applicant.certificate_seen_on == datetime.date(2026, 11, 9)
    assert applicant.training_done_on == datetime.date(2026, 11, 12)
    assert applicant.status == VolunteerStatus.APPLIED
    assert not Volunteer.objects.ready_with_capacity().filter(pk=applicant.pk).exists()
    services.screening_move(volunteer=applicant, stage=stage(organisation, "ready"),
                            on=datetime.date(2026, 11, 13), by=coordinator)
    applicant.refresh_from_db()
    assert applicant.status == VolunteerStatus.ACTIVE
    assert Volunteer.objects.ready_with_capacity().filter(pk=applicant.pk).exists()
    steps = list(ScreeningStep.objects.filter(volunteer=applicant).order_by("entered_on"))
    assert len(steps) == 7 and [s.is_current for s in steps].count(True) == 1
    assert steps[2].done_by == coordinator and steps[2].note == "step intake_held"


def test_ready_without_the_certificate_is_refused_and_changes_nothing(organisation,
                                                                     applicant):
    services.screening_move(volunteer=applicant, stage=stage(organisation, "intake_held"),
                            on=datetime.date(2026, 11, 5))
    with pytest.raises(ValidationError) as refused:
        services.screening_move(volunteer=applicant, stage=stage(organisation, "ready"),
                                on=datetime.date(2026, 11, 6))
    assert "Certificate of good conduct" in str(refused.value)
    applicant.refresh_from_db()
    assert applicant.status == VolunteerStatus.APPLIED
    assert ScreeningStep.objects.get(volunteer=applicant, is_current=True).stage.kind == (
        "intake_held")


def test_a_date_in_the_future_or_before_the_last_step_is_refused(organisation, applicant):
    planned = stage(organisation, "intake_planned")
    with pytest.raises(ValidationError, match="future"):
        services.screening_move(volunteer=applicant, stage=planned,
                                on=TODAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="before the previous step"):
        services.screening_move(volunteer=applicant, stage=planned,
                                on=datetime.date(2026, 11, 1))
    assert ScreeningStep.objects.filter(volunteer=applicant).count() == 1


def test_a_stage_of_another_organisation_is_refused(organisation, applicant):
    foreign = stage(OrganisationFactory(), "intake_planned")
    with pytest.raises(ValidationError, match="not one of your organisation"):
        services.screening_move(volunteer=applicant, stage=foreign, on=TODAY)


def test_the_same_stage_twice_is_one_step(organisation, applicant):
    planned = stage(organisation, "intake_planned")
    services.screening_move(volunteer=applicant, stage=planned, on=TODAY)
    services.screening_move(volunteer=applicant, stage=planned, on=TODAY)
    assert ScreeningStep.objects.filter(volunteer=applicant).count() == 2


def test_the_board_shows_each_applicant_in_their_stage_with_the_days_spent(
        coordinator_client, organisation, applicant):
    VolunteerFactory(organisation=organisation, first_name="Nog Niet Gestart")
    page = coordinator_client.get("/screening/").content.decode()
    assert "Anouk" in page and "15 days" in page  # applied on 2 November, 7 allowed
    assert "waiting long" in page
    assert "Nog Niet Gestart" not in page  # an active volunteer is not in screening


def test_the_board_takes_the_same_queries_for_many_applicants(coordinator_client,
                                                              organisation, applicant):
    coordinator_client.get("/screening/")
    with CaptureQueriesContext(connection) as few:
        coordinator_client.get("/screening/")
    for _index in range(12):
        services.screening_start(volunteer=VolunteerFactory(
            organisation=organisation, status=VolunteerStatus.APPLIED))
    with CaptureQueriesContext(connection) as many:
        assert coordinator_client.get("/screening/").status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_coordinator_records_a_step_on_the_volunteers_screening_page(
        coordinator_client, organisation, applicant, coordinator):
    planned = stage(organisation, "intake_planned")
    page = coordinator_client.get(f"/screening/{applicant.pk}/")
    assert page.status_code == 200 and "Anouk" in page.content.decode()
    response = coordinator_client.post(f"/screening/{applicant.pk}/", {
        "stage": planned.pk, "entered_on": "2026-11-16", "note": "Gesprek op 20/11"})
    assert response.status_code == 302
    step = ScreeningStep.objects.get(volunteer=applicant, is_current=True)
    assert (step.stage, step.done_by, step.note) == (planned, coordinator, "Gesprek op 20/11")
    assert AuditEvent.objects.filter(subject_ref=f"matching.volunteer:{applicant.pk}",
                                     action="change").count() == 1
    bad = coordinator_client.post(f"/screening/{applicant.pk}/", {
        "stage": stage(organisation, "ready").pk, "entered_on": "2026-11-16"})
    assert bad.status_code == 400 and "Not ready yet" in bad.content.decode()


def _dispatch(moment, django_capture_on_commit_callbacks):
    with (time_machine.travel(moment, tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        reminders_dispatch(now=timezone.now(), only={"screening.stuck"})


def test_waiting_longer_than_the_stage_allows_opens_one_task(
        organisation, applicant, django_capture_on_commit_callbacks):
    # Applied on 2 November, 7 days allowed: not yet on the 9th, a task on the 10th.
    _dispatch(datetime.datetime(2026, 11, 9, 10, tzinfo=BRUSSELS),
              django_capture_on_commit_callbacks)
    assert not CoordinatorTask.objects.filter(kind=TaskKind.SCREENING_STUCK).exists()
    _dispatch(datetime.datetime(2026, 11, 10, 10, tzinfo=BRUSSELS),
              django_capture_on_commit_callbacks)
    _dispatch(datetime.datetime(2026, 11, 11, 10, tzinfo=BRUSSELS),
              django_capture_on_commit_callbacks)
    task = CoordinatorTask.objects.get(kind=TaskKind.SCREENING_STUCK)
    assert task.recipient_key == f"volunteer:{applicant.pk}" and "02/11/2026" in task.detail
    assert SentReminder.objects.filter(kind="screening.stuck").count() == 1


def test_each_stage_has_its_own_reminder_and_a_step_taken_in_time_has_none(
        organisation, applicant, django_capture_on_commit_callbacks):
    services.screening_move(volunteer=applicant, stage=stage(organisation, "intake_planned"),
                            on=datetime.date(2026, 11, 8))
    # The applied stage was left in time; intake planned allows 14 days.
    _dispatch(datetime.datetime(2026, 11, 17, 10, tzinfo=BRUSSELS),
              django_capture_on_commit_callbacks)
    assert not CoordinatorTask.objects.exists()
    _dispatch(datetime.datetime(2026, 11, 23, 10, tzinfo=BRUSSELS),
              django_capture_on_commit_callbacks)
    assert CoordinatorTask.objects.get().kind == TaskKind.SCREENING_STUCK


def test_a_stage_without_a_limit_and_a_volunteer_no_longer_applying_have_no_reminder(
        organisation, applicant, django_capture_on_commit_callbacks):
    ScreeningStage.objects.filter(organisation=organisation, kind=StageKind.APPLIED).update(
        max_days=0)
    other = VolunteerFactory(organisation=organisation, status=VolunteerStatus.APPLIED)
    services.screening_start(volunteer=other, on=datetime.date(2026, 10, 1))
    ScreeningStage.objects.filter(organisation=organisation, kind=StageKind.APPLIED).update(
        max_days=7)
    Volunteer.objects.filter(pk=other.pk).update(status=VolunteerStatus.STOPPED)
    ScreeningStage.objects.filter(organisation=organisation, kind=StageKind.APPLIED).update(
        max_days=0)
    _dispatch(datetime.datetime(2026, 11, 17, 10, tzinfo=BRUSSELS),
              django_capture_on_commit_callbacks)
    assert not CoordinatorTask.objects.exists()


def test_a_reference_is_asked_by_e_mail_link_and_answered_once(
        coordinator_client, organisation, applicant, django_capture_on_commit_callbacks):
    client = Client()  # the referee: no account, no session
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(f"/screening/{applicant.pk}/references/", {
            "referee_name": "Mieke Janssens", "referee_email": "mieke@example.org"})
    assert response.status_code == 302
    reference = ReferenceRequest.objects.get()
    assert (reference.volunteer, reference.answered_at) == (applicant, None)
    email = mail.outbox[-1]
    assert email.to == ["mieke@example.org"] and "Anouk" in email.body
    assert "Vrijwilliger" not in email.body  # the first name only
    path = re.search(r"https?://[^/\s]+(/s/\S+)", email.body).group(1)
    page = client.get(path)
    assert page.status_code == 200 and "Anouk" in page.content.decode()
    # Nothing chosen: a clear message, nothing kept, and the link still works.
    refused = client.post(path, {"answer": "?"}).content.decode()
    assert "Er is nog niets bewaard." in refused  # the referee reads Dutch, as the volunteer
    reference.refresh_from_db()
    assert reference.answered_at is None
    done = client.post(path, {"recommends": "yes", "answer": "Ze is mijn buurvrouw."})
    assert "Bedankt" in done.content.decode()
    reference.refresh_from_db()
    assert reference.recommends is True and reference.answer == "Ze is mijn buurvrouw."
    again = client.post(path, {"recommends": "no", "answer": "Toch niet."})
    assert again.status_code in (404, 410) or "no longer works" in again.content.decode()
    reference.refresh_from_db()
    assert reference.recommends is True
    screening = coordinator_client.get(f"/screening/{applicant.pk}/").content.decode()
    assert "Ze is mijn buurvrouw." in screening and "Recommends them" in screening


def test_a_reference_from_the_volunteer_themselves_is_refused(coordinator_client,
                                                              organisation, applicant):
    Volunteer.objects.filter(pk=applicant.pk).update(email="anouk@example.org")
    response = coordinator_client.post(f"/screening/{applicant.pk}/references/", {
        "referee_name": "Anouk", "referee_email": "Anouk@example.org"})
    assert response.status_code == 400 and "own address" in response.content.decode()
    assert not ReferenceRequest.objects.exists()


def test_the_step_form_offers_today_in_the_browsers_date_format(coordinator_client,
                                                                applicant):
    page = coordinator_client.get(f"/screening/{applicant.pk}/").content.decode()
    assert 'type="date" name="entered_on" value="2026-11-17"' in page
