"""What a piece of work made on its way to people, noted as it happens: the messages it wrote
and the coordinators' tasks it opened, each new or found already there (the same idempotency
key is the same message; the same task still open is not opened twice).

The reminders' dispatcher records it for each reminder it claims, so that the staff page
says "sent" only when a message or a task was really made, and "nothing sent: duplicate"
when notifications found the message already there. `services` notes its messages and
tasks; a room that opens a follow-up item of its own (a proposal's call task) notes it too.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Made:
    """One thing made: `ref` is "message:<id>", "task:<id>" or a room's own reference."""

    ref: str
    recipient_key: str
    new: bool


class Journal(list[Made]):
    def by_recipient(self) -> dict[str, "Journal"]:
        """What was made for each person (a bulk send's share of each reminder)."""
        shares: dict[str, Journal] = {}
        for made in self:
            shares.setdefault(made.recipient_key, Journal()).append(made)
        return shares


_open: ContextVar[tuple[Journal, ...]] = ContextVar("notifications_journals", default=())


@contextmanager
def recording() -> Iterator[Journal]:
    """Notes in the journal it yields what is made inside the block (an outer journal sees
    it too)."""
    journal = Journal()
    token = _open.set((*_open.get(), journal))
    try:
        yield journal
    finally:
        _open.reset(token)


def note(ref: str, recipient_key: str = "", *, new: bool) -> None:
    """Something was made (`new`) or found already there; nothing listens outside a
    `recording()` block."""
    for journal in _open.get():
        journal.append(Made(ref, recipient_key, new))
