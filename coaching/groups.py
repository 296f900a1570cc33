"""The people invited to an intervision session, for a coordinator's group message
(registered with notifications by coaching.wiring)."""

from datetime import timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from notifications.hooks import GroupSource

from .models import IntervisionSession, Invitation, SessionStatus


def _sessions() -> list[tuple[str, str]]:
    upcoming = IntervisionSession.objects.filter(
        starts_at__gte=timezone.now() - timedelta(days=1)).exclude(
        status=SessionStatus.CANCELLED).order_by("starts_at")[:50]
    return [(str(session.pk), f"{session.topic} · "
             f"{formats.date_format(timezone.localtime(session.starts_at), 'j F H:i')}")
            for session in upcoming]


def _invited(session_id: str) -> list[str]:
    if not session_id.isdigit():
        return []
    keys = []
    for volunteer_id, participant_id in Invitation.objects.filter(
            session_id=int(session_id)).order_by("pk").values_list("volunteer_id",
                                                                    "participant_id"):
        keys.append(f"volunteer:{volunteer_id}" if volunteer_id else
                    f"participant:{participant_id}")
    return keys


INVITED = GroupSource(name="coaching.invited", label=_("Invited to an intervision session"),
                      options=_sessions, members=_invited)
