"""Sending a due reminder exactly once."""

from django.db import connection, transaction
from django.utils import timezone

from organisations.scoping import organisation_scope

from . import registry
from .models import Outcome, SentReminder

_CLAIM = (
    "INSERT INTO {table} (organisation_id, kind, subject_ref, period_key, recipient_key, "
    "outcome, sent_at) VALUES (%s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (kind, subject_ref, period_key) DO NOTHING RETURNING id"
)


def _claim(item: registry.Due) -> int | None:
    # One statement, no savepoint: a concurrent claim of the same key waits on the unique
    # index until the other transaction ends, then inserts nothing (or claims it, if the
    # other rolled back). PostgreSQL and SQLite (3.35+) both speak this.
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM.format(table=connection.ops.quote_name(SentReminder._meta.db_table)),
                       [item.organisation_id, item.kind, item.subject_ref, item.period_key,
                        item.recipient_key, Outcome.SENT, timezone.now()])
        row = cursor.fetchone()
    return row[0] if row else None


def reminder_send(item: registry.Due) -> bool:
    """Claims (kind, subject, period) and sends the reminder in the same transaction; a
    reminder already claimed (an earlier run, a retry, a second beat) is not sent again.
    Returns whether this call sent it."""
    kind = registry.get(item.kind)
    with organisation_scope(item.organisation_id), transaction.atomic():
        claim_id = _claim(item)
        if claim_id is None:
            return False
        sent = kind.send(item)
        if not sent:
            SentReminder.objects.filter(pk=claim_id).update(outcome=Outcome.SKIPPED)
        return bool(sent)
