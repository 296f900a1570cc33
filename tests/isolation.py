"""Data for the isolation test: one organisation full of recognisable data.

Each app registers a builder that creates, for the given organisation, at least one row of
every model it owns, with the marker strings below in its text fields. The isolation test
then requests every URL pattern, filled with the ids of those rows, as a coordinator of
another organisation and as a volunteer of the same one, and looks for the markers.

- `SECRET` marks data only staff of the organisation may see (intake notes, names of
  participants, other volunteers...).
- `ORGANISATION` marks data any member of the organisation may see (its name).
"""

from collections.abc import Callable

SECRET = "Zqxleakmark"
ORGANISATION = "Zqxorgmark"

BUILDERS: list[Callable] = []


def builder(func: Callable) -> Callable:
    """Register `func(organisation) -> list[model instance]`."""
    BUILDERS.append(func)
    return func


@builder
def _organisation_and_accounts(organisation):
    from tests.factories import CoordinatorFactory, OrganisationAdminFactory

    return [
        organisation,
        CoordinatorFactory(organisation=organisation, last_name=f"{SECRET}Coordinator",
                           email="coordinator.secret@example.org"),
        OrganisationAdminFactory(organisation=organisation, last_name=f"{SECRET}Admin"),
    ]


def build(organisation) -> list:
    objects = []
    for func in BUILDERS:
        objects.extend(func(organisation))
    return objects


@builder
def _intake_and_waiting_list(organisation):
    from tests.factories_matching import (
        ConsentRecordFactory,
        ImportJobFactory,
        InterestCategoryFactory,
        InterestFactory,
        ParticipantFactory,
        VolunteerFactory,
    )

    category = InterestCategoryFactory(organisation=organisation,
                                       label_nl=f"{SECRET}Categorie", label_en=f"{SECRET}Cat")
    interest = InterestFactory(organisation=organisation, category=category,
                               label_nl=f"{SECRET}Wandelen", label_en=f"{SECRET}Walking")
    participant = ParticipantFactory(
        organisation=organisation, first_name=f"{SECRET}Fatima", last_name=f"{SECRET}Deelnemer",
        intake_note=f"{SECRET} intake note", interests_other=f"{SECRET}other",
    )
    participant.interests.add(interest)
    volunteer = VolunteerFactory(organisation=organisation, ready=True,
                                 first_name=f"{SECRET}Vera", last_name=f"{SECRET}Vrijwilliger",
                                 motivation=f"{SECRET} motivation")
    volunteer.interests.add(interest)
    return [
        category, interest, participant, volunteer,
        ConsentRecordFactory(participant=participant, note=f"{SECRET} consent"),
        ImportJobFactory(organisation=organisation, filename=f"{SECRET}.csv",
                         headers=[f"{SECRET}Voornaam"]),
    ]


@builder
def _proposals(organisation):
    import datetime

    from django.utils import timezone

    from tests.factories_matching import ParticipantFactory, VolunteerFactory
    from tests.factories_proposals import (
        CandidateFactory,
        IntroductionMeetingFactory,
        MatchFactory,
        MatchingSettingsFactory,
        ProposalCallTaskFactory,
        ProposalFactory,
        ProposalRoundFactory,
        VolunteerOfferFactory,
    )

    def participant():
        return ParticipantFactory(organisation=organisation, first_name=f"{SECRET}Pia",
                                  status="proposal_open")

    def volunteer():
        return VolunteerFactory(organisation=organisation, ready=True,
                                first_name=f"{SECRET}Vic", introduction=f"{SECRET} intro")

    proposal_round = ProposalRoundFactory(organisation=organisation)
    proposal = ProposalFactory(organisation=organisation, round=proposal_round,
                               participant=participant(), reason=f"{SECRET} reason",
                               token_hash="a" * 64)
    candidate = CandidateFactory(proposal=proposal, volunteer=volunteer(), position=1,
                                 reasons={"en": [f"{SECRET} reason"]})
    chosen = ProposalFactory(organisation=organisation, participant=participant(),
                             status="chosen")
    offer = VolunteerOfferFactory(
        candidate=CandidateFactory(proposal=chosen, volunteer=volunteer(), position=1,
                                   status="chosen"),
        reason=f"{SECRET} offer", token_hash="b" * 64)
    meeting_proposal = ProposalFactory(organisation=organisation, participant=participant(),
                                       status="chosen")
    meeting = IntroductionMeetingFactory(
        offer=VolunteerOfferFactory(
            status="accepted",
            candidate=CandidateFactory(proposal=meeting_proposal, volunteer=volunteer(),
                                       position=1, status="chosen")),
        place=f"{SECRET} café", planned_at=timezone.now() + datetime.timedelta(days=2))
    match = MatchFactory(
        proposal=ProposalFactory(organisation=organisation, participant=participant(),
                                 status="matched"),
        volunteer=volunteer())
    task = ProposalCallTaskFactory(
        proposal=ProposalFactory(organisation=organisation, participant=participant(),
                                 status="call_task"))
    return [MatchingSettingsFactory(organisation=organisation), proposal_round, proposal,
            candidate, offer, meeting, match, task]
