"""Races on PostgreSQL with real concurrent transactions: two threads, each with its own
database connection, released together by a barrier."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from matching.proposals import services
from matching.proposals.models import Match, Proposal, ProposalCandidate, VolunteerOffer
from organisations.scoping import all_organisations
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
    services.meeting_record_held(meeting=meeting, held_on=datetime.date(2026, 12, 1))
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
