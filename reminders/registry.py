"""The reminder registry: every scheduled reminder is a kind registered here.

A kind says what is due now (`due`), what will be due soon (`upcoming`, for the staff
page) and how to send (`send` one, or `send_many` for a kind that sends in bulk). The
dispatcher asks each kind what is due and queues batches; the service claims the batch's
`SentReminder` rows for (kind, subject, period) in one statement and sends in the same
transaction, so nothing is sent twice and a missed run catches up on the next one.
"""

import datetime
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from organisations.scoping import organisation_scope

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
    unclaimed and tried again by the next run). The rest was moot (skipped)."""

    sent: list[Due] = field(default_factory=list)
    failed: list[Due] = field(default_factory=list)


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
                with organisation_scope(item.organisation_id), transaction.atomic():
                    if self.send(item):
                        outcome.sent.append(item)
            except Exception:
                logger.exception("Reminder %s %s %s failed; the next run tries again",
                                 item.kind, item.subject_ref, item.period_key)
                outcome.failed.append(item)
        return outcome


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
