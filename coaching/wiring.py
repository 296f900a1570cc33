"""What coaching plugs into the layers below it at start-up (imported once by
CoachingConfig.ready): the invitation's link page and SMS reply, its reminder kinds and texts."""

from notifications import hooks

from . import (
    groups,
    link_views,
    messaging,
    reminders,  # noqa: F401  (registers coaching's reminder kinds)
    sms_texts,  # noqa: F401  (registers the SMS texts coaching sends)
)


def connect() -> None:
    hooks.register_link_view(messaging.INVITATION, link_views.invitation_link_page)
    hooks.register_reply_handler(messaging.INVITATION, link_views.invitation_reply)
    hooks.register_group(groups.INVITED)
