"""Ending: the question weeks before the end and each answer, early ending by either side,
closing with re-matching (original waiting date), and the pairs never proposed again."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from duos import selectors, services
from duos.models import (
    Alert,
    AlertKind,
    DuoSettings,
    DuoStatus,
    DurationKind,
    Ending,
    Outcome,
    Side,
)
from matching.intake.models import ParticipantStatus, Volunteer, VolunteerStatus
from notifications.tasks import reminders_dispatch
from tests.factories_duos import ParticipantFactory, active_duo

START = datetime.date(2025, 9, 1)
END = datetime.date(2026, 9, 1)  # twelve months


def _at(day):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 9,
                                                 tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def duo(organisation):
    with _at(START):
        return active_duo(organisation, start_date=START,
                          participant=ParticipantFactory(organisation=organisation,
                                                         waiting_since=datetime.date(2024, 5, 6)))


@pytest.mark.django_db
def test_the_end_question_is_due_four_weeks_before_the_end_and_asked_once(duo):
    assert duo.agreement.end_date == END
    with _at(END - datetime.timedelta(weeks=4, days=1)):
        assert selectors.end_question_due() == []
        assert reminders_dispatch(only={"duos.end_question"}) == 0
    with _at(END - datetime.timedelta(weeks=4)):
        assert selectors.end_question_due() == [duo]
        assert reminders_dispatch(only={"duos.end_question"}) == 1
        assert reminders_dispatch(only={"duos.end_question"}) == 0
    duo.refresh_from_db()
    assert duo.status == DuoStatus.ENDING
    assert duo.end_question_asked_on == END - datetime.timedelta(weeks=4)


@pytest.mark.django_db
def test_weeks_before_the_end_is_per_organisation(organisation, duo):
    DuoSettings.objects.create(organisation=organisation, weeks_before_end=8)
    with _at(END - datetime.timedelta(weeks=8)):
        assert selectors.end_question_due() == [duo]


@pytest.mark.django_db
def test_open_ended_duos_are_never_asked(organisation):
    with _at(START):
        duo = active_duo(organisation, start_date=START, duration_kind=DurationKind.OPEN_ENDED)
    with _at(START + datetime.timedelta(days=3000)):
        assert duo not in selectors.end_question_due()


@pytest.mark.django_db
def test_both_extend_extends_the_agreement_from_the_old_end_date(duo):
    with _at(END - datetime.timedelta(weeks=4)):
        reminders_dispatch(only={"duos.end_question"})
        services.end_answer_record(duo=duo, side=Side.VOLUNTEER, answer="extend",
                                   duration_kind=DurationKind.MONTHS, duration_months=6)
        duo.refresh_from_db()
        assert duo.status == DuoStatus.ENDING  # waiting for the participant
        assert services.end_question_reply_received(duo_id=duo.pk, side=Side.PARTICIPANT,
                                                    answer="Verlengen") == "recorded"
    duo.refresh_from_db()
    assert duo.status == DuoStatus.ACTIVE
    assert duo.end_question_asked_on is None
    assert duo.agreement.end_date == datetime.date(2027, 3, 1)
    assert duo.agreement.start_date == START
    assert Ending.objects.get(duo=duo).outcome == Outcome.EXTENDED
    # Four weeks before the new end the question comes again.
    with _at(datetime.date(2027, 3, 1) - datetime.timedelta(weeks=4)):
        assert selectors.end_question_due() == [duo]


@pytest.mark.django_db
def test_extending_without_a_new_duration_repeats_the_agreed_one(duo):
    with _at(END - datetime.timedelta(weeks=2)):
        for side in Side.values:
            services.end_answer_record(duo=duo, side=side, answer="extend")
    duo.refresh_from_db()
    assert duo.agreement.end_date == datetime.date(2027, 9, 1)


@pytest.mark.django_db
def test_one_close_answer_records_a_closed_ending_for_the_coordinator(coordinator, duo):
    with _at(END - datetime.timedelta(weeks=3)):
        services.end_answer_record(duo=duo, side=Side.PARTICIPANT, answer="extend")
        services.end_question_reply_received(duo_id=duo.pk, side=Side.VOLUNTEER, answer="2")
    ending = Ending.objects.get(duo=duo)
    assert (ending.outcome, ending.ended_by, ending.planned) == (Outcome.CLOSED, "planned_end",
                                                                 True)
    assert Alert.objects.filter(duo=duo, kind=AlertKind.END_ANSWERED,
                                resolved_at__isnull=True).exists()
    duo.refresh_from_db()
    assert duo.status == DuoStatus.ENDING


@pytest.mark.django_db
def test_friends_answers_end_the_project_as_friends(coordinator, duo):
    with _at(END - datetime.timedelta(weeks=3)):
        assert services.end_question_reply_received(duo_id=duo.pk, side=Side.PARTICIPANT,
                                                    answer="vrienden") == "recorded"
        services.end_answer_record(duo=duo, side=Side.VOLUNTEER, answer="friends")
        assert services.end_question_reply_received(duo_id=duo.pk, side=Side.VOLUNTEER,
                                                    answer="friends") == "recorded"
        assert services.end_question_reply_received(duo_id=duo.pk, side=Side.VOLUNTEER,
                                                    answer="what?") == "not_understood"
        services.duo_close(duo=duo, closed_by=coordinator, participant_wants_new_buddy=False,
                           volunteer_next="pool")
    assert Ending.objects.get(duo=duo).outcome == Outcome.FRIENDS
    duo.refresh_from_db()
    duo.participant.refresh_from_db()
    assert duo.status == DuoStatus.CLOSED
    assert duo.participant.status == ParticipantStatus.WITHDRAWN
    assert (duo.participant_id, duo.volunteer_id) in selectors.ended_pairs(duo.organisation)


@pytest.mark.django_db
@pytest.mark.parametrize("side", ["participant", "volunteer"])
def test_either_side_can_end_early_and_the_participant_returns_with_the_original_date(
        coordinator, coordinator_client, duo, side):
    with _at(START + datetime.timedelta(days=60)):
        response = coordinator_client.post(f"/duos/{duo.pk}/end/", {
            "end-ended_by": side, "end-reason": "no_click", "end-note": "No click",
            "exit_conversation_done": "on", "exit_conversation_notes": "Talked with both",
            "participant_wants_new_buddy": "on", "volunteer_next": "pool",
        })
    assert response.status_code == 302, response.content.decode()[-3000:]
    ending = Ending.objects.get(duo=duo)
    assert (ending.ended_by, ending.planned, ending.reason) == (side, False, "no_click")
    assert ending.exit_conversation_done and ending.exit_conversation_notes
    duo.refresh_from_db()
    assert duo.status == DuoStatus.CLOSED
    assert duo.ended_on == START + datetime.timedelta(days=60)
    participant = duo.participant
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.WAITING
    assert participant.waiting_since == datetime.date(2024, 5, 6)
    assert selectors.ended_pairs(duo.organisation) == {(duo.participant_id, duo.volunteer_id)}
    # The volunteer is back in the pool with free capacity; the pair is never started again.
    assert Volunteer.objects.ready_with_capacity().filter(pk=duo.volunteer_id).exists()
    with pytest.raises(ValidationError):
        services.duo_start_from_match(participant=participant, volunteer=duo.volunteer)


@pytest.mark.django_db
def test_a_volunteer_who_leaves_needs_a_reason_and_stops(coordinator, duo):
    services.duo_end_early(duo=duo, ended_by="volunteer", planned=True, reason="no_time",
                           recorded_by=coordinator)
    with pytest.raises(ValidationError):
        services.duo_close(duo=duo, closed_by=coordinator, participant_wants_new_buddy=True,
                           volunteer_next="leave")
    services.duo_close(duo=duo, closed_by=coordinator, participant_wants_new_buddy=True,
                       volunteer_next="leave", volunteer_leave_reason="New job")
    services.duo_close(duo=duo, closed_by=coordinator, participant_wants_new_buddy=True,
                       volunteer_next="leave", volunteer_leave_reason="New job")
    duo.volunteer.refresh_from_db()
    assert duo.volunteer.status == VolunteerStatus.STOPPED
    assert Ending.objects.get(duo=duo).volunteer_leave_reason == "New job"


@pytest.mark.django_db
def test_closing_needs_a_recorded_ending(coordinator, duo):
    with pytest.raises(ValidationError):
        services.duo_close(duo=duo, closed_by=coordinator, participant_wants_new_buddy=True,
                           volunteer_next="pool")


@pytest.mark.django_db
def test_ending_twice_keeps_the_first_record(coordinator, duo):
    first = services.duo_end_early(duo=duo, ended_by="participant", planned=False,
                                   reason="health", recorded_by=coordinator)
    second = services.duo_end_early(duo=duo, ended_by="volunteer", planned=True,
                                    reason="moved", recorded_by=coordinator)
    assert first.pk == second.pk and second.ended_by == "participant"


@pytest.mark.django_db
def test_end_page_after_the_answers_only_asks_for_the_close(coordinator, coordinator_client,
                                                            duo):
    with _at(END - datetime.timedelta(weeks=3)):
        for side in Side.values:
            services.end_answer_record(duo=duo, side=side, answer="close")
        page = coordinator_client.get(f"/duos/{duo.pk}/end/").content.decode()
        assert 'name="end-reason"' not in page
        response = coordinator_client.post(f"/duos/{duo.pk}/end/", {
            "participant_wants_new_buddy": "", "volunteer_next": "pause"})
    assert response.status_code == 302
    duo.refresh_from_db()
    duo.volunteer.refresh_from_db()
    assert duo.status == DuoStatus.CLOSED
    assert duo.volunteer.status == VolunteerStatus.PAUSED
    assert not Alert.objects.filter(duo=duo, resolved_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_timeline_shows_the_end_question_and_the_answers(coordinator_client, duo):
    with _at(END - datetime.timedelta(weeks=4)):
        reminders_dispatch(only={"duos.end_question"})
        services.end_answer_record(duo=duo, side=Side.VOLUNTEER, answer="close")
        detailed = selectors.duo_detail_queryset().get(pk=duo.pk)
        kinds = [entry.kind for entry in selectors.duo_timeline(detailed)]
    assert kinds[-2:] == ["end_question", "end_answer"]
    page = coordinator_client.get(f"/duos/{duo.pk}/").content.decode()
    assert "Both asked: extend, close or go on as friends?" in page
