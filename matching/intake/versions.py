"""The versions of what the proposals' kept blocks are built from (`matching/proposals/blocks.py`
explains them): random words in the shared cache that a service replaces, after its transaction
commits, whenever it changed a volunteer, a participant or a proposal. They sit here, in intake,
because every layer from intake up announces changes, and only the proposals read them."""

import uuid

from django.core.cache import cache
from django.db import transaction

VOLUNTEERS_KEY = "matching:volunteers-version:{}"
PARTICIPANTS_KEY = "matching:participants-version:{}"
PROPOSALS_KEY = "matching:proposals-version:{}"


def _bump(key_format, organisation) -> None:
    key = key_format.format(getattr(organisation, "pk", organisation))
    transaction.on_commit(lambda: cache.set(key, uuid.uuid4().hex, None))


def volunteers_changed(organisation) -> None:
    """A volunteer of the organisation changed (profile, interests, readiness, status,
    capacity, a duo started or ended): once the current transaction commits, every process
    builds the volunteers' block again."""
    _bump(VOLUNTEERS_KEY, organisation)


def participants_changed(organisation) -> None:
    """A participant of the organisation changed (profile, interests, waiting-list status):
    once the current transaction commits, every process builds the participants' block
    again."""
    _bump(PARTICIPANTS_KEY, organisation)


def proposals_changed(organisation) -> None:
    """The organisation's proposals changed: once the current transaction commits, the
    waiting participants' block and the participants' pages are built again."""
    _bump(PROPOSALS_KEY, organisation)


def versions(organisation_id, *keys: str):
    """(volunteers, participants, proposals) versions of the organisation, made on first use
    or after a cache flush, and the cached values under `keys`: one cache round trip."""
    wanted = [key.format(organisation_id)
              for key in (VOLUNTEERS_KEY, PARTICIPANTS_KEY, PROPOSALS_KEY)]
    found = cache.get_many(wanted + list(keys))
    current = []
    for key in wanted:
        if found.get(key) is None:
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key)
        current.append(found[key])
    return tuple(current), [found.get(key) for key in keys]
