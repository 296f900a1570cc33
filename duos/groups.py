"""The people of the running duos, for a coordinator's group message (registered with
notifications by duos.wiring)."""

from django.utils.translation import gettext_lazy as _

from notifications.hooks import GroupSource

from .models import RUNNING_STATUSES, Duo

BOTH, VOLUNTEERS, PARTICIPANTS = "both", "volunteers", "participants"


def _members(value: str) -> list[str]:
    keys = []
    for participant_id, volunteer_id in Duo.objects.filter(
            status__in=RUNNING_STATUSES).order_by("pk").values_list("participant_id",
                                                                     "volunteer_id"):
        if value in (BOTH, PARTICIPANTS):
            keys.append(f"participant:{participant_id}")
        if value in (BOTH, VOLUNTEERS):
            keys.append(f"volunteer:{volunteer_id}")
    return keys


ACTIVE_DUOS = GroupSource(
    name="duos.active", label=_("Active duos"),
    options=lambda: [(BOTH, str(_("Both people of every duo"))),
                     (VOLUNTEERS, str(_("The volunteers"))),
                     (PARTICIPANTS, str(_("The participants")))],
    members=_members,
)
