"""Reads of the reminders page and API (run in the organisation's scope)."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from notifications import hooks

from . import registry
from .models import SentReminder

UPCOMING_DAYS = 14
HISTORY_LIMIT = 100


@dataclass
class KindInfo:
    name: str
    label: str
    settings: list


@dataclass
class Row:
    kind: str
    label: str
    subject_ref: str
    period_key: str
    recipient_key: str
    at: datetime.datetime | None
    person_url: str | None


def kinds(organisation) -> list[KindInfo]:
    return [KindInfo(name, kind.label, kind.settings_for(organisation))
            for name, kind in registry.KINDS.items()]


def upcoming(now=None, days=UPCOMING_DAYS) -> list[Row]:
    """What each kind will send within `days` (and what is overdue, sent next run), minus
    what was already claimed; a constant number of queries (one or two per kind, one more)."""
    now = now or timezone.now()
    until = now + datetime.timedelta(days=days)
    items = [item for kind in registry.KINDS.values() for item in kind.upcoming(now, until)]
    claimed = set()
    if items:
        condition = Q(pk__in=[])
        for item in items:
            condition |= Q(kind=item.kind, subject_ref=item.subject_ref,
                           period_key=item.period_key)
        claimed = set(SentReminder.objects.filter(condition)
                      .values_list("kind", "subject_ref", "period_key"))
    rows = [
        Row(item.kind, registry.KINDS[item.kind].label, item.subject_ref, item.period_key,
            item.recipient_key, item.due_at, hooks.person_url(item.recipient_key))
        for item in items if (item.kind, item.subject_ref, item.period_key) not in claimed
    ]
    return sorted(rows, key=lambda row: row.at)


def history(limit=HISTORY_LIMIT) -> list[Row]:
    """The latest reminders sent, newest first (one query)."""
    rows = []
    for sent in SentReminder.objects.order_by("-sent_at", "-id")[:limit]:
        kind = registry.KINDS.get(sent.kind)
        rows.append(Row(sent.kind, kind.label if kind else sent.kind, sent.subject_ref,
                        sent.period_key, sent.recipient_key, sent.sent_at,
                        hooks.person_url(sent.recipient_key) if sent.recipient_key else None))
    return rows
