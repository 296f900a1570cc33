"""The retention clock counts from the day a person left (`left_on`), set and cleared by the
services that end or resume their involvement, and from the end of their last duo when that
is later; editing a record after they left does not restart it."""

import datetime
import importlib
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from desk.privacy import selectors, services
from duos import services as duo_services
from duos.models import DuoStatus
from matching.intake import services as matching_services
from matching.intake.models import Participant, Volunteer
from organisations.models import AnonymisationRecord
from tests.factories_duos import ParticipantFactory, VolunteerFactory, active_duo, pending_duo

LEFT = datetime.datetime(2024, 1, 15, 10, tzinfo=datetime.UTC)


def _on(day: datetime.date | datetime.datetime):
    if isinstance(day, datetime.date) and not isinstance(day, datetime.datetime):
        day = datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)
    return time_machine.travel(day, tick=False)


def _months_after(months: int, start=LEFT):
    return _on(start + datetime.timedelta(days=31 * months))


def _due(organisation):
    return {f"{p._meta.model_name}:{p.pk}"
            for p in selectors.due_for_anonymisation(organisation, timezone.localdate())}


@pytest.mark.django_db
def test_withdrawing_sets_left_on_and_coming_back_clears_it(organisation):
    with _on(LEFT):
        participant = ParticipantFactory(organisation=organisation, status="waiting")
        participant = matching_services.participant_withdraw(participant=participant,
                                                             reason="moved")
    assert participant.left_on == LEFT.date()
    with _months_after(3):
        participant = matching_services.participant_return_to_waiting_list(
            participant=participant)
    assert Participant.objects.get(pk=participant.pk).left_on is None
    with _months_after(5):
        matching_services.participant_withdraw(participant=participant, reason="moved again")
    assert Participant.objects.get(pk=participant.pk).left_on == (
        LEFT + datetime.timedelta(days=155)).date()


@pytest.mark.django_db
def test_a_volunteer_who_stops_gets_left_on_once_and_loses_it_when_back(organisation):
    with _on(LEFT):
        volunteer = VolunteerFactory(organisation=organisation)
        matching_services.volunteer_set_status(volunteer=volunteer, status="stopped")
    with _months_after(2):
        matching_services.volunteer_set_status(volunteer=volunteer, status="stopped")
    assert Volunteer.objects.get(pk=volunteer.pk).left_on == LEFT.date()
    with _months_after(4):
        matching_services.volunteer_set_status(volunteer=volunteer, status="active")
    assert Volunteer.objects.get(pk=volunteer.pk).left_on is None
    with _months_after(4):
        matching_services.volunteer_set_status(volunteer=volunteer, status="paused")
    assert Volunteer.objects.get(pk=volunteer.pk).left_on is None


@pytest.mark.django_db
def test_closing_a_duo_without_a_new_buddy_sets_both_left_on(organisation, coordinator,
                                                              sms_texts):
    with _on(LEFT):
        duo = active_duo(organisation, coordinator=coordinator)
        duo_services.duo_end_early(duo=duo, ended_by="volunteer", planned=True,
                                   reason="no_time")
        duo_services.duo_close(duo=duo, closed_by=coordinator,
                               participant_wants_new_buddy=False, volunteer_next="leave",
                               volunteer_leave_reason="moved")
    assert Participant.objects.get(pk=duo.participant_id).left_on == LEFT.date()
    assert Volunteer.objects.get(pk=duo.volunteer_id).left_on == LEFT.date()


@pytest.mark.django_db
def test_editing_a_record_after_leaving_does_not_restart_the_clock(organisation):
    with _on(LEFT):
        participant = ParticipantFactory(organisation=organisation, status="waiting")
        matching_services.participant_withdraw(participant=participant, reason="moved")
    with _months_after(20):
        matching_services.participant_update(participant=participant, last_name="Edited")
    with _months_after(23):
        assert _due(organisation) == set()
    with _months_after(25):
        assert _due(organisation) == {f"participant:{participant.pk}"}


@pytest.mark.django_db
def test_the_clock_counts_from_the_last_duo_end_when_that_is_later(organisation):
    with _on(LEFT):
        volunteer = VolunteerFactory(organisation=organisation)
        duo = pending_duo(organisation, participant=ParticipantFactory(organisation=organisation),
                          volunteer=volunteer)
        matching_services.volunteer_set_status(volunteer=volunteer, status="stopped")
    with _months_after(25):
        assert _due(organisation) == set()  # the duo has not ended
    ended = (LEFT + datetime.timedelta(days=31 * 10)).date()
    type(duo).objects.filter(pk=duo.pk).update(status=DuoStatus.CLOSED, ended_on=ended)
    with _months_after(25):
        assert _due(organisation) == set()  # 15 months after the duo ended
    with _months_after(35):
        assert _due(organisation) == {f"volunteer:{volunteer.pk}"}


@pytest.mark.django_db
def test_dry_run_shows_the_day_the_clock_counts_from_and_the_run_is_idempotent(organisation):
    with _on(LEFT):
        participant = ParticipantFactory(organisation=organisation, status="waiting")
        matching_services.participant_withdraw(participant=participant, reason="moved")
    with _months_after(25):
        out = StringIO()
        call_command("anonymise", "--dry-run", stdout=out)
        assert f"matching.participant:{participant.pk} (since 2024-01-15)" in out.getvalue()
        assert AnonymisationRecord.objects.count() == 0
        [record] = services.retention_apply(organisation=organisation)
        assert services.retention_apply(organisation=organisation) == []
    assert record.subject_ref == f"matching.participant:{participant.pk}"
    participant.refresh_from_db()
    assert participant.first_name == "Anonymised" and participant.left_on == LEFT.date()


@pytest.mark.django_db
def test_erasure_records_the_day_the_person_left(organisation, coordinator):
    volunteer = VolunteerFactory(organisation=organisation)
    with _on(LEFT):
        services.person_erase(person=volunteer, requested_by=coordinator)
    volunteer.refresh_from_db()
    assert (volunteer.status, volunteer.left_on) == ("stopped", LEFT.date())


@pytest.mark.django_db
def test_the_migration_backfills_left_on_from_the_last_change(organisation):
    with _on(LEFT):
        gone = ParticipantFactory(organisation=organisation, status="withdrawn",
                                  withdrawal_reason="moved")
        stopped = VolunteerFactory(organisation=organisation, status="stopped")
        waiting = ParticipantFactory(organisation=organisation, status="waiting")
    Participant.objects.filter(pk=gone.pk).update(left_on=None)
    migration = importlib.import_module("matching.migrations.0004_left_on")
    migration.backfill_left_on(apps, None)
    assert Participant.objects.get(pk=gone.pk).left_on == LEFT.date()
    assert Volunteer.objects.get(pk=stopped.pk).left_on == LEFT.date()
    assert Participant.objects.get(pk=waiting.pk).left_on is None
