import factory
import pytest
from django.core.cache import cache
from django.utils import timezone

from matching.proposals.models import (
    IntroductionMeeting,
    Match,
    MatchingSettings,
    Proposal,
    ProposalCallTask,
    ProposalCandidate,
    ProposalRound,
    VolunteerOffer,
)
from tests.factories import OrganisationFactory
from tests.factories_matching import ParticipantFactory, ScopedFactory, VolunteerFactory


class MatchingSettingsFactory(ScopedFactory):
    class Meta:
        model = MatchingSettings
        django_get_or_create = ("organisation",)

    organisation = factory.SubFactory(OrganisationFactory)


class ProposalRoundFactory(ScopedFactory):
    class Meta:
        model = ProposalRound

    organisation = factory.SubFactory(OrganisationFactory)


class ProposalFactory(ScopedFactory):
    """An open proposal (sent now), without candidates; add them with CandidateFactory."""

    class Meta:
        model = Proposal

    organisation = factory.SubFactory(OrganisationFactory)
    participant = factory.SubFactory(
        ParticipantFactory, organisation=factory.SelfAttribute("..organisation"),
        status="proposal_open")
    status = "open"
    sent_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=21))


class CandidateFactory(ScopedFactory):
    class Meta:
        model = ProposalCandidate

    proposal = factory.SubFactory(ProposalFactory)
    volunteer = factory.SubFactory(
        VolunteerFactory, organisation=factory.SelfAttribute("..proposal.organisation"),
        ready=True)
    position = factory.Sequence(lambda n: n % 3 + 1)
    score = 80.0
    reasons = factory.LazyFunction(lambda: {"nl": ["Jullie houden allebei van wandelen"],
                                            "fr": ["Vous aimez tous les deux la promenade"],
                                            "en": ["You both like walking"]})
    is_open = True


class VolunteerOfferFactory(ScopedFactory):
    class Meta:
        model = VolunteerOffer

    candidate = factory.SubFactory(CandidateFactory, status="chosen")
    proposal = factory.SelfAttribute("candidate.proposal")
    organisation = factory.SelfAttribute("candidate.proposal.organisation")
    volunteer = factory.SelfAttribute("candidate.volunteer")


class IntroductionMeetingFactory(ScopedFactory):
    class Meta:
        model = IntroductionMeeting

    offer = factory.SubFactory(VolunteerOfferFactory, status="accepted")
    organisation = factory.SelfAttribute("offer.organisation")
    participant = factory.SelfAttribute("offer.proposal.participant")
    volunteer = factory.SelfAttribute("offer.volunteer")
    planned_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=3))
    place = "Café De Zwarte Kat, Gent"


class MatchFactory(ScopedFactory):
    class Meta:
        model = Match

    proposal = factory.SubFactory(ProposalFactory, status="matched")
    organisation = factory.SelfAttribute("proposal.organisation")
    participant = factory.SelfAttribute("proposal.participant")
    volunteer = factory.SubFactory(
        VolunteerFactory, organisation=factory.SelfAttribute("..organisation"), ready=True)


class ProposalCallTaskFactory(ScopedFactory):
    class Meta:
        model = ProposalCallTask

    proposal = factory.SubFactory(ProposalFactory, status="call_task")
    organisation = factory.SelfAttribute("proposal.organisation")
    reason = "no_answer"


@pytest.fixture(autouse=True)
def fresh_rarity_cache():
    """Interest rarity is cached per organisation id; ids come back in a new test."""
    cache.clear()
    yield
    cache.clear()
