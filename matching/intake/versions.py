"""The versions of what the proposals' kept blocks are built from (`matching/proposals/blocks.py`
explains them): random words in the shared cache that a service replaces, after its transaction
commits, whenever it changed a volunteer, a participant or a proposal. They sit here, in intake,
because every layer from intake up announces changes, and only the proposals read them."""

import uuid

from django.core.cache import cache
from django.db import transaction

VOLUNTEERS_KEY = "matching:volunteers-version:{}"
# Changes of single volunteers: a counter per organisation, and under each of its values the
# ids that changed, so that a process can update those rows of its block instead of
# building it again (`matching/proposals/blocks.py`).
VOLUNTEER_CHANGES_KEY = "matching:volunteer-changes:{}"
VOLUNTEER_CHANGE_KEY = "matching:volunteer-change:{}:{}"
CHANGE_SECONDS = 3600
PARTICIPANTS_KEY = "matching:participants-version:{}"
PROPOSALS_KEY = "matching:proposals-version:{}"


def _bump(key_format, organisation) -> None:
    key = key_format.format(getattr(organisation, "pk", organisation))
    transaction.on_commit(lambda: cache.set(key, uuid.uuid4().hex, None))


def volunteers_changed(organisation, volunteer_ids=None) -> None:
    """Volunteers of the organisation changed (profile, interests, readiness, status,
    capacity, a duo started or ended). Once the current transaction commits, every process
    updates the rows of `volunteer_ids` in its volunteers' block, or builds the whole block
    again when they are not given."""
    organisation_id = getattr(organisation, "pk", organisation)
    if volunteer_ids is None:
        _bump(VOLUNTEERS_KEY, organisation_id)
        return
    ids = sorted({int(pk) for pk in volunteer_ids})

    def announce():
        counter = VOLUNTEER_CHANGES_KEY.format(organisation_id)
        cache.add(counter, 0, None)
        try:
            number = cache.incr(counter)
        except ValueError:  # the cache lost the counter just now: start afresh
            cache.set(VOLUNTEERS_KEY.format(organisation_id), uuid.uuid4().hex, None)
            return
        cache.set(VOLUNTEER_CHANGE_KEY.format(organisation_id, number), ids, CHANGE_SECONDS)

    transaction.on_commit(announce)


def volunteer_changes(organisation_id, after: int, upto: int) -> set[int] | None:
    """The ids of the volunteers changed by changes `after` + 1 .. `upto` (one cache round
    trip), or None when one of them is no longer known (then build the block again)."""
    keys = [VOLUNTEER_CHANGE_KEY.format(organisation_id, n) for n in range(after + 1, upto + 1)]
    found = cache.get_many(keys)
    if len(found) < len(keys):
        return None
    return {pk for ids in found.values() for pk in ids}


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
    or after a cache flush, and the cached values under `keys`: one cache round trip. The
    volunteers' version is (word, number of single-volunteer changes)."""
    wanted = [key.format(organisation_id)
              for key in (VOLUNTEERS_KEY, PARTICIPANTS_KEY, PROPOSALS_KEY)]
    changes = VOLUNTEER_CHANGES_KEY.format(organisation_id)
    found = cache.get_many([*wanted, changes, *keys])
    current = []
    for key in wanted:
        if found.get(key) is None:
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key)
        current.append(found[key])
    current[0] = (current[0], int(found.get(changes) or 0))
    return tuple(current), [found.get(key) for key in keys]


def version_keys(organisation_id) -> list[str]:
    """The cache keys of the organisation's versions (a kept page depends on all of them)."""
    return [key.format(organisation_id) for key in
            (VOLUNTEERS_KEY, VOLUNTEER_CHANGES_KEY, PARTICIPANTS_KEY, PROPOSALS_KEY)]
