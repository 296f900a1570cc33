"""The person pages as the coordinator's hub: sections and timeline events from every room.

The participant and volunteer pages live here, in intake, but what a coordinator needs on
them lives in the rooms above (the short list and proposals, the duo, training and
intervision). Those rooms register, from their AppConfig.ready(), a section (a template and
its context) and the events of the person's timeline; this module knows none of them:

    from matching.intake import person_pages
    person_pages.register_section("participant", 20, proposals_section)
    person_pages.register_events("participant", proposal_events)

A section function takes (person, request) and returns a `Section` or None; an events
function takes the person and returns `Event`s. Each costs a constant number of queries.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

PARTICIPANT = "participant"
VOLUNTEER = "volunteer"


@dataclass
class Section:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 50


@dataclass(frozen=True)
class Event:
    when: datetime.datetime | datetime.date
    text: str
    url: str = ""

    @property
    def moment(self) -> datetime.datetime:
        """A comparable moment: a date counts as the start of that day."""
        if isinstance(self.when, datetime.datetime):
            return self.when
        return timezone.make_aware(datetime.datetime.combine(self.when, datetime.time.min))


_sections: dict[str, list[tuple[int, Callable]]] = {PARTICIPANT: [], VOLUNTEER: []}
_events: dict[str, list[Callable]] = {PARTICIPANT: [], VOLUNTEER: []}


def register_section(kind: str, order: int, func: Callable) -> None:
    """`func(person, request)` → Section or None, shown in `order` (lower first)."""
    entry = (order, func)
    if entry not in _sections[kind]:
        _sections[kind].append(entry)


def register_events(kind: str, func: Callable) -> None:
    """`func(person)` → a list of Event for the person's timeline."""
    if func not in _events[kind]:
        _events[kind].append(func)


def sections(kind: str, person, request) -> list[Section]:
    found = []
    for order, func in sorted(_sections[kind], key=lambda entry: entry[0]):
        section = func(person, request)
        if section is not None:
            section.order = order
            found.append(section)
    return found


def timeline(kind: str, person, own=(), limit=40) -> list[Event]:
    """The person's events from every room, newest first."""
    events = list(own)
    for func in _events[kind]:
        events.extend(func(person))
    return sorted(events, key=lambda event: event.moment, reverse=True)[:limit]
