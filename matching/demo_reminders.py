"""Demo: something is due as soon as `make run` starts, so that the worker's log shows
reminders going out (an unanswered proposal four days old, a participant on the waiting
list not contacted for months, a paused participant to call back today). Idempotent: once
an organisation has sent a reminder, nothing is changed again. Run by matching/demo.py
after the proposals."""

import datetime

from django.utils import timezone

from notifications.models import SentReminder

from .models import Participant, ParticipantStatus
from .proposal_models import Proposal, ProposalStatus


def seed(base):
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
