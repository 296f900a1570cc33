"""A history of ended duos for the demo of "what makes a duo last" (run by `manage.py
seed_demo`): 36 duos of the Ghent project that ended in the past two years, each from a
proposal whose kept score parts are known; how long they lasted follows common free time
most, shared interests a little, and the other parts not at all. Past history is written
as it stands (no messages go out for it); running it again adds nothing.
"""

import datetime
import random

from django.utils import timezone

from duos.models import Agreement, Duo, DuoStatus, Ending, EndReason, Outcome
from matching.intake import services as intake_services
from matching.intake.models import Participant, ParticipantStatus
from matching.proposals.models import (
    CandidateStatus,
    Match,
    MatchStatus,
    Proposal,
    ProposalCandidate,
    ProposalStatus,
)

DUOS = 36
PARTS = ("interests", "availability", "proximity", "participant_wishes", "volunteer_wishes")
NAMES = ["Anouk", "Bilal", "Carine", "Dirk", "Esra", "Frank", "Gül", "Henk", "Iris", "Joris",
         "Kelly", "Lars", "Meryem", "Nico", "Oona", "Pim", "Quinten", "Rachida"]


def seed(base):
    organisation = base["organisations"]["samen-op-weg-gent"]
    coordinator = base["users"]["coordinator"]
    if Participant.objects.filter(organisation=organisation,
                                  intake_key="demo-lasting-p0").exists():
        return
    chance = random.Random(1818)
    today = timezone.localdate()
    for number in range(DUOS):
        parts = {part: round(chance.random(), 3) for part in PARTS}
        share = min(1.0, max(0.1, 0.15 + 0.65 * parts["availability"]
                             + 0.15 * parts["interests"] + chance.uniform(-0.1, 0.1)))
        start = today - datetime.timedelta(days=420 + 12 * number)
        agreed_end = start + datetime.timedelta(days=365)
        end = start + datetime.timedelta(days=round(365 * share))
        name = NAMES[number % len(NAMES)]
        participant = intake_services.participant_intake(
            organisation=organisation, postcode="9000", intake_key=f"demo-lasting-p{number}",
            first_name=name, last_name="Eerder", phone=f"+3247550{number:04d}",
            waiting_since=start - datetime.timedelta(days=60 + 9 * number),
            recorded_by=coordinator)
        volunteer = intake_services.volunteer_intake(
            organisation=organisation, postcode="9000", intake_key=f"demo-lasting-v{number}",
            first_name=NAMES[-1 - number % len(NAMES)], last_name="Vroeger",
            phone=f"+3247660{number:04d}", intake_talk_on=start - datetime.timedelta(days=90),
            certificate_seen_on=start - datetime.timedelta(days=95),
            training_done_on=start - datetime.timedelta(days=80))
        Participant.objects.filter(pk=participant.pk).update(
            status=ParticipantStatus.WITHDRAWN, left_on=end,
            withdrawal_reason="Duo ended; no new buddy wanted")
        proposal = Proposal.objects.create(
            organisation=organisation, participant=participant, created_by=coordinator,
            status=ProposalStatus.MATCHED)
        ProposalCandidate.objects.create(
            proposal=proposal, volunteer=volunteer, position=1,
            score=round(100 * sum(parts.values()) / len(parts), 2), parts=parts,
            reasons={}, status=CandidateStatus.CHOSEN)
        duo = Duo.objects.create(organisation=organisation, participant=participant,
                                 volunteer=volunteer, status=DuoStatus.CLOSED,
                                 started_on=start, ended_on=end, created_by=coordinator)
        Agreement.objects.create(duo=duo, start_date=start, duration_months=12,
                                 end_date=agreed_end)
        Ending.objects.create(
            duo=duo, ended_by="participant", planned=share >= 0.99,
            reason=EndReason.AGREED_END if share >= 0.99 else EndReason.NO_TIME,
            outcome=Outcome.FRIENDS if share >= 0.99 and number % 3 == 0 else Outcome.CLOSED,
            recorded_at=timezone.make_aware(datetime.datetime.combine(end, datetime.time(12))),
            recorded_by=coordinator)
        Match.objects.create(organisation=organisation, participant=participant,
                             volunteer=volunteer, proposal=proposal,
                             status=MatchStatus.HANDED_OVER, confirmed_by=coordinator,
                             duo_id=duo.pk)
