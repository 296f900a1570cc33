"""Each organisation's scoring blocks, kept in the process between requests.

A short list scores one participant against every available volunteer of the organisation
(or one volunteer against every waiting participant). Reading 10,000 volunteers and turning
them into a `scoring.ProfileBlock` costs far more than the scoring itself, and the block
changes only when a person, their interests, their proposals, matches or duos change. So
each process keeps the block, labelled with the organisation's *version*: a random word in
the shared cache (Redis in production) that the services replace, after their transaction
commits, whenever they change something a block is built from (`changed`). A request reads
the version (one cache read, no SQL) and rebuilds the block only when it moved.

Who calls `changed`: matching's intake and profile services (people, interests, readiness,
status, capacity, availability), the proposal services (a proposal opened, answered,
withdrawn; a volunteer's offer answered; the meeting's answers), `match_confirm` and the
hand-over to duos, duos' services when a duo ends (a place of capacity comes free),
imports and anonymisation. The block also lives at most `BLOCK_SECONDS`, so that a writer
that forgets (the admin, a shell) or reference data (a postcode's coordinates corrected)
is picked up within minutes.
"""

import threading
import time
import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from . import profiles, scoring

BLOCK_SECONDS = 600
VERSION_KEY = "matching:blocks-version:{}"

_blocks: dict = {}
_lock = threading.Lock()


def clear() -> None:
    """Forget every kept block (tests; a process that wants a fresh start)."""
    with _lock:
        _blocks.clear()


def changed(organisation) -> None:
    """The organisation's people, proposals or duos changed: once the current transaction
    commits, every process builds its short-list blocks again."""
    organisation_id = getattr(organisation, "pk", organisation)
    transaction.on_commit(
        lambda: cache.set(VERSION_KEY.format(organisation_id), uuid.uuid4().hex, None))


def version(organisation_id) -> str:
    """The organisation's current version (made on first use, or after a cache flush)."""
    key = VERSION_KEY.format(organisation_id)
    found = cache.get(key)
    if found is None:
        cache.add(key, uuid.uuid4().hex, None)
        found = cache.get(key)
    return found


def version_and(organisation_id, key: str):
    """The organisation's version and the cached value under `key`, in one cache round trip."""
    version_key = VERSION_KEY.format(organisation_id)
    found = cache.get_many([version_key, key])
    return found.get(version_key) or version(organisation_id), found.get(key)


def _kept(kind, organisation_id, on, build) -> scoring.ProfileBlock:
    # The version is read before the data: a change committed in between is then seen by
    # the next request at the latest.
    stamp = version(organisation_id)
    key = (kind, organisation_id)
    found = _blocks.get(key)
    now = time.monotonic()
    if found is not None:
        kept_stamp, built_on, until, block = found
        if kept_stamp == stamp and built_on == on and now < until:
            return block
    block = build()
    with _lock:
        _blocks[key] = (stamp, on, now + BLOCK_SECONDS, block)
    return block


def volunteer_block(organisation_id, on=None) -> scoring.ProfileBlock:
    """Every available volunteer of the organisation as one block (ready, with free
    capacity, in no open proposal); rebuilt only when something it depends on changed."""
    from .proposal_selectors import available_volunteers

    on = on or timezone.localdate()
    return _kept("volunteers", organisation_id, on, lambda: scoring.ProfileBlock.from_profiles(
        profiles.volunteer_profiles(available_volunteers(organisation_id, on), on)))


def participant_block(organisation_id, on=None) -> scoring.ProfileBlock:
    """Every waiting participant of the organisation without a proposal in progress."""
    from .proposal_selectors import waiting_participants

    on = on or timezone.localdate()
    return _kept("participants", organisation_id, on, lambda: scoring.ProfileBlock.from_profiles(
        profiles.participant_profiles(waiting_participants(organisation_id), on)))


__all__ = ["changed", "clear", "participant_block", "version", "version_and", "volunteer_block"]
