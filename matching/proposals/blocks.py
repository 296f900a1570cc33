"""Each organisation's scoring blocks, kept in the process between requests.

A short list scores one participant against every available volunteer of the organisation
(or one volunteer against every waiting participant). Reading 10,000 volunteers and turning
them into a `pairs.ProfileBlock` costs far more than the scoring itself, and the block
changes only when a person, their interests, readiness or capacity change. So each process
keeps the block, labelled with the organisation's *versions*: random words in the shared
cache (Redis in production) that the services replace, after their transaction commits,
whenever they change something a block is built from. A request reads the versions (one
cache round trip, no SQL) and rebuilds a block only when one of its versions moved.

The versions live in `matching/intake/versions.py` (the services of intake, proposals and duos
bump them):

- `volunteers_changed(organisation)`: a volunteer changed (profile, interests, readiness,
  status, capacity, availability; a duo started or ended). Called by matching's volunteer
  services, the hand-over to duos, duos' `duo_close`, the admin and anonymisation.
- `participants_changed(organisation)`: a participant changed (profile, interests,
  waiting-list status). Called by matching's participant services, the admin,
  anonymisation; imports go through the intake services.
- `proposals_changed(organisation)`: proposals changed (opened, answered, withdrawn, an
  offer or the meeting answered). Called by the proposal services.

A change of single volunteers (their ids are announced with the version) updates only their
rows of the kept block: one query for them, a few milliseconds of array copies, instead of
reading and arranging every volunteer again. Every process keeps at most
`MATCHING_BLOCKS_MAX_MB` of blocks (settings): the least recently used organisation's block
goes first, so a host of many organisations holds the busy ones.

The volunteers' block depends on its own version only: who is busy in an open proposal or
a confirmed match is read per short list (one small query), so proposing to one participant
after another, or a new participant on the waiting list, does not rebuild 10,000 volunteers.
The waiting participants' block depends on the participants' and proposals' versions, the
participant's page (matching/proposal_views.py) on all three.

A block also lives at most `BLOCK_SECONDS`, so that a writer that forgets (a shell) or
reference data (a postcode's coordinates corrected) is picked up within minutes.
"""

import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.utils import timezone

from matching.intake import versions
from matching.intake.models import Volunteer
from matching.scoring import pairs

from . import profiles

BLOCK_SECONDS = 600
# More single-volunteer changes than this since a block was built: build it again.
MAX_CHANGES_TO_APPLY = 64

# (kind, organisation id) -> _Kept, least recently used first.
_blocks: OrderedDict = OrderedDict()
_lock = threading.Lock()
stats = {"built": 0, "updated": 0, "kept": 0, "evicted": 0}


class _Kept:
    __slots__ = ("stamp", "on", "until", "block", "nbytes")

    def __init__(self, stamp, on, until, block):
        self.stamp, self.on, self.until, self.block = stamp, on, until, block
        self.nbytes = block.nbytes


def clear() -> None:
    """Forget every kept block and the counts (tests; a process that wants a fresh start)."""
    with _lock:
        _blocks.clear()
        stats.update(built=0, updated=0, kept=0, evicted=0)


def kept_bytes() -> int:
    """About how much memory the kept blocks of this process hold."""
    with _lock:
        return sum(kept.nbytes for kept in _blocks.values())


def _cap_bytes() -> int:
    return int(getattr(settings, "MATCHING_BLOCKS_MAX_MB", 256) * 2**20)


def _store(key, kept: _Kept) -> None:
    """Keep a block, then drop the least recently used ones while the blocks of this
    process hold more than `MATCHING_BLOCKS_MAX_MB` (the newest one always stays)."""
    with _lock:
        _blocks[key] = kept
        _blocks.move_to_end(key)
        total = sum(k.nbytes for k in _blocks.values())
        cap = _cap_bytes()
        while total > cap and len(_blocks) > 1:
            _old_key, old = _blocks.popitem(last=False)
            total -= old.nbytes
            stats["evicted"] += 1


def _kept(kind, organisation_id, on, build, update=None) -> pairs.ProfileBlock:
    # The versions are read before the data: a change committed in between is then seen by
    # the next request at the latest.
    (volunteers, participants, proposals), _found = versions.versions(organisation_id)
    stamp = volunteers if kind == "volunteers" else (participants, proposals)
    key = (kind, organisation_id)
    with _lock:
        found = _blocks.get(key)
        if found is not None:
            _blocks.move_to_end(key)
    now = time.monotonic()
    if found is not None and found.on == on and now < found.until:
        if found.stamp == stamp:
            stats["kept"] += 1
            return found.block
        if update is not None:
            with profiles.collector_paused():
                block = update(found, stamp)
            if block is not None:
                stats["updated"] += 1
                _store(key, _Kept(stamp, on, found.until, block))
                return block
    with profiles.collector_paused():
        block = build()
    stats["built"] += 1
    _store(key, _Kept(stamp, on, now + BLOCK_SECONDS, block))
    return block


def _ready_volunteers(organisation_id, on):
    return Volunteer.objects.filter(organisation_id=organisation_id).ready_with_capacity(on)


def volunteer_block(organisation_id, on=None) -> pairs.ProfileBlock:
    """Every ready volunteer of the organisation with free capacity, available on `on`, as
    one block: kept, its rows of single changed volunteers updated (one query for them),
    built again after an organisation-wide change. Who is busy in an open proposal or a
    confirmed match is not part of it (`proposal_selectors.excluded_volunteers`)."""
    on = on or timezone.localdate()

    def update(found, stamp):
        (word, number), (kept_word, kept_number) = stamp, found.stamp
        if word != kept_word or not 0 < number - kept_number <= MAX_CHANGES_TO_APPLY:
            return None
        changed = versions.volunteer_changes(organisation_id, kept_number, number)
        if changed is None:
            return None
        now_ready = profiles.volunteer_profiles(
            _ready_volunteers(organisation_id, on).filter(pk__in=changed), on)
        return found.block.replaced(changed, now_ready)

    return _kept("volunteers", organisation_id, on, lambda: pairs.ProfileBlock.from_profiles(
        profiles.volunteer_profiles(_ready_volunteers(organisation_id, on), on)), update)


def participant_block(organisation_id, waiting, on=None) -> pairs.ProfileBlock:
    """The organisation's waiting participants without a proposal in progress (`waiting`, a
    queryset the caller gives: the proposals' selectors know who that is)."""
    on = on or timezone.localdate()
    return _kept("participants", organisation_id, on, lambda: pairs.ProfileBlock.from_profiles(
        profiles.participant_profiles(waiting, on)))
