"""Proposal rounds, proposals and the participant's choice, through the services."""

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from duos.models import Duo
from matching.intake import services
from matching.intake.models import ParticipantStatus, Postcode
from matching.proposals import messaging
from matching.proposals import services as proposal_services
from matching.proposals.models import (
    CallTaskStatus,
    IntroductionMeeting,
    Match,
    MatchingSettings,
    Proposal,
    ProposalCallTask,
    ProposalCandidate,
    ProposalRound,
    VolunteerOffer,
)
from matching.proposals.selectors import (
    excluded_pairs,
    proposals_due_for_call_task,
    proposals_due_for_reminder,
    shortlist_for_participant,
)
from matching.proposals.services import match_confirm
from matching.proposals.tasks import withdraw_proposals_of_leavers
from notifications import links
from notifications import services as notify
from notifications.models import Message, SignedLink, Status
from notifications.sms.backends import locmem
from notifications.tasks import reminders_dispatch
from tests.clock import BRUSSELS
from tests.factories_matching import (
    InterestFactory,
    ParticipantFactory,
    VolunteerFactory,
)
from tests.factories_proposals import (
    CandidateFactory,
    MatchingSettingsFactory,
    ProposalFactory,
    fresh_rarity_cache,  # noqa: F401 (autouse)
)

MONDAY_MORNING = 1


def _sent_round(organisation, coordinator, capture):
    proposal_round = proposal_services.round_create(organisation=organisation, by=coordinator)
    with capture(execute=True):
        proposal_services.round_send(proposal_round=proposal_round, by=coordinator)
    return proposal_round



def held_on_its_day(*, meeting, held_on, **kwargs):
    """Records a meeting as held, on the day it was held (never before: the service refuses
    a meeting held before its planned day or in the future)."""
    with time_machine.travel(datetime.datetime.combine(held_on, datetime.time(18),
                                                       tzinfo=BRUSSELS)):
        return proposal_services.meeting_record_held(meeting=meeting, held_on=held_on, **kwargs)

@pytest.fixture
def outbox(monkeypatch):
    """Every matching.messaging call, as (function name, id), still done for real."""
    calls = []
    for name in ("send_proposal_to_participant", "remind_participant",
                 "confirm_choice_to_participant", "confirm_answer_to_participant",
                 "tell_participant_back_on_waiting_list", "ask_volunteer_to_accept",
                 "invite_to_introduction_meeting"):
        original = getattr(messaging, name)

        def record(object_id, _name=name, _original=original):
            calls.append((_name, object_id))
            return _original(object_id)

        monkeypatch.setattr(messaging, name, record)
    return calls


@pytest.fixture
def walking(organisation):
    return InterestFactory(organisation=organisation, label_en="Walking", label_nl="Wandelen")


# Rounds: hard rules and fairness ---------------------------------------------------------


@pytest.mark.django_db
def test_round_never_proposes_a_volunteer_who_is_not_ready(organisation, coordinator):
    ParticipantFactory(organisation=organisation)
    not_ready = VolunteerFactory(organisation=organisation)
    ready = VolunteerFactory(organisation=organisation, ready=True)
    proposal_round = proposal_services.round_create(organisation=organisation, by=coordinator)
    offered = set(ProposalCandidate.objects.filter(proposal__round=proposal_round)
                  .values_list("volunteer_id", flat=True))
    assert offered == {ready.pk}
    assert not_ready.pk not in offered


@pytest.mark.django_db
def test_round_never_proposes_a_volunteer_already_in_an_open_proposal(organisation, coordinator):
    busy = CandidateFactory(proposal=ProposalFactory(organisation=organisation)).volunteer
    free = VolunteerFactory(organisation=organisation, ready=True)
    ParticipantFactory(organisation=organisation)
    proposal_round = proposal_services.round_create(organisation=organisation, by=coordinator)
    offered = set(ProposalCandidate.objects.filter(proposal__round=proposal_round)
                  .values_list("volunteer_id", flat=True))
    assert offered == {free.pk}
    assert busy.pk not in offered


@pytest.mark.django_db
def test_round_respects_language_time_and_distance(organisation, coordinator):
    ParticipantFactory(organisation=organisation, languages=["fr"],
                       availability=MONDAY_MORNING)
    VolunteerFactory(organisation=organisation, ready=True, languages=["nl"])
    VolunteerFactory(organisation=organisation, ready=True, languages=["fr"],
                     availability=MONDAY_MORNING << 5)
    VolunteerFactory(organisation=organisation, ready=True, languages=["fr"],
                     postcode=Postcode.objects.filter(code="4000").first())
    good = VolunteerFactory(organisation=organisation, ready=True, languages=["fr", "nl"])
    proposal_round = proposal_services.round_create(organisation=organisation, by=coordinator)
    assert list(ProposalCandidate.objects.filter(proposal__round=proposal_round)
                .values_list("volunteer_id", flat=True)) == [good.pk]


@pytest.mark.django_db
def test_round_serves_the_longest_waiting_when_volunteers_are_scarce(
        organisation, coordinator, walking):
    long_waiting = ParticipantFactory(organisation=organisation,
                                      waiting_since=datetime.date(2024, 1, 1))
    # The newcomer would score higher (a shared interest) but waited less.
    newcomer = ParticipantFactory(organisation=organisation,
                                  waiting_since=datetime.date(2026, 6, 1))
    newcomer.interests.add(walking)
    volunteer = VolunteerFactory(organisation=organisation, ready=True)
    volunteer.interests.add(walking)
    proposal_round = proposal_services.round_create(organisation=organisation, by=coordinator)
    served = {p.participant_id: [c.volunteer_id for c in p.candidates.all()]
              for p in proposal_round.proposals.all()}
    assert served == {long_waiting.pk: [volunteer.pk]}


@pytest.mark.django_db
def test_round_gives_each_volunteer_to_one_participant_only(organisation, coordinator):
    for _ in range(3):
        ParticipantFactory(organisation=organisation)
    for _ in range(5):
        VolunteerFactory(organisation=organisation, ready=True)
    proposal_round = proposal_services.round_create(organisation=organisation, by=coordinator)
    volunteers = list(ProposalCandidate.objects.filter(proposal__round=proposal_round)
                      .values_list("volunteer_id", flat=True))
    assert len(volunteers) == 5
    assert len(set(volunteers)) == 5
    assert proposal_round.proposals.count() == 3


@pytest.mark.django_db
def test_round_skips_a_pair_declined_before(organisation, coordinator):
    participant = ParticipantFactory(organisation=organisation)
    volunteer = VolunteerFactory(organisation=organisation, ready=True)
    old = ProposalFactory(organisation=organisation, participant=participant,
                          status="none_of_these")
    CandidateFactory(proposal=old, volunteer=volunteer, status="not_chosen", is_open=False)
    participant.status = "waiting"
    participant.save()
    assert (participant.pk, volunteer.pk) in excluded_pairs(organisation)
    proposal_round = proposal_services.round_create(organisation=organisation, by=coordinator)
    assert proposal_round.proposals.count() == 0


@pytest.mark.django_db
def test_new_round_replaces_the_unsent_draft(organisation, coordinator):
    ParticipantFactory(organisation=organisation)
    VolunteerFactory(organisation=organisation, ready=True)
    first = proposal_services.round_create(organisation=organisation, by=coordinator)
    second = proposal_services.round_create(organisation=organisation, by=coordinator)
    assert list(ProposalRound.objects.values_list("pk", flat=True)) == [second.pk]
    assert first.pk != second.pk


@pytest.mark.django_db
def test_sending_a_round_twice_sends_each_proposal_once(
        organisation, coordinator, django_capture_on_commit_callbacks, outbox):
    participant = ParticipantFactory(organisation=organisation)
    VolunteerFactory(organisation=organisation, ready=True)
    proposal_round = proposal_services.round_create(organisation=organisation, by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_services.round_send(proposal_round=proposal_round, by=coordinator)
    with django_capture_on_commit_callbacks(execute=True) as second:
        proposal_services.round_send(proposal_round=proposal_round, by=coordinator)
    assert second == []
    assert [name for name, _ in outbox] == ["send_proposal_to_participant"]
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.PROPOSAL_OPEN
    proposal = Proposal.objects.get(participant=participant)
    assert proposal.status == "open"
    assert proposal.candidates.get().is_open


@pytest.mark.django_db
def test_removing_and_swapping_candidates_in_a_draft(organisation, coordinator):
    ParticipantFactory(organisation=organisation)
    first, second = (VolunteerFactory(organisation=organisation, ready=True) for _ in range(2))
    proposal_round = proposal_services.round_create(organisation=organisation, by=coordinator)
    proposal = proposal_round.proposals.get()
    assert proposal.candidates.count() == 2
    proposal_services.round_remove_candidate(candidate=proposal.candidates.get(position=1))
    remaining = proposal.candidates.get()
    assert remaining.position == 1
    spare = VolunteerFactory(organisation=organisation, ready=True)
    proposal_services.round_swap_candidate(candidate=remaining, volunteer=spare)
    assert proposal.candidates.get().volunteer == spare
    not_ready = VolunteerFactory(organisation=organisation)
    with pytest.raises(ValidationError):
        proposal_services.round_swap_candidate(candidate=proposal.candidates.get(),
                                               volunteer=not_ready)
    assert {first.pk, second.pk} & {proposal.candidates.get().volunteer_id} == set()


@pytest.mark.django_db
def test_each_proposed_volunteer_keeps_the_parts_of_its_score(organisation, coordinator):
    """"What makes a duo last" (outcomes) relates each part to how long the duo lasted."""
    ParticipantFactory(organisation=organisation)
    VolunteerFactory(organisation=organisation, ready=True)
    proposal_round = proposal_services.round_create(organisation=organisation, by=coordinator)
    candidate = ProposalCandidate.objects.get(proposal__round=proposal_round)
    assert set(candidate.parts) == {"interests", "availability", "proximity",
                                    "participant_wishes", "volunteer_wishes"}
    assert all(0 <= value <= 1 for value in candidate.parts.values())
    assert candidate.parts["proximity"] == 1.0  # both live in the same municipality
    spare = VolunteerFactory(organisation=organisation, ready=True)
    swapped = proposal_services.round_swap_candidate(candidate=candidate, volunteer=spare)
    assert set(swapped.parts) == set(candidate.parts)


# The constraints ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_database_refuses_a_volunteer_in_two_open_proposals(organisation):
    candidate = CandidateFactory(proposal=ProposalFactory(organisation=organisation))
    other = ProposalFactory(organisation=organisation)
    with pytest.raises(IntegrityError), transaction.atomic():
        CandidateFactory(proposal=other, volunteer=candidate.volunteer)


@pytest.mark.django_db
def test_database_refuses_two_open_proposals_for_one_participant(organisation):
    proposal = ProposalFactory(organisation=organisation)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalFactory(organisation=organisation, participant=proposal.participant)


# The participant's choice ----------------------------------------------------------------


@pytest.fixture
def open_proposal(organisation):
    proposal = ProposalFactory(organisation=organisation)
    for position in (1, 2, 3):
        CandidateFactory(proposal=proposal, position=position)
    return proposal


@pytest.mark.django_db
def test_choosing_asks_the_volunteer_and_frees_the_others(
        open_proposal, django_capture_on_commit_callbacks, outbox):
    with django_capture_on_commit_callbacks(execute=True):
        proposal_services.proposal_choose(open_proposal, 2, "link")
    open_proposal.refresh_from_db()
    assert open_proposal.status == "chosen"
    statuses = dict(open_proposal.candidates.values_list("position", "status"))
    assert statuses == {1: "not_chosen", 2: "chosen", 3: "not_chosen"}
    assert list(open_proposal.candidates.filter(is_open=True)
                .values_list("position", flat=True)) == [2]
    offer = VolunteerOffer.objects.get()
    assert offer.volunteer == open_proposal.candidates.get(position=2).volunteer
    assert ("ask_volunteer_to_accept", offer.pk) in outbox
    assert SignedLink.objects.filter(purpose="matching.offer", subject=f"offer:{offer.pk}",
                                     recipient_key=f"volunteer:{offer.volunteer_id}").exists()


@pytest.mark.django_db
def test_a_double_click_on_a_choice_changes_nothing_the_second_time(open_proposal):
    proposal_services.proposal_choose(open_proposal, 1, "link")
    with pytest.raises(ValidationError) as error:
        proposal_services.proposal_choose(open_proposal, 1, "link")
    assert error.value.code == "already_answered"
    with pytest.raises(ValidationError):
        proposal_services.proposal_choose(open_proposal, 3, "link")
    assert VolunteerOffer.objects.count() == 1
    assert open_proposal.candidates.get(position=1).status == "chosen"


@pytest.mark.django_db
@pytest.mark.parametrize("number", [0 + 4, 9, -1, "x", None, ""])
def test_a_candidate_number_that_does_not_exist_changes_nothing(open_proposal, number):
    with pytest.raises(ValidationError) as error:
        proposal_services.proposal_choose(open_proposal, number, "link")
    assert error.value.code == "unknown_candidate"
    open_proposal.refresh_from_db()
    assert open_proposal.status == "open"
    assert VolunteerOffer.objects.count() == 0


@pytest.mark.django_db
def test_a_choice_after_expiry_is_refused_but_the_coordinator_can_record_it(open_proposal):
    with time_machine.travel(open_proposal.expires_at + datetime.timedelta(minutes=1)):
        with pytest.raises(ValidationError) as error:
            proposal_services.proposal_choose(open_proposal, 1, "link")
        assert error.value.code == "expired"
        with pytest.raises(ValidationError):
            proposal_services.handle_proposal_reply(open_proposal, "1")
        open_proposal.refresh_from_db()
        assert open_proposal.status == "open"
        proposal_services.proposal_choose(open_proposal, 1, "phone")
    open_proposal.refresh_from_db()
    assert open_proposal.status == "chosen"
    assert open_proposal.channel == "phone"


@pytest.mark.django_db
def test_none_of_these_keeps_the_waiting_date_and_excludes_the_pairs(open_proposal):
    participant = open_proposal.participant
    waiting_since = participant.waiting_since
    proposal_services.proposal_none_of_these(open_proposal, "link", reason="Te ver")
    participant.refresh_from_db()
    assert participant.status == "waiting"
    assert participant.waiting_since == waiting_since
    open_proposal.refresh_from_db()
    assert open_proposal.reason == "Te ver"
    assert not open_proposal.candidates.filter(is_open=True).exists()
    pairs = excluded_pairs(open_proposal.organisation)
    assert {(participant.pk, c.volunteer_id) for c in open_proposal.candidates.all()} <= pairs


@pytest.mark.django_db
def test_call_me_makes_one_call_task_and_keeps_the_proposal_open(open_proposal):
    proposal_services.proposal_call_me(open_proposal, "link")
    proposal_services.proposal_call_me(open_proposal, "sms")
    assert ProposalCallTask.objects.filter(proposal=open_proposal, status="open").count() == 1
    proposal_services.proposal_choose(open_proposal, 1, "phone")
    assert ProposalCallTask.objects.get().status == CallTaskStatus.DONE


# SMS replies -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("reply", ["2", " 2 ", "02"])
def test_sms_reply_with_a_number_chooses_that_candidate(open_proposal, reply):
    proposal_services.handle_proposal_reply(open_proposal, reply)
    open_proposal.refresh_from_db()
    assert open_proposal.status == "chosen"
    assert open_proposal.channel == "sms"
    assert open_proposal.candidates.get(status="chosen").position == 2


@pytest.mark.django_db
@pytest.mark.parametrize("reply", ["NEE", "nee", "NON", "NO", "0"])
def test_sms_reply_none_words_answer_none_of_these(open_proposal, reply):
    proposal_services.handle_proposal_reply(open_proposal, reply)
    open_proposal.refresh_from_db()
    assert open_proposal.status == "none_of_these"


@pytest.mark.django_db
@pytest.mark.parametrize("reply", ["BEL", "bel", "APPEL", "CALL"])
def test_sms_reply_call_words_ask_for_a_call(open_proposal, reply):
    proposal_services.handle_proposal_reply(open_proposal, reply)
    open_proposal.refresh_from_db()
    assert open_proposal.status == "call_me"
    assert open_proposal.call_tasks.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("reply", ["7", "hallo", "", "1 2"])
def test_sms_reply_not_understood_or_unknown_number_changes_nothing(open_proposal, reply):
    with pytest.raises(ValidationError):
        proposal_services.handle_proposal_reply(open_proposal, reply)
    open_proposal.refresh_from_db()
    assert open_proposal.status == "open"


@pytest.mark.django_db
def test_sms_reply_parsed_by_notifications_is_understood(open_proposal):
    @dataclass
    class Parsed:
        kind: str
        number: int | None = None

    proposal_services.handle_proposal_reply(open_proposal, Parsed("choice", 3))
    open_proposal.refresh_from_db()
    assert open_proposal.candidates.get(status="chosen").position == 3


# The volunteer's answer, the meeting, the match ---------------------------------------------


@pytest.mark.django_db
def test_volunteer_decline_offers_the_remaining_candidates_again(open_proposal):
    proposal_services.proposal_choose(open_proposal, 1, "link")
    offer = VolunteerOffer.objects.get()
    proposal_services.offer_answer(offer=offer, accept=False, channel="link")
    open_proposal.refresh_from_db()
    assert open_proposal.status == "open"
    assert sorted(open_proposal.candidates.filter(status="offered", is_open=True)
                  .values_list("position", flat=True)) == [2, 3]
    assert (open_proposal.participant_id, offer.volunteer_id) in excluded_pairs(
        open_proposal.organisation)
    with pytest.raises(ValidationError):
        proposal_services.offer_answer(offer=offer, accept=True, channel="link")


@pytest.mark.django_db
def test_volunteer_decline_with_nobody_left_returns_the_participant_to_waiting(organisation):
    proposal = ProposalFactory(organisation=organisation)
    CandidateFactory(proposal=proposal, position=1)
    waiting_since = proposal.participant.waiting_since
    proposal_services.proposal_choose(proposal, 1, "sms")
    proposal_services.offer_answer(offer=VolunteerOffer.objects.get(), accept=False,
                                   channel="staff")
    proposal.refresh_from_db()
    proposal.participant.refresh_from_db()
    assert proposal.status == "withdrawn"
    assert proposal.participant.status == "waiting"
    assert proposal.participant.waiting_since == waiting_since


def _accepted_meeting(proposal, coordinator, second_required=False):
    MatchingSettingsFactory(organisation=proposal.organisation,
                            second_meeting_required=second_required)
    proposal_services.proposal_choose(proposal, 1, "link")
    offer = VolunteerOffer.objects.get()
    proposal_services.offer_answer(offer=offer, accept=True, channel="link")
    return proposal_services.meeting_plan(offer=offer, planned_at=datetime.datetime(
        2026, 12, 1, 14, tzinfo=datetime.UTC), place="Bibliotheek De Krook", by=coordinator)


@pytest.mark.django_db
def test_both_yes_after_the_meeting_confirm_the_match(open_proposal, coordinator):
    meeting = _accepted_meeting(open_proposal, coordinator)
    with pytest.raises(ValidationError):
        proposal_services.meeting_record_answer(meeting=meeting, side="participant", goes_on=True)
    held_on_its_day(meeting=meeting, held_on=datetime.date(2026, 12, 1))
    proposal_services.meeting_record_answer(meeting=meeting, side="participant", goes_on=True)
    assert not Match.objects.exists()
    proposal_services.meeting_record_answer(meeting=meeting, side="volunteer", goes_on=True,
                                    by=coordinator)
    match = Match.objects.get()
    assert match.status == "handed_over"  # duos took the match over
    assert match.volunteer == open_proposal.candidates.get(position=1).volunteer

    duo = Duo.objects.get(participant=match.participant, volunteer=match.volunteer)
    assert duo.status == "agreement_pending"
    open_proposal.refresh_from_db()
    open_proposal.participant.refresh_from_db()
    assert open_proposal.status == "matched"
    assert open_proposal.participant.status == "matched"
    meeting.refresh_from_db()
    assert match_confirm(meeting=meeting) == match


@pytest.mark.django_db
def test_a_second_meeting_is_needed_before_deciding_when_the_organisation_wants_it(
        open_proposal, coordinator):
    meeting = _accepted_meeting(open_proposal, coordinator, second_required=True)
    held_on_its_day(meeting=meeting, held_on=datetime.date(2026, 12, 1))
    with pytest.raises(ValidationError) as error:
        proposal_services.meeting_record_answer(meeting=meeting, side="participant", goes_on=True)
    assert error.value.code == "too_early"
    held_on_its_day(meeting=meeting, held_on=datetime.date(2026, 12, 8),
                                  second=True)
    proposal_services.meeting_record_answer(meeting=meeting, side="participant", goes_on=True)
    proposal_services.meeting_record_answer(meeting=meeting, side="volunteer", goes_on=True)
    assert Match.objects.count() == 1


@pytest.mark.django_db
def test_a_no_after_the_meeting_sends_both_back_and_excludes_the_pair(
        open_proposal, coordinator):
    meeting = _accepted_meeting(open_proposal, coordinator)
    held_on_its_day(meeting=meeting, held_on=datetime.date(2026, 12, 1))
    proposal_services.meeting_record_answer(meeting=meeting, side="volunteer", goes_on=False)
    open_proposal.participant.refresh_from_db()
    assert open_proposal.participant.status == "waiting"
    assert not ProposalCandidate.objects.filter(is_open=True).exists()
    assert (meeting.participant_id, meeting.volunteer_id) in excluded_pairs(
        open_proposal.organisation)
    assert not Match.objects.exists()


@pytest.mark.django_db
def test_the_match_is_handed_to_duos_as_a_duo_with_the_participants_wishes(
        open_proposal, coordinator):
    participant = open_proposal.participant
    participant.buddy_roles = ["culture"]
    participant.save(update_fields=["buddy_roles"])
    meeting = _accepted_meeting(open_proposal, coordinator)
    held_on_its_day(meeting=meeting, held_on=datetime.date(2026, 12, 1))
    proposal_services.meeting_record_answer(meeting=meeting, side="volunteer", goes_on=True)
    proposal_services.meeting_record_answer(meeting=meeting, side="participant", goes_on=True)
    match = Match.objects.get()
    assert match.status == "handed_over"
    duo = Duo.objects.select_related("agreement").get(pk=match.duo_id)
    assert (duo.participant_id, duo.volunteer_id) == (participant.pk, match.volunteer_id)
    assert duo.agreement.buddy_roles == ["culture"]


# Unanswered proposals ---------------------------------------------------------------------

# The two reminder kinds of an unanswered proposal, sent by the one dispatcher the beat runs.
UNANSWERED = {"matching.proposal_reminder", "matching.proposal_call_task"}


@pytest.mark.django_db
def test_unanswered_proposal_gets_one_reminder_then_becomes_a_call_task(
        organisation, django_capture_on_commit_callbacks, outbox):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC)):
        proposal = ProposalFactory(organisation=organisation)
        CandidateFactory(proposal=proposal, position=1)
    with time_machine.travel(datetime.datetime(2026, 11, 4, 10, tzinfo=datetime.UTC)):
        assert list(proposals_due_for_reminder()) == []
        assert reminders_dispatch(only=UNANSWERED) == 0
    with time_machine.travel(datetime.datetime(2026, 11, 5, 10, tzinfo=datetime.UTC)):
        assert list(proposals_due_for_reminder()) == [proposal]
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders_dispatch(only=UNANSWERED) == 1
            assert reminders_dispatch(only=UNANSWERED) == 0
        assert outbox == [("remind_participant", proposal.pk)]
        assert list(proposals_due_for_call_task()) == []
    with time_machine.travel(datetime.datetime(2026, 11, 9, 10, tzinfo=datetime.UTC)):
        assert list(proposals_due_for_call_task()) == [proposal]
        assert reminders_dispatch(only=UNANSWERED) == 1
        assert reminders_dispatch(only=UNANSWERED) == 0
    proposal.refresh_from_db()
    assert proposal.status == "call_task"
    assert ProposalCallTask.objects.filter(proposal=proposal, status="open").count() == 1
    # Still answerable: nothing expires silently.
    proposal_services.proposal_choose(proposal, 1, "phone")


@pytest.mark.django_db
def test_reminder_days_come_from_the_organisation(organisation):
    MatchingSettingsFactory(organisation=organisation, reminder_after_days=1,
                            call_task_after_days=2)
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC)):
        proposal = ProposalFactory(organisation=organisation)
    with time_machine.travel(datetime.datetime(2026, 11, 3, 10, tzinfo=datetime.UTC)):
        assert list(proposals_due_for_reminder()) == [proposal]
    with time_machine.travel(datetime.datetime(2026, 11, 4, 10, tzinfo=datetime.UTC)):
        assert list(proposals_due_for_call_task()) == [proposal]


# Tokens --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_hash_of_the_link_token_is_stored(open_proposal):
    token = proposal_services.proposal_issue_link(open_proposal.pk)
    secret = token[-links.SECRET_LENGTH:]
    link = SignedLink.objects.get(subject=f"proposal:{open_proposal.pk}")
    assert len(secret) == 22
    assert secret not in link.secret_hash
    assert link.secret_hash == links.hash_secret(secret)
    assert link.recipient_key == f"participant:{open_proposal.participant_id}"
    assert notify.link_resolve(token)[0] == link
    assert notify.link_resolve(token[:-1] + ("A" if token[-1] != "A" else "B"))[0] is None
    assert notify.link_resolve(link.secret_hash)[0] is None


@pytest.mark.django_db
def test_round_respects_a_must_wish_of_either_side(organisation, coordinator):
    participant = ParticipantFactory(organisation=organisation, gender="male",
                                     buddy_gender="female", buddy_gender_strength="must")
    VolunteerFactory(organisation=organisation, ready=True, gender="male")
    VolunteerFactory(organisation=organisation, ready=True, gender="female",
                     wish_age_min=60, wish_age_strength="must")
    woman = VolunteerFactory(organisation=organisation, ready=True, gender="female")
    proposal_round = proposal_services.round_create(organisation=organisation, by=coordinator)
    assert [c.volunteer_id for c in proposal_round.proposals.get(
        participant=participant).candidates.all()] == [woman.pk]


@pytest.mark.django_db
def test_demo_has_a_round_to_send_a_chosen_proposal_and_a_planned_meeting():
    call_command("seed_demo")
    assert ProposalRound.objects.filter(status="draft").count() == 1
    assert Proposal.objects.filter(status="open").exists()
    assert VolunteerOffer.objects.filter(status="asked").count() == 1
    assert IntroductionMeeting.objects.filter(status="planned").count() == 1
    call_command("seed_demo")
    assert ProposalRound.objects.count() == 1


@pytest.mark.django_db
def test_short_list_keeps_the_distance_limit_of_the_organisation(organisation):
    participant = ParticipantFactory(organisation=organisation)  # Gent 9000
    near = VolunteerFactory(organisation=organisation, ready=True,
                            postcode=Postcode.objects.filter(code="9820").first())
    far = VolunteerFactory(organisation=organisation, ready=True,
                           postcode=Postcode.objects.filter(code="9300").first())
    assert [e.id for e in shortlist_for_participant(participant)] == [near.pk]
    MatchingSettings.objects.filter(organisation=organisation).update(max_distance_km=40)
    assert {e.id for e in shortlist_for_participant(participant)} == {near.pk, far.pk}


@pytest.mark.django_db
def test_sending_a_round_skips_a_volunteer_proposed_elsewhere_meanwhile(organisation, coordinator):
    waiting = ParticipantFactory(organisation=organisation,
                                 waiting_since=datetime.date(2025, 1, 1))
    volunteer = VolunteerFactory(organisation=organisation, ready=True)
    proposal_round = proposal_services.round_create(organisation=organisation, by=coordinator)
    assert proposal_round.proposals.get().participant == waiting
    other = ParticipantFactory(organisation=organisation)
    proposal_services.proposal_create_single(participant=other, volunteers=[volunteer])
    proposal_services.round_send(proposal_round=proposal_round, by=coordinator)
    draft = Proposal.objects.get(participant=waiting)
    assert draft.status == "withdrawn"
    waiting.refresh_from_db()
    assert waiting.status == "waiting"
    assert ProposalCandidate.objects.filter(volunteer=volunteer, is_open=True).count() == 1


@pytest.mark.django_db
def test_coordinator_withdraws_an_open_proposal_and_closes_the_call(coordinator_client,
                                                                   organisation):
    proposal = ProposalFactory(organisation=organisation)
    CandidateFactory(proposal=proposal, position=1)
    proposal_services.proposal_call_me(proposal, "sms")
    task = ProposalCallTask.objects.get()
    response = coordinator_client.post(reverse("proposals:call_task_done", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done"
    coordinator_client.post(reverse("proposals:proposal_answer", args=[proposal.pk]),
                            {"answer": "withdraw", "reason": "Verhuist"})
    proposal.refresh_from_db()
    proposal.participant.refresh_from_db()
    assert proposal.status == "withdrawn"
    assert proposal.participant.status == "waiting"
    assert not proposal.candidates.filter(is_open=True).exists()


@pytest.mark.django_db
def test_daily_task_frees_the_volunteers_of_a_participant_who_left(organisation):
    proposal = ProposalFactory(organisation=organisation)
    CandidateFactory(proposal=proposal, position=1)
    CandidateFactory(proposal=proposal, position=2)
    proposal_services.proposal_choose(proposal, 1, "sms")
    services.participant_withdraw(participant=proposal.participant, reason="Verhuisd")
    assert withdraw_proposals_of_leavers() == 1
    assert withdraw_proposals_of_leavers() == 0
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"
    assert not ProposalCandidate.objects.filter(is_open=True).exists()
    assert VolunteerOffer.objects.get().status == "withdrawn"
    proposal.participant.refresh_from_db()
    assert proposal.participant.status == "withdrawn"


# At night ------------------------------------------------------------------------------------


@pytest.mark.night
@pytest.mark.django_db
def test_a_round_sent_at_night_holds_the_sms_until_nine_and_loses_nothing(
        organisation, coordinator, django_capture_on_commit_callbacks):
    participant = ParticipantFactory(organisation=organisation, phone="+32470123456")
    VolunteerFactory(organisation=organisation, ready=True)
    _sent_round(organisation, coordinator, django_capture_on_commit_callbacks)
    proposal = Proposal.objects.get(participant=participant)
    assert proposal.status == "open"
    message = Message.objects.get(recipient_key=f"participant:{participant.pk}")
    assert message.status == Status.PENDING
    nine = datetime.datetime(2026, 11, 17, 9, 0, tzinfo=BRUSSELS)
    assert message.not_before == nine
    assert locmem.outbox == []
    with time_machine.travel(nine - datetime.timedelta(minutes=1), tick=False):
        notify.dispatch_due()
    assert locmem.outbox == []
    with time_machine.travel(nine, tick=False):
        notify.dispatch_due()
        notify.dispatch_due()
    assert len(locmem.outbox) == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
