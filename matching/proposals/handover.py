"""The one hand-over from proposals to duos: a confirmed match becomes a duo.

Data flows one way (proposals → duos): proposals sit a layer above duos and call its service,
which starts the duo with its agreement prefilled from intake.
"""

from django.utils import timezone

from duos import selectors as duo_selectors
from duos import services as duo_services
from matching.intake import versions

from .models import MatchStatus


def start_duo(match, started_by=None):
    """Hands a confirmed match to duos (the duo starts, its agreement prefilled from intake);
    returns the duo."""
    participant = match.participant
    duo = duo_services.duo_start_from_match(
        participant=participant, volunteer=match.volunteer, started_by=started_by,
        buddy_roles=participant.buddy_roles, buddy_roles_other=participant.buddy_roles_other,
        excluded_areas=participant.excluded_areas,
        excluded_areas_other=participant.excluded_areas_other,
    )
    match.status = MatchStatus.HANDED_OVER
    match.handed_over_at = timezone.now()
    match.duo_id = duo.pk
    match.save(update_fields=["status", "handed_over_at", "duo_id"])
    # The duo now holds a place of the volunteer's capacity.
    versions.volunteers_changed(match.organisation_id, [match.volunteer_id])
    return duo


def ended_pairs(organisation) -> set:
    """(participant id, volunteer id) of the duos that ended: they are not proposed again."""
    return set(duo_selectors.ended_pairs(organisation))
