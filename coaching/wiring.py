"""What coaching plugs into the layers below it at start-up (imported once by
CoachingConfig.ready): the invitation's link page and SMS reply, its reminder kinds and texts."""

from matching.intake import person_pages
from notifications import hooks

from . import (
    link_views,
    messaging,
    person_sections,
    reminders,  # noqa: F401  (registers coaching's reminder kinds)
    sms_texts,  # noqa: F401  (registers the SMS texts coaching sends)
)


def connect() -> None:
    person_pages.register_section("volunteer", 40, person_sections.volunteer_section)
    person_pages.register_events("volunteer", person_sections.volunteer_events)
    hooks.register_link_view(messaging.INVITATION, link_views.invitation_link_page)
    hooks.register_reply_handler(messaging.INVITATION, link_views.invitation_reply)
