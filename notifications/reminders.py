"""Reminders on time, exactly once: the registry of kinds, and the claim-and-send service.

Every scheduled reminder is a kind registered here by the room it belongs to (in its
AppConfig.ready: `matching/reminders.py`, `duos/reminders.py`, `coaching/reminders.py`,
`organisations/reminders.py`); this module knows nothing of them. A kind says what is due
now (`due`), what will be due soon (`upcoming`, for the staff page) and how to send (`send`
one, or `send_many` for a kind that sends in bulk). The dispatcher
(`tasks.reminders_dispatch_due`) asks each kind what is due and queues batches;
`reminders_send` claims the batch's `SentReminder` rows for (kind, subject, period) in one
statement and sends in the same transaction, so nothing is sent twice and a missed run
catches up on the next one.

Periods are local (Brussels) dates or named steps, so a reminder is unique per subject and
period however often the dispatcher runs: "due" is "its time has come and it was not sent",
never "its time is exactly now".
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from organisations.scoping import all_organisations, organisation_scope

from . import journal
from .models import ReminderOutcome, ReminderSettings, SentReminder

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    """One reminder to send: to whom, about what, for which period (a local date, a step)."""

    kind: str
    organisation_id: int
    subject_ref: str
    period_key: str
    recipient_key: str = ""
    due_at: datetime.datetime | None = None

    def as_row(self) -> list:
        """A compact form for a task's arguments (a batch of 500 is one message)."""
        return [self.kind, self.organisation_id, self.subject_ref, self.period_key,
                self.recipient_key, self.due_at.isoformat() if self.due_at else None]

    @classmethod
    def from_row(cls, row: list | dict) -> "Due":
        if isinstance(row, dict):  # a batch queued before the compact form, still waiting
            row = [row["kind"], row["organisation_id"], row["subject_ref"], row["period_key"],
                   row.get("recipient_key", ""), row.get("due_at")]
        kind, organisation_id, subject_ref, period_key, recipient_key, due_at = row
        return cls(kind, organisation_id, subject_ref, period_key, recipient_key,
                   datetime.datetime.fromisoformat(due_at) if due_at else None)

    @property
    def subject_id(self) -> int:
        return int(self.subject_ref.rsplit(":", 1)[1])


@dataclass
class Sent:
    """What `send_many` did with a claimed batch: what went out, and what failed (to be
    unclaimed and tried again by the next run). The rest was moot (skipped). `made` holds
    what each item sent made (its `journal`: messages and tasks, new or found already
    there); an item sent that made nothing is recorded as such."""

    sent: list[Due] = field(default_factory=list)
    failed: list[Due] = field(default_factory=list)
    made: dict[Due, journal.Journal] = field(default_factory=dict)


class Kind:
    """A kind of reminder. `due` and `upcoming` run in `all_organisations()`; `send_many`
    runs inside the claim's transaction. A kind implements `send` (one item, in the
    organisation's scope, returns whether it sent) or, to send in bulk, `send_many`."""

    name: str = ""
    label = ""
    # What the organisation can tune, as (label, value) pairs, for the staff page.

    def settings_for(self, organisation) -> list[tuple[str, object]]:
        return []

    def due(self, now: datetime.datetime) -> Iterable[Due]:
        raise NotImplementedError

    def upcoming(self, now: datetime.datetime, until: datetime.datetime) -> Iterable[Due]:
        return []

    def send(self, item: Due) -> bool:
        raise NotImplementedError

    def send_many(self, items: list[Due]) -> Sent:
        """Each item in a savepoint of the claim's transaction: one that fails rolls back
        alone (its domain change and messages) and is reported failed, not the batch."""
        outcome = Sent()
        for item in items:
            try:
                with (organisation_scope(item.organisation_id), transaction.atomic(),
                      journal.recording() as made):
                    if self.send(item):
                        outcome.sent.append(item)
                        outcome.made[item] = made
            except Exception:
                logger.exception("Reminder %s %s %s failed; the next run tries again",
                                 item.kind, item.subject_ref, item.period_key)
                outcome.failed.append(item)
        return outcome


class QueryKind(Kind):
    """A kind whose due items are the rows of one queryset: it gives `rows(until_day)` (the
    queryset, ordered by id and excluding what was claimed, with a context such as the
    organisations' settings) and `item(row, context)`; `due` pages by keyset, `upcoming`
    reads the same rows up to the end of the staff page's window."""

    def rows(self, until_day: datetime.date) -> tuple:
        raise NotImplementedError

    def item(self, row, context) -> Due:
        raise NotImplementedError

    def due(self, now):
        queryset, context = self.rows(local_date(now))
        return (self.item(row, context) for row in keyset(queryset))

    def upcoming(self, now, until):
        queryset, context = self.rows(local_date(until))
        return window([self.item(row, context) for row in queryset], now, until)


KINDS: dict[str, Kind] = {}


def register(kind_class):
    """Class decorator: registers one instance of the kind under its name."""
    kind = kind_class()
    if kind.name in KINDS:
        raise ValueError(f"reminder kind {kind.name} registered twice")
    KINDS[kind.name] = kind
    return kind_class


def get(name: str) -> Kind:
    return KINDS[name]


def local_date(moment: datetime.datetime) -> datetime.date:
    """The date in Brussels (the project's time zone), whatever the UTC offset that day."""
    return timezone.localtime(moment).date()


def local_moment(day: datetime.date, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """`hour` o'clock on `day` in Brussels, as an aware datetime (right through DST)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


PAGE_SIZE = 2000


def keyset(queryset, page_size: int | None = None) -> Iterator:
    """The rows of `queryset` in primary-key order, a page at a time (keyset pagination:
    WHERE pk > last, no OFFSET, no cursor held open): memory stays flat over any number."""
    page_size = page_size or PAGE_SIZE
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page[:page_size])
        yield from rows
        if len(rows) < page_size:
            return
        # A model instance, or a values_list row whose first column is the pk.
        last = rows[-1][0] if isinstance(rows[-1], tuple) else rows[-1].pk


def batched(items: Iterable[Due], size: int) -> Iterator[list[Due]]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# Helpers the rooms' kinds share ---------------------------------------------------------


def setting_map(model, field):
    """{organisation_id: value} of a per-organisation settings model, and the default."""
    values = dict(model.objects.values_list("organisation_id", field))
    return values, model._meta.get_field(field).default


def organisations_of(queryset):
    """The organisations that have rows in `queryset`, once each (without the model's
    ordering, DISTINCT would return one row per row)."""
    return queryset.order_by().values_list("organisation_id", flat=True).distinct()


def window(items, now, until):
    """The items due up to `until`, soonest first, for the staff page."""
    # Overdue items (their time came, not sent yet) stay on the list: they go out next run.
    return sorted((item for item in items if item.due_at is not None and item.due_at <= until),
                  key=lambda item: item.due_at)


def not_claimed(kind_name, prefix, period_expression):
    """Exists() of the claim of (kind, "<prefix>:<pk>", period) for the outer row: what was
    sent is left out of `due` in SQL, so a run over 100,000 rows does not re-read them."""
    return ~Exists(SentReminder.objects.filter(
        kind=kind_name,
        subject_ref=Concat(Value(f"{prefix}:"), Cast(OuterRef("pk"), CharField())),
        period_key=period_expression,
    ))


def reminder_settings():
    """organisation_id -> the organisation's ReminderSettings (defaults until saved)."""
    found = {row.organisation_id: row for row in ReminderSettings.objects.all()}
    default = ReminderSettings()  # once, not once per row of a 100,000-row list
    return lambda organisation_id: found.get(organisation_id, default)


def own_settings(organisation, *fields):
    """(label, value) of the organisation's ReminderSettings `fields`, for the staff page."""
    found = ReminderSettings.objects.filter(organisation=organisation).first()
    found = found or ReminderSettings()
    return [(ReminderSettings._meta.get_field(f).verbose_name, getattr(found, f))
            for f in fields]


# Sending due reminders exactly once, a batch at a time ----------------------------------

_COLUMNS = ("organisation_id", "kind", "subject_ref", "period_key", "recipient_key",
            "outcome", "made", "sent_at")


def _claim_many(items: list[Due]) -> list[tuple[int, Due]]:
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
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(ordered))
    params = [value for item in ordered for value in (
        item.organisation_id, item.kind, item.subject_ref, item.period_key,
        item.recipient_key, ReminderOutcome.SENT, "", now)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES {rows} "
            "ON CONFLICT (kind, subject_ref, period_key) DO NOTHING "
            "RETURNING id, kind, subject_ref, period_key", params)
        claimed = cursor.fetchall()
    return [(pk, unique[(kind, subject, period)]) for pk, kind, subject, period in claimed]


def what_came_of_it(made: journal.Journal | None) -> tuple[str, str]:
    """(outcome, made) of a reminder sent: a new message or task is "sent" (the first one
    named); only ones found already there (the same key: notifications sent nothing) is a
    duplicate of the first; none at all is "nothing"."""
    made = made or journal.Journal()
    new = [entry for entry in made if entry.new]
    if new:
        return ReminderOutcome.SENT, new[0].ref
    if made:
        return ReminderOutcome.DUPLICATE, made[0].ref
    return ReminderOutcome.NOTHING, ""


def reminders_send(items: list[Due]) -> int:
    """Claims a batch of due reminders and sends what it claimed, in one transaction: a
    claim and its message (or the domain change it makes) commit together or not at all,
    so a retry, a duplicated batch or a second beat sends nothing twice and a worker
    killed mid-way loses nothing. A reminder whose own send failed is unclaimed (the next
    run tries again); each other claim records what came of it (what it made, a duplicate,
    nothing, or moot: skipped). Returns how many went out (made a new message or task)."""
    with all_organisations(), transaction.atomic():
        claims = _claim_many(items)
        ids = {item: pk for pk, item in claims}
        by_kind = defaultdict(list)
        for _pk, item in claims:
            by_kind[item.kind].append(item)
        sent, failed, made = set(), set(), {}
        for name, group in by_kind.items():
            outcome = get(name).send_many(group)
            sent |= set(outcome.sent)
            failed |= set(outcome.failed)
            made |= outcome.made
        if failed:
            SentReminder.objects.filter(pk__in=[ids[item] for item in failed]).delete()
        recorded = []
        for item, pk in ids.items():
            if item in failed:
                continue
            outcome, ref = (what_came_of_it(made.get(item)) if item in sent
                            else (ReminderOutcome.SKIPPED, ""))
            recorded.append(SentReminder(pk=pk, outcome=outcome, made=ref))
        SentReminder.objects.bulk_update(recorded, ["outcome", "made"])
    return sum(1 for claim in recorded if claim.outcome == ReminderOutcome.SENT)


def reminder_send(item: Due) -> bool:
    """One reminder, exactly once (a batch of one); returns whether this call sent it."""
    return reminders_send([item]) == 1
