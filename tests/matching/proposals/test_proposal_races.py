"""Races on PostgreSQL with real concurrent transactions: two threads, each with its own
database connection, released together by a barrier."""

import datetime
import threading
from collections import Counter
from functools import partial

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from matching.intake.models import Participant, ParticipantStatus, Volunteer
from matching.proposals import services
from matching.proposals.models import (
    IN_PROGRESS,
    Match,
    Proposal,
    ProposalCandidate,
    ProposalRound,
    ProposalStatus,
    RoundStatus,
    VolunteerOffer,
)
from organisations.scoping import all_organisations
from tests.clock import BRUSSELS
from tests.factories import CoordinatorFactory, OrganisationFactory
from tests.factories_matching import (
    ParticipantFactory,
    VolunteerFactory,
)
from tests.factories_proposals import (
    CandidateFactory,
    ProposalFactory,
    fresh_rarity_cache,  # noqa: F401 (autouse)
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite has no concurrent writers: these need PostgreSQL"),
]


def race(*calls):
    """Runs the calls at the same moment in threads; returns each result or exception."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            with all_organisations():
                barrier.wait(timeout=10)
                results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results



def held_on_its_day(*, meeting, held_on, **kwargs):
    """Records a meeting as held, on the day it was held (never before: the service refuses
    a meeting held before its planned day or in the future)."""
    with time_machine.travel(datetime.datetime.combine(held_on, datetime.time(18),
                                                       tzinfo=BRUSSELS)):
        return services.meeting_record_held(meeting=meeting, held_on=held_on, **kwargs)

@pytest.mark.django_db(transaction=True)
def test_double_submit_of_the_same_choice_has_exactly_one_effect(organisation):
    proposal = ProposalFactory(organisation=organisation)
    for position in (1, 2):
        CandidateFactory(proposal=proposal, position=position)
    results = race(lambda: services.proposal_choose(proposal, 1, "link"),
                   lambda: services.proposal_choose(proposal, 1, "link"))
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1, results
    assert refused[0].code == "already_answered"
    assert VolunteerOffer.objects.count() == 1
    assert ProposalCandidate.objects.get(proposal=proposal, position=1).status == "chosen"


@pytest.mark.django_db(transaction=True)
def test_two_different_choices_at_once_leave_exactly_one(organisation):
    proposal = ProposalFactory(organisation=organisation)
    for position in (1, 2):
        CandidateFactory(proposal=proposal, position=position)
    results = race(lambda: services.proposal_choose(proposal, 1, "link"),
                   lambda: services.proposal_choose(proposal, 2, "sms"))
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    assert VolunteerOffer.objects.count() == 1
    assert ProposalCandidate.objects.filter(proposal=proposal, status="chosen").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_participants_proposed_the_same_volunteer_at_once_only_one_gets_them(
        organisation):
    volunteer = VolunteerFactory(organisation=organisation, ready=True)
    first, second = (ParticipantFactory(organisation=organisation) for _ in range(2))
    results = race(
        lambda: services.proposal_create_single(participant=first, volunteers=[volunteer]),
        lambda: services.proposal_create_single(participant=second, volunteers=[volunteer]),
    )
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1, results
    assert refused[0].code == "volunteer_taken"
    assert Proposal.objects.count() == 1
    assert ProposalCandidate.objects.filter(volunteer=volunteer, is_open=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_volunteer_accepting_and_declining_at_once_has_exactly_one_effect(organisation):
    proposal = ProposalFactory(organisation=organisation)
    for position in (1, 2):
        CandidateFactory(proposal=proposal, position=position)
    services.proposal_choose(proposal, 1, "link")
    offer = VolunteerOffer.objects.get()
    results = race(
        lambda: services.offer_answer(offer=offer, accept=True, channel="link"),
        lambda: services.offer_answer(offer=offer, accept=False, channel="staff"),
    )
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    offer.refresh_from_db()
    proposal.refresh_from_db()
    if offer.status == "accepted":
        assert proposal.status == "chosen"
    else:
        assert offer.status == "declined"
        assert proposal.status == "open"


@pytest.mark.django_db(transaction=True)
def test_a_round_sent_twice_at_once_opens_each_proposal_once(organisation, coordinator):
    ParticipantFactory(organisation=organisation)
    VolunteerFactory(organisation=organisation, ready=True)
    proposal_round = services.round_create(organisation=organisation, by=coordinator)
    results = race(lambda: services.round_send(proposal_round=proposal_round),
                   lambda: services.round_send(proposal_round=proposal_round))
    assert not any(isinstance(r, Exception) for r in results), results
    assert Proposal.objects.filter(status="open").count() == 1
    assert ProposalCandidate.objects.filter(is_open=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_choice_and_the_coordinators_withdrawal_at_once_leave_one_outcome(
        organisation, coordinator):
    proposal = ProposalFactory(organisation=organisation)
    for position in (1, 2):
        CandidateFactory(proposal=proposal, position=position)
    results = race(lambda: services.proposal_choose(proposal, 1, "link"),
                   lambda: services.proposal_withdraw(proposal=proposal, by=coordinator))
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    proposal.refresh_from_db()
    if proposal.status == "chosen":
        assert VolunteerOffer.objects.filter(status="asked").count() == 1
        assert ProposalCandidate.objects.filter(proposal=proposal, is_open=True).count() == 1
    else:
        assert proposal.status == "withdrawn"
        assert not VolunteerOffer.objects.exists()
        assert not ProposalCandidate.objects.filter(proposal=proposal, is_open=True).exists()


@pytest.mark.django_db(transaction=True)
def test_both_yes_after_the_meeting_at_the_same_moment_make_exactly_one_match(
        organisation, coordinator):
    proposal = ProposalFactory(organisation=organisation)
    CandidateFactory(proposal=proposal, position=1)
    services.proposal_choose(proposal, 1, "link")
    offer = VolunteerOffer.objects.get()
    services.offer_answer(offer=offer, accept=True, channel="link")
    meeting = services.meeting_plan(
        offer=offer, planned_at=datetime.datetime(2026, 12, 1, 14, tzinfo=datetime.UTC),
        place="Bibliotheek De Krook", by=coordinator)
    held_on_its_day(meeting=meeting, held_on=datetime.date(2026, 12, 1))
    results = race(
        lambda: services.meeting_record_answer(meeting=meeting, side="participant",
                                                goes_on=True),
        lambda: services.meeting_record_answer(meeting=meeting, side="volunteer",
                                                goes_on=True, by=coordinator),
    )
    assert not any(isinstance(r, Exception) for r in results), results
    assert Match.objects.count() == 1
    proposal.refresh_from_db()
    assert proposal.status == "matched"


# Lock order: sending a round while the coordinator proposes the same people ----------------

TRIES = 20


def _logged_in(client_class, user):
    client = client_class()
    client.force_login(user)
    client.raise_request_exception = False  # a crash is a 500 here, as for the user
    return client


def _a_draft_round_of_three():
    """A fresh organisation with a draft round of three proposals, one volunteer each;
    its proposals in the order round_send opens them (newest first)."""
    organisation = OrganisationFactory()
    coordinator = CoordinatorFactory(organisation=organisation)
    for _ in range(3):
        ParticipantFactory(organisation=organisation)
        VolunteerFactory(organisation=organisation, ready=True)
    proposal_round = services.round_create(organisation=organisation, by=coordinator)
    drafts = list(proposal_round.proposals.order_by("-created_at", "-id")
                  .prefetch_related("candidates"))
    assert [len(p.candidates.all()) for p in drafts] == [1, 1, 1]
    return organisation, coordinator, proposal_round, drafts


def _post(client, url, data=None):
    """(status, the crash's first line or "")."""
    response = client.post(url, data or {})
    crash = response.exc_info[1] if response.exc_info else None
    return response.status_code, f"{type(crash).__name__}: {str(crash).splitlines()[0]}" if (
        crash) else ""


def _inconsistencies(organisation) -> list:
    """What must never be after the race: the round half sent, a participant with two
    proposals or a status that does not say so, a volunteer in two open proposals or over
    capacity, a candidate open on a proposal that is not."""
    found = []
    if ProposalRound.objects.filter(organisation=organisation).exclude(
            status=RoundStatus.SENT).exists():
        found.append("the round is not sent")
    proposals = Proposal.objects.filter(organisation=organisation)
    if proposals.filter(status=ProposalStatus.DRAFT).exists():
        found.append("a proposal of the sent round is still a draft")
    twice = (proposals.filter(status__in=IN_PROGRESS).values("participant")
             .annotate(n=Count("id")).filter(n__gt=1))
    found += [f"participant {row['participant']} has {row['n']} open proposals"
              for row in twice]
    people = Participant.objects.filter(organisation=organisation)
    with_open = set(proposals.filter(status__in=IN_PROGRESS).values_list("participant_id",
                                                                        flat=True))
    for person in people:
        if (person.status == ParticipantStatus.PROPOSAL_OPEN) != (person.pk in with_open):
            found.append(f"participant {person.pk} is {person.status}, open proposal: "
                         f"{person.pk in with_open}")
    candidates = ProposalCandidate.objects.filter(proposal__organisation=organisation)
    open_now = Counter(candidates.filter(is_open=True).values_list("volunteer_id", flat=True))
    for volunteer in Volunteer.objects.filter(organisation=organisation).with_free_capacity():
        if open_now[volunteer.pk] > min(1, volunteer.free_capacity):
            found.append(f"volunteer {volunteer.pk} is over capacity: "
                         f"{open_now[volunteer.pk]} open, {volunteer.free_capacity} free")
    found += [f"candidate {c.pk} is open on a {c.proposal.status} proposal"
              for c in candidates.filter(is_open=True).exclude(
                  proposal__status__in=IN_PROGRESS).select_related("proposal")]
    found += [f"proposal {p.pk} is open without an open candidate"
              for p in proposals.filter(status=ProposalStatus.OPEN).exclude(
                  candidates__is_open=True)]
    return found


@pytest.mark.django_db(transaction=True)
def test_sending_a_round_while_proposing_its_people_never_deadlocks():
    """Issue 14: the round's send (API) and two one-off proposals from the short list (the
    propose action) of the round's people, each with a volunteer of another proposal of
    the round, at the same moment: the rows meet from both ends."""
    answers, broken = [], []
    for _ in range(TRIES):
        organisation, coordinator, proposal_round, drafts = _a_draft_round_of_three()
        first, second, last = drafts
        send = _logged_in(APIClient, coordinator)
        proposers = [_logged_in(Client, coordinator) for _ in range(2)]
        one_off = [(last.participant_id, first.candidates.all()[0].volunteer_id),
                   (second.participant_id, last.candidates.all()[0].volunteer_id)]
        answers += race(
            partial(_post, send, f"/api/proposal-rounds/{proposal_round.pk}/send/"),
            *[partial(_post, client, reverse("proposals:proposal_create", args=[pid]),
                      {"volunteer": [str(vid)]})
              for client, (pid, vid) in zip(proposers, one_off, strict=True)],
        )
        broken += _inconsistencies(organisation)
    crashed = [a for a in answers if not isinstance(a, tuple) or a[0] >= 500]
    kinds = Counter(a[1] if isinstance(a, tuple) else repr(a) for a in crashed)
    assert crashed == [], f"{len(crashed)} of {len(answers)} requests crashed: {kinds}"
    assert {status for status, _error in answers} <= {200, 302}
    assert broken == []
