"""The reminder registry: every scheduled reminder is a kind registered here.

A kind says what is due now (`due`), what will be due soon (`upcoming`, for the staff
page) and how to send one (`send`). The dispatcher asks each kind what is due, the
service claims a `SentReminder` row for (kind, subject, period) and sends in the same
transaction, so nothing is sent twice and a missed run catches up on the next one.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Due:
    """One reminder to send: to whom, about what, for which period (a local date, a step)."""

    kind: str
    organisation_id: int
    subject_ref: str
    period_key: str
    recipient_key: str = ""
    due_at: datetime.datetime | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["due_at"] = self.due_at.isoformat() if self.due_at else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Due":
        data = dict(data)
        if data.get("due_at"):
            data["due_at"] = datetime.datetime.fromisoformat(data["due_at"])
        return cls(**data)

    @property
    def subject_id(self) -> int:
        return int(self.subject_ref.rsplit(":", 1)[1])


class Kind:
    """A kind of reminder. `due` and `upcoming` run in `all_organisations()`; `send` runs
    in the organisation's scope inside the claim's transaction and returns whether it sent."""

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


def batched(items: Iterable[Due], size: int) -> Iterator[list[Due]]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
