"""The groups of people intake knows, for a coordinator's group message (registered with
notifications by matching.wiring): volunteers by status, and the waiting list by message
language or by municipality."""

from django.utils.translation import gettext_lazy as _

from notifications.hooks import GroupSource

from .models import (
    MESSAGE_LANGUAGE_CHOICES,
    Participant,
    ParticipantStatus,
    Volunteer,
    VolunteerStatus,
)

WAITING = [ParticipantStatus.WAITING, ParticipantStatus.PROPOSAL_OPEN]


def _volunteer_keys(status: str) -> list[str]:
    return [f"volunteer:{pk}" for pk in
            Volunteer.objects.filter(status=status).order_by("pk").values_list("pk", flat=True)]


def _waiting():
    return Participant.objects.filter(status__in=WAITING)


def _waiting_municipalities() -> list[tuple[str, str]]:
    refnis = (_waiting().exclude(postcode__isnull=True).order_by("postcode__municipality")
              .values_list("postcode__refnis", "postcode__municipality").distinct())
    return [(code, name) for code, name in dict(refnis).items()]


VOLUNTEERS = GroupSource(
    name="intake.volunteers", label=_("Volunteers by status"),
    options=lambda: [(value, str(label)) for value, label in VolunteerStatus.choices],
    members=_volunteer_keys,
)
WAITING_BY_LANGUAGE = GroupSource(
    name="intake.waiting_language", label=_("Waiting list by language"),
    options=lambda: [(value, str(label)) for value, label in MESSAGE_LANGUAGE_CHOICES],
    members=lambda language: [f"participant:{pk}" for pk in _waiting().filter(
        message_language=language).order_by("pk").values_list("pk", flat=True)],
)
WAITING_BY_MUNICIPALITY = GroupSource(
    name="intake.waiting_municipality", label=_("Waiting list by municipality"),
    options=_waiting_municipalities,
    members=lambda refnis: [f"participant:{pk}" for pk in _waiting().filter(
        postcode__refnis=refnis).order_by("pk").values_list("pk", flat=True)],
)
SOURCES = [VOLUNTEERS, WAITING_BY_LANGUAGE, WAITING_BY_MUNICIPALITY]
