"""Sending a due reminder exactly once."""

from django.db import transaction

from organisations.scoping import organisation_scope

from . import registry
from .models import Outcome, SentReminder


def reminder_send(item: registry.Due) -> bool:
    """Claims (kind, subject, period) and sends the reminder in the same transaction; a
    reminder already claimed (an earlier run, a retry, a second beat) is not sent again.
    Returns whether this call sent it."""
    kind = registry.get(item.kind)
    with organisation_scope(item.organisation_id), transaction.atomic():
        # get_or_create inserts in a savepoint: a concurrent claim waits on the unique
        # index, then finds the other's row and sends nothing.
        claim, created = SentReminder.objects.get_or_create(
            kind=item.kind, subject_ref=item.subject_ref, period_key=item.period_key,
            defaults={"organisation_id": item.organisation_id,
                      "recipient_key": item.recipient_key},
        )
        if not created:
            return False
        sent = kind.send(item)
        if not sent:
            claim.outcome = Outcome.SKIPPED
            claim.save(update_fields=["outcome"])
        return bool(sent)
