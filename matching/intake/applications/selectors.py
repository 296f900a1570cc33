"""The reads of the applications list: each one query, whatever the number of rows."""

from django.db.models import OuterRef, Subquery

from ..models import Participant, ParticipantStatus, Volunteer, VolunteerStatus
from .models import Application, ApplicationStatus


def duplicates_to_merge():
    """Applications from people registered already, oldest first, with that person."""
    return (Application.objects.filter(status=ApplicationStatus.DUPLICATE)
            .select_related("volunteer__postcode", "participant__postcode")
            .order_by("created_at", "pk"))


def _applied_at(kind):
    return Subquery(Application.objects.filter(**{kind: OuterRef("pk")})
                    .order_by("created_at").values("created_at")[:1])


def volunteer_applicants():
    """Volunteers who applied and are not screened yet, with the day they applied."""
    return (Volunteer.objects.filter(status=VolunteerStatus.APPLIED)
            .select_related("postcode").annotate(applied_at=_applied_at("volunteer"))
            .order_by("created_at", "pk"))


def participants_to_confirm():
    """Participants who asked for a buddy themselves and wait for a confirmation."""
    return (Participant.objects.filter(status=ParticipantStatus.TO_CONFIRM)
            .select_related("postcode").annotate(applied_at=_applied_at("participant"))
            .order_by("waiting_since", "pk"))
