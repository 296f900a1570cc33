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

from django.utils import timezone

from matching.intake import versions
from matching.intake.models import Volunteer
from matching.scoring import pairs

from . import profiles

BLOCK_SECONDS = 600

_blocks: dict = {}
_lock = threading.Lock()


def clear() -> None:
    """Forget every kept block (tests; a process that wants a fresh start)."""
    with _lock:
        _blocks.clear()


def _kept(kind, organisation_id, on, build) -> pairs.ProfileBlock:
    # The versions are read before the data: a change committed in between is then seen by
    # the next request at the latest.
    (volunteers, participants, proposals), _found = versions.versions(organisation_id)
    stamp = volunteers if kind == "volunteers" else (participants, proposals)
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


def volunteer_block(organisation_id, on=None) -> pairs.ProfileBlock:
    """Every ready volunteer of the organisation with free capacity, available on `on`, as
    one block, rebuilt only when a person changed. Who is busy in an open proposal or a
    confirmed match is not part of it (`proposal_selectors.excluded_volunteers`)."""
    on = on or timezone.localdate()
    return _kept("volunteers", organisation_id, on, lambda: pairs.ProfileBlock.from_profiles(
        profiles.volunteer_profiles(
            Volunteer.objects.filter(organisation_id=organisation_id).ready_with_capacity(on),
            on)))


def participant_block(organisation_id, waiting, on=None) -> pairs.ProfileBlock:
    """The organisation's waiting participants without a proposal in progress (`waiting`, a
    queryset the caller gives: the proposals' selectors know who that is)."""
    on = on or timezone.localdate()
    return _kept("participants", organisation_id, on, lambda: pairs.ProfileBlock.from_profiles(
        profiles.participant_profiles(waiting, on)))
