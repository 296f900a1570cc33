"""The one hand-over from matching to duos: a confirmed match becomes a duo.

Data flows one way (matching → duos). When the duos app is installed and offers
`duos.services.duo_start_from_match`, the match is handed over; otherwise the match stays
recorded as confirmed and a line is logged, and the coordinator can hand it over later.
"""

import importlib
import importlib.util
import logging

from django.apps import apps
from django.utils import timezone

from matching.intake import versions

from .models import MatchStatus

logger = logging.getLogger("matching.handover")


def _duo_start():
    if not apps.is_installed("duos"):
        return None
    if importlib.util.find_spec("duos.services") is None:
        return None
    return getattr(importlib.import_module("duos.services"), "duo_start_from_match", None)


def start_duo(match, started_by=None):
    """Hands a confirmed match to duos (the duo starts, its agreement prefilled from intake);
    returns the duo, or None when duos cannot take it yet (the match stays confirmed)."""
    duo_start_from_match = _duo_start()
    if duo_start_from_match is None:
        logger.info("match %s confirmed; duos cannot take it over yet", match.pk)
        return None
    participant = match.participant
    duo = duo_start_from_match(
        participant=participant, volunteer=match.volunteer, started_by=started_by,
        buddy_roles=participant.buddy_roles, buddy_roles_other=participant.buddy_roles_other,
        excluded_areas=participant.excluded_areas,
        excluded_areas_other=participant.excluded_areas_other,
    )
    match.status = MatchStatus.HANDED_OVER
    match.handed_over_at = timezone.now()
    match.duo_id = getattr(duo, "pk", None)
    match.save(update_fields=["status", "handed_over_at", "duo_id"])
    # The duo now holds a place of the volunteer's capacity.
    versions.volunteers_changed(match.organisation_id)
    return duo


def ended_pairs(organisation) -> set:
    """(participant id, volunteer id) of the duos that ended, from duos when it is there."""
    if not apps.is_installed("duos") or importlib.util.find_spec("duos.selectors") is None:
        return set()
    func = getattr(importlib.import_module("duos.selectors"), "ended_pairs", None)
    return set(func(organisation)) if func else set()
