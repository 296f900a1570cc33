"""Every reminder kind's message really reaches the outbox: each registered kind is made due
with the data it meets in real life (the invitation, the proposal or the first request it
follows up), fired through the one dispatcher, and must leave a new message row, or a new
task for a kind that opens one, for each person it is about. A kind this walk does not know
fails it: a new kind comes with its scenario."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from coaching import services as coaching_services
from coaching.models import Answer, AnswerChannel
from duos import services as duo_services
from duos.models import DuoSettings
from matching.intake.models import ParticipantStatus
from matching.intake.screening import services as screening_services
from matching.proposals import messaging as matching_messaging
from matching.proposals.models import ProposalCallTask
from notifications import reminders
from notifications import services as notification_services
from notifications.models import (
    CoordinatorTask,
    Direction,
    Message,
    ReminderOutcome,
    SentReminder,
)
from notifications.tasks import reminders_dispatch
from outcomes import services as outcome_services
from tests import factories_coaching, factories_duos
from tests.factories import CoordinatorFactory
from tests.factories_matching import ParticipantFactory, VolunteerFactory
from tests.factories_proposals import CandidateFactory, ProposalFactory, VolunteerOfferFactory

pytestmark = pytest.mark.django_db

BRUSSELS = timezone.get_default_timezone()
SCENARIOS = {}


def local(*args):
    return datetime.datetime(*args, tzinfo=BRUSSELS)


def scenario(kind):
    """Registers the set-up of `kind`: it returns the moment the kind is due and what it
    must make, a set of ("message" | "task", person key)."""
    def register(setup):
        SCENARIOS[kind] = setup
        return setup
    return register


def dispatch(now, kind, on_commit):
    with time_machine.travel(now, tick=False), on_commit():
        return reminders_dispatch(now=timezone.now(), only={kind})


def key(person):
    role = "participant" if type(person).__name__ == "Participant" else "volunteer"
    return f"{role}:{person.pk}"


# Proposals -------------------------------------------------------------------------------


def _sent_proposal(organisation):
    """A proposal sent on 2 November, with the participant's first message."""
    with time_machine.travel(local(2026, 11, 2, 10)):
        proposal = ProposalFactory(organisation=organisation)
        CandidateFactory(proposal=proposal, position=1)
        matching_messaging.send_proposal_to_participant(proposal.pk)
    return proposal


@scenario("matching.proposal_reminder")
def _proposal_reminder(organisation, on_commit):
    proposal = _sent_proposal(organisation)
    return local(2026, 11, 5, 10), {("message", f"participant:{proposal.participant_id}")}


@scenario("matching.proposal_call_task")
def _proposal_call_task(organisation, on_commit):
    proposal = _sent_proposal(organisation)
    dispatch(local(2026, 11, 5, 10), "matching.proposal_reminder", on_commit)
    return local(2026, 11, 9, 10), {("task", f"participant:{proposal.participant_id}")}


def _asked_offer(organisation):
    """A volunteer asked on 2 November to accept the participant who chose them."""
    with time_machine.travel(local(2026, 11, 2, 15)):
        chosen = ProposalFactory(organisation=organisation, status="chosen")
        offer = VolunteerOfferFactory(candidate=CandidateFactory(
            proposal=chosen, position=1, status="chosen"))
        matching_messaging.ask_volunteer_to_accept(offer.pk)
    return offer


@scenario("matching.offer_reminder")
def _offer_reminder(organisation, on_commit):
    offer = _asked_offer(organisation)
    return local(2026, 11, 5, 10), {("message", f"volunteer:{offer.volunteer_id}")}


@scenario("matching.offer_coordinator_task")
def _offer_coordinator_task(organisation, on_commit):
    offer = _asked_offer(organisation)
    dispatch(local(2026, 11, 5, 10), "matching.offer_reminder", on_commit)
    return local(2026, 11, 9, 10), {("task", f"volunteer:{offer.volunteer_id}")}


# Duos ------------------------------------------------------------------------------------


@scenario("duos.agreement_unconfirmed")
def _agreement_unconfirmed(organisation, on_commit):
    # The coordinator asked both to confirm when the duo started; neither did.
    with time_machine.travel(local(2026, 11, 2, 15)):
        duo = factories_duos.pending_duo(organisation)
        with on_commit():
            duo_services.agreement_ask_confirmation(duo=duo)
    return local(2026, 11, 5, 10), {("message", key(duo.volunteer)),
                                    ("message", key(duo.participant))}


def _active_duo(organisation):
    with time_machine.travel(local(2026, 3, 2, 10)):
        return factories_duos.active_duo(organisation, start_date=datetime.date(2026, 3, 2))


@scenario("duos.meeting_log_reminder")
def _meeting_log_reminder(organisation, on_commit):
    duo = _active_duo(organisation)  # every two weeks, nothing logged
    return local(2026, 3, 16, 10), {("message", key(duo.volunteer))}


@scenario("duos.end_question")
def _end_question(organisation, on_commit):
    duo = _active_duo(organisation)
    asked_on = duo.agreement.end_date - datetime.timedelta(weeks=4)
    return local(asked_on.year, asked_on.month, asked_on.day, 10), {
        ("message", key(duo.volunteer)), ("message", key(duo.participant))}


@scenario("duos.how_is_it_going")
def _how_is_it_going(organisation, on_commit):
    DuoSettings.objects.create(organisation=organisation, ask_how_every_weeks=4)
    duo = _active_duo(organisation)
    return local(2026, 3, 30, 10), {("message", key(duo.participant))}


# Surveys (outcomes) ----------------------------------------------------------------------


@scenario("outcomes.survey_open")
def _survey_open(organisation, on_commit):
    duo = _active_duo(organisation)  # the participant's 3 months, the volunteer's first
    return local(2026, 6, 2, 10), {("message", key(duo.participant)),
                                   ("message", key(duo.volunteer))}


def _survey(organisation):
    duo = _active_duo(organisation)
    with time_machine.travel(local(2026, 6, 2, 10)):
        return duo, outcome_services.survey_open(
            organisation_id=organisation.pk, person_key=key(duo.participant),
            moment="follow_up", period=f"duo:{duo.pk}", duo=duo)


@scenario("outcomes.survey_ask")
def _survey_ask(organisation, on_commit):
    duo, _opened = _survey(organisation)
    return local(2026, 6, 2, 11), {("message", key(duo.participant))}


@scenario("outcomes.survey_remind")
def _survey_remind(organisation, on_commit):
    duo, survey = _survey(organisation)
    with time_machine.travel(local(2026, 6, 2, 10)), on_commit():
        outcome_services.survey_ask(survey=survey)
    return local(2026, 6, 10, 10), {("message", key(duo.participant))}


# Intervision -----------------------------------------------------------------------------


def _invited(organisation, on_commit, answer=None):
    """A session on 10 December at 19:00; a volunteer (e-mail) and a participant (SMS)
    invited on 20 November, who answered `answer` (or nothing)."""
    with time_machine.travel(local(2026, 11, 20, 10)):
        session = factories_coaching.SessionFactory(
            organisation=organisation, starts_at=local(2026, 12, 10, 19),
            ends_at=local(2026, 12, 10, 21))
        volunteer = factories_coaching.VolunteerFactory(organisation=organisation)
        participant = factories_coaching.ParticipantFactory(organisation=organisation)
        with on_commit():
            invitations = [coaching_services.invitation_add(session=session, volunteer=volunteer),
                           coaching_services.invitation_add(session=session,
                                                            participant=participant)]
            if answer is not None:
                for invitation in invitations:
                    coaching_services.invitation_answer(invitation, answer, AnswerChannel.LINK)
    return {("message", key(volunteer)), ("message", key(participant))}


@scenario("coaching.session_reminder")
def _session_reminder(organisation, on_commit):
    return local(2026, 12, 7, 19), _invited(organisation, on_commit, Answer.YES)


@scenario("coaching.session_nudge")
def _session_nudge(organisation, on_commit):
    return local(2026, 12, 7, 19), _invited(organisation, on_commit)


@scenario("coaching.session_morning")
def _session_morning(organisation, on_commit):
    expected = _invited(organisation, on_commit, Answer.MAYBE)
    dispatch(local(2026, 12, 7, 19), "coaching.session_reminder", on_commit)  # three days before
    return local(2026, 12, 10, 7), expected


# The waiting list and availability -----------------------------------------------------------


@scenario("reminders.keep_in_touch")
def _keep_in_touch(organisation, on_commit):
    waiting = ParticipantFactory(organisation=organisation,
                                 waiting_since=datetime.date(2026, 8, 17))
    return local(2026, 11, 17, 11), {("message", key(waiting))}


@scenario("reminders.keep_in_touch_no_answer")
def _keep_in_touch_no_answer(organisation, on_commit):
    silent = ParticipantFactory(organisation=organisation,
                                waiting_since=datetime.date(2026, 8, 17))
    dispatch(local(2026, 11, 17, 11), "reminders.keep_in_touch", on_commit)
    return local(2026, 11, 27, 11), {("task", key(silent))}


@scenario("reminders.paused_check_back")
def _paused_check_back(organisation, on_commit):
    paused = ParticipantFactory(organisation=organisation, status=ParticipantStatus.PAUSED,
                                check_back_on=datetime.date(2026, 11, 20))
    return local(2026, 11, 20, 9), {("task", key(paused))}


@scenario("reminders.availability_ending")
def _availability_ending(organisation, on_commit):
    volunteer = VolunteerFactory(organisation=organisation, email="vic@example.org",
                                 available_until=datetime.date(2026, 12, 15))
    return local(2026, 12, 1, 12), {("message", key(volunteer)), ("task", key(volunteer))}


@scenario("screening.stuck")
def _screening_stuck(organisation, on_commit):
    applicant = VolunteerFactory(organisation=organisation, status="applied")
    screening_services.screening_start(volunteer=applicant, on=datetime.date(2026, 11, 10))
    return local(2026, 11, 18, 10), {("task", key(applicant))}


@scenario("screening.certificate_renewal")
def _certificate_renewal(organisation, on_commit):
    volunteer = VolunteerFactory(organisation=organisation, ready=True,
                                 certificate_valid_until=datetime.date(2026, 12, 20))
    return local(2026, 11, 20, 10), {("message", key(volunteer)), ("task", key(volunteer))}


@scenario("screening.certificate_expired")
def _certificate_expired(organisation, on_commit):
    volunteer = VolunteerFactory(organisation=organisation, ready=True,
                                 certificate_valid_until=datetime.date(2026, 11, 16))
    return local(2026, 11, 17, 10), {("task", key(volunteer))}


# The coordinators' morning e-mail ----------------------------------------------------------


@scenario("reminders.coordinator_digest")
def _coordinator_digest(organisation, on_commit):
    coordinator = CoordinatorFactory(organisation=organisation, email="sofie@example.org")
    notification_services.task_open(organisation_id=organisation.pk, kind="help",
                                    recipient_key="participant:1", detail="Called for help")
    return local(2026, 11, 18, 8), {("message", f"user:{coordinator.pk}")}


# The walk --------------------------------------------------------------------------------


def _made_since(messages_before, tasks_before, call_tasks_before):
    """What was made since the snapshot: ("message" | "task", person key)."""
    made = {("message", recipient) for recipient in Message.objects.filter(
        direction=Direction.OUT).exclude(pk__in=messages_before)
        .values_list("recipient_key", flat=True)}
    made |= {("task", recipient) for recipient in CoordinatorTask.objects.exclude(
        pk__in=tasks_before).values_list("recipient_key", flat=True)}
    made |= {("task", f"participant:{participant}") for participant in
             ProposalCallTask.objects.exclude(pk__in=call_tasks_before)
             .values_list("proposal__participant_id", flat=True)}
    return made


def _ids(model):
    return set(model.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("kind", sorted(reminders.KINDS))
def test_every_kind_leaves_a_new_message_or_task_for_each_person(
        kind, organisation, django_capture_on_commit_callbacks):
    assert kind in SCENARIOS, f"no scenario for the reminder kind {kind}: add one here"

    def on_commit():
        return django_capture_on_commit_callbacks(execute=True)

    now, expected = SCENARIOS[kind](organisation, on_commit)
    assert expected
    before = _ids(Message), _ids(CoordinatorTask), _ids(ProposalCallTask)
    assert dispatch(now, kind, on_commit) >= 1, f"{kind} was not due at {now}"
    made = _made_since(*before)
    assert expected <= made, f"{kind} made nothing new for {sorted(expected - made)}"
    # And the reminders' page is told so: each claim made what it names.
    assert set(SentReminder.objects.filter(kind=kind).values_list("outcome", flat=True)) == {
        ReminderOutcome.SENT}


def test_the_walk_covers_every_registered_kind_and_nothing_else():
    assert set(SCENARIOS) == set(reminders.KINDS)
