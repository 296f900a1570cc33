"""What coaching plugs into the layers below it at start-up (imported once by
CoachingConfig.ready): the invitation's link page and SMS reply, its reminder kinds and texts."""

from django.utils.translation import gettext, gettext_lazy

from matching.intake import person_pages
from notifications import hooks

from . import (
    groups,
    link_views,
    messaging,
    person_sections,
    reminders,  # noqa: F401  (registers coaching's reminder kinds)
    sms_texts,  # noqa: F401  (registers the SMS texts coaching sends)
)
from .models import IntervisionSession, Invitation


def invitation_names(keys):
    ids = hooks.key_ids(keys)
    return {ids[i.pk]: gettext("invitation to %(topic)s") % {"topic": i.session.topic}
            for i in Invitation.objects.filter(pk__in=ids).select_related("session")}


def session_names(keys):
    ids = hooks.key_ids(keys)
    return {ids[s.pk]: s.topic for s in IntervisionSession.objects.filter(pk__in=ids)}


def connect() -> None:
    person_pages.register_section("volunteer", 40, person_sections.volunteer_section)
    person_pages.register_events("volunteer", person_sections.volunteer_events)
    hooks.register_link_view(messaging.INVITATION, link_views.invitation_link_page,
                             label=gettext_lazy("Answering an invitation"))
    hooks.register_names("invitation:", invitation_names)
    hooks.register_names("session:", session_names)
    hooks.register_reply_handler(messaging.INVITATION, link_views.invitation_reply)
    hooks.register_group(groups.INVITED)
