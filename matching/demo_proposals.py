"""Demo data of proposals: a sent round with open proposals, one proposal chosen and waiting
for the volunteer, one introduction meeting planned. Idempotent: nothing is added when the
organisation has proposals already."""

import datetime

from django.utils import timezone

from . import proposals
from .proposal_models import AnswerChannel, Proposal, VolunteerOffer


def seed(base):
    organisation = base["organisations"]["samen-op-weg-gent"]
    coordinator = base["users"].get("coordinator")
    if Proposal.objects.filter(organisation=organisation).exists():
        return
    proposal_round = proposals.round_create(organisation=organisation, by=coordinator)
    proposals.round_send(proposal_round=proposal_round, by=coordinator)
    sent = list(Proposal.objects.filter(round=proposal_round, status="open")
                .order_by("participant__waiting_since", "id"))
    if len(sent) >= 2:
        # Chosen on the phone; the volunteer has not answered yet.
        proposals.proposal_choose(sent[1], 1, AnswerChannel.PHONE, recorded_by=coordinator)
    if len(sent) >= 3:
        proposals.proposal_choose(sent[2], 1, AnswerChannel.SMS)
        offer = VolunteerOffer.objects.get(proposal=sent[2])
        proposals.offer_answer(offer=offer, accept=True, channel=AnswerChannel.LINK)
        when = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0)
        proposals.meeting_plan(offer=offer, planned_at=when + datetime.timedelta(days=4),
                               place="Bibliotheek De Krook, Gent", by=coordinator)
