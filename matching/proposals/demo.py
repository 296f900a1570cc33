"""Demo data of proposals: an open proposal waiting for the participant's answer, one chosen
and waiting for the volunteer, one introduction meeting planned (most volunteers stay free,
so short lists are not empty), and a round for everyone else waiting to be sent; then
something due as soon as `make run` starts, so that the worker's log shows reminders going
out (an unanswered proposal four days old, a participant on the waiting list not contacted
for months, a paused participant to call back today). Idempotent: nothing is added when the
organisation has proposals already, and once an organisation has sent a reminder, nothing is
changed again."""

import datetime

from django.utils import timezone

from matching.intake.models import Participant, ParticipantStatus
from notifications.models import SentReminder

from . import selectors, services
from .models import AnswerChannel, Proposal, ProposalStatus, VolunteerOffer


def seed(base):
    _proposals(base)
    _due_reminders(base)


def _proposals(base):
    """Proposals to the three longest-waiting participants that have a short list, from the
    top of it: one waits for the participant's answer, one was chosen and waits for the
    volunteer, one has its introduction meeting planned. Most volunteers stay free, so the
    other waiting participants' short lists show who could be proposed next."""
    organisation = base["organisations"]["samen-op-weg-gent"]
    coordinator = base["users"].get("coordinator")
    if Proposal.objects.filter(organisation=organisation).exists():
        return
    sent = []
    for participant in (Participant.objects.filter(organisation=organisation,
                                                   status=ParticipantStatus.WAITING)
                        .order_by("waiting_since", "id")):
        entries = selectors.shortlist_for_participant(participant, k=2, language="nl")
        if not entries:
            continue
        sent.append(services.proposal_create_single(
            participant=participant, volunteers=[e.person for e in entries], by=coordinator))
        if len(sent) == 3:
            break
    if len(sent) >= 2:
        # Chosen on the phone; the volunteer has not answered yet.
        services.proposal_choose(sent[1], 1, AnswerChannel.PHONE, recorded_by=coordinator)
    if len(sent) >= 3:
        services.proposal_choose(sent[2], 1, AnswerChannel.SMS)
        offer = VolunteerOffer.objects.get(proposal=sent[2])
        services.offer_answer(offer=offer, accept=True, channel=AnswerChannel.LINK)
        when = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0)
        services.meeting_plan(offer=offer, planned_at=when + datetime.timedelta(days=4),
                               place="Bibliotheek De Krook, Gent", by=coordinator)
    # A round for everyone else, ready for the coordinator to look through and send.
    services.round_create(organisation=organisation, by=coordinator)


def _due_reminders(base):
    now = timezone.now()
    today = timezone.localdate()
    for organisation in base["organisations"].values():
        if SentReminder.objects.filter(organisation=organisation).exists():
            continue
        proposal = (Proposal.objects.filter(organisation=organisation,
                                            status=ProposalStatus.OPEN,
                                            reminded_at__isnull=True).order_by("id").first())
        if proposal is not None:
            Proposal.objects.filter(pk=proposal.pk).update(
                sent_at=now - datetime.timedelta(days=4))
        waiting = (Participant.objects.filter(organisation=organisation,
                                              status=ParticipantStatus.WAITING)
                   .order_by("id").first())
        if waiting is not None:
            Participant.objects.filter(pk=waiting.pk).update(
                last_contact_on=today - datetime.timedelta(days=100))
        paused = (Participant.objects.filter(organisation=organisation,
                                             status=ParticipantStatus.PAUSED)
                  .order_by("id").first())
        if paused is not None:
            Participant.objects.filter(pk=paused.pk).update(check_back_on=today)
