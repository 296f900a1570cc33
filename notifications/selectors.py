import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from . import hooks, reminders
from .models import Channel, CoordinatorTask, Direction, Message, SentReminder, SignedLink
from .quiet_hours import local_zone


def message_list(*, person: str = "", channel: str = "", direction: str = ""):
    """The message log of the current organisation, newest first."""
    messages = Message.objects.all()
    if person:
        messages = messages.filter(recipient_key=person)
    if channel:
        messages = messages.filter(channel=channel)
    if direction:
        messages = messages.filter(direction=direction)
    return messages.order_by("-created_at", "-pk")


def link_list(*, person: str):
    return SignedLink.objects.filter(recipient_key=person).order_by("-created_at")


def task_list(*, open_only: bool = True):
    tasks = CoordinatorTask.objects.select_related("done_by", "message")
    if open_only:
        tasks = tasks.filter(done_at__isnull=True)
    return tasks.order_by("done_at", "-created_at", "-pk")


def sms_usage_by_month():
    """SMS sent and received per month (Brussels time), with segments and estimated cost."""
    sent = Q(direction=Direction.OUT, sent_at__isnull=False)
    return (
        Message.objects.filter(channel=Channel.SMS)
        .filter(sent | Q(direction=Direction.IN))
        .annotate(month=TruncMonth("created_at", tzinfo=local_zone()))
        .values("month")
        .annotate(
            sent=Count("pk", filter=sent),
            received=Count("pk", filter=Q(direction=Direction.IN)),
            segments=Sum("segments", filter=sent),
            cost=Sum("cost", filter=sent),
        )
        .order_by("-month")
    )


def person_link(key: str) -> str | None:
    return hooks.person_url(key) if key else None


# Reminders: the staff page and the API ---------------------------------------------------

REMINDERS_UPCOMING_DAYS = 14
REMINDERS_HISTORY_LIMIT = 100


@dataclass
class ReminderKindInfo:
    name: str
    label: str
    settings: list


@dataclass
class ReminderRow:
    kind: str
    label: str
    subject_ref: str
    period_key: str
    recipient_key: str
    at: datetime.datetime | None
    person_url: str | None


def reminder_kinds(organisation) -> list[ReminderKindInfo]:
    return [ReminderKindInfo(name, kind.label, kind.settings_for(organisation))
            for name, kind in reminders.KINDS.items()]


def reminders_upcoming(now=None, days=REMINDERS_UPCOMING_DAYS) -> list[ReminderRow]:
    """What each kind will send within `days` (and what is overdue, sent next run), minus
    what was already claimed; a constant number of queries (one or two per kind, one more)."""
    now = now or timezone.now()
    until = now + datetime.timedelta(days=days)
    items = [item for kind in reminders.KINDS.values() for item in kind.upcoming(now, until)]
    claimed = set()
    if items:
        condition = Q(pk__in=[])
        for item in items:
            condition |= Q(kind=item.kind, subject_ref=item.subject_ref,
                           period_key=item.period_key)
        claimed = set(SentReminder.objects.filter(condition)
                      .values_list("kind", "subject_ref", "period_key"))
    rows = [
        ReminderRow(item.kind, reminders.KINDS[item.kind].label, item.subject_ref,
                    item.period_key, item.recipient_key, item.due_at,
                    hooks.person_url(item.recipient_key))
        for item in items if (item.kind, item.subject_ref, item.period_key) not in claimed
    ]
    return sorted(rows, key=lambda row: row.at)


def reminders_history(limit=REMINDERS_HISTORY_LIMIT) -> list[ReminderRow]:
    """The latest reminders sent, newest first (one query)."""
    rows = []
    for sent in SentReminder.objects.order_by("-sent_at", "-id")[:limit]:
        kind = reminders.KINDS.get(sent.kind)
        rows.append(ReminderRow(
            sent.kind, kind.label if kind else sent.kind, sent.subject_ref, sent.period_key,
            sent.recipient_key, sent.sent_at,
            hooks.person_url(sent.recipient_key) if sent.recipient_key else None))
    return rows
