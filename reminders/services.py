"""Sending due reminders exactly once, a batch at a time."""

import logging
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from organisations.scoping import all_organisations

from . import registry
from .models import Outcome, SentReminder

logger = logging.getLogger(__name__)

_COLUMNS = ("organisation_id", "kind", "subject_ref", "period_key", "recipient_key",
            "outcome", "sent_at")


def _claim_many(items: list[registry.Due]) -> list[tuple[int, registry.Due]]:
    """Claims every (kind, subject, period) of the batch that nobody claimed yet, in one
    statement; returns the claims it made with their ids.

    No savepoint: a concurrent claim of the same key waits on the unique index until the
    other transaction ends, then inserts nothing (or claims it, if the other rolled back).
    The rows go in key order, so two overlapping batches cannot deadlock. PostgreSQL and
    SQLite (3.35+) both speak INSERT ... ON CONFLICT DO NOTHING RETURNING."""
    unique = {(item.kind, item.subject_ref, item.period_key): item for item in items}
    if not unique:
        return []
    ordered = [unique[key] for key in sorted(unique)]
    now = timezone.now()
    table = connection.ops.quote_name(SentReminder._meta.db_table)
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(ordered))
    params = [value for item in ordered for value in (
        item.organisation_id, item.kind, item.subject_ref, item.period_key,
        item.recipient_key, Outcome.SENT, now)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES {rows} "
            "ON CONFLICT (kind, subject_ref, period_key) DO NOTHING "
            "RETURNING id, kind, subject_ref, period_key", params)
        claimed = cursor.fetchall()
    return [(pk, unique[(kind, subject, period)]) for pk, kind, subject, period in claimed]


def reminders_send(items: list[registry.Due]) -> int:
    """Claims a batch of due reminders and sends what it claimed, in one transaction: a
    claim and its message (or the domain change it makes) commit together or not at all,
    so a retry, a duplicated batch or a second beat sends nothing twice and a worker
    killed mid-way loses nothing. A reminder whose own send failed is unclaimed (the next
    run tries again); one found moot is recorded as skipped. Returns how many went out."""
    with all_organisations(), transaction.atomic():
        claims = _claim_many(items)
        ids = {item: pk for pk, item in claims}
        by_kind = defaultdict(list)
        for _pk, item in claims:
            by_kind[item.kind].append(item)
        sent, failed = set(), []
        for name, group in by_kind.items():
            outcome = registry.get(name).send_many(group)
            sent |= set(outcome.sent)
            failed += outcome.failed
        if failed:
            SentReminder.objects.filter(pk__in=[ids[item] for item in failed]).delete()
        skipped = [ids[item] for item in ids if item not in sent and item not in failed]
        if skipped:
            SentReminder.objects.filter(pk__in=skipped).update(outcome=Outcome.SKIPPED)
    return len(sent)


def reminder_send(item: registry.Due) -> bool:
    """One reminder, exactly once (a batch of one); returns whether this call sent it."""
    return reminders_send([item]) == 1
