"""What duos plugs into the layers below it at start-up (imported once by DuosConfig.ready):
the link pages and SMS replies notifications hands back, the reminder kinds and SMS texts duos
declares, and what takes a place of a volunteer's capacity (intake asks, duos knows)."""

from django.utils.translation import gettext, gettext_lazy

from matching.intake import capacity, person_pages
from notifications import hooks

from . import (
    groups,
    link_views,
    messaging,
    person_sections,
    reminders,  # noqa: F401  (registers duos' reminder kinds)
    replies,
    selectors,
    sms_texts,  # noqa: F401  (registers the SMS texts duos sends)
)
from .models import Duo


def duo_names(keys):
    ids = hooks.key_ids(keys)
    return {ids[duo.pk]: gettext("duo %(participant)s & %(volunteer)s") % {
        "participant": duo.participant.display_name, "volunteer": duo.volunteer.display_name}
        for duo in Duo.objects.filter(pk__in=ids).select_related("participant", "volunteer")}


def connect() -> None:
    hooks.register_link_view(messaging.AGREEMENT, link_views.agreement_link_page,
                             label=gettext_lazy("Confirming the duo's agreement"))
    hooks.register_link_view(messaging.MEETING_LOG, link_views.meeting_log_link_page,
                             label=gettext_lazy("Logging a meeting"))
    hooks.register_names("duo:", duo_names)
    hooks.register_reply_handler(messaging.AGREEMENT, replies.agreement_reply)
    hooks.register_reply_handler(messaging.HOW_IS_IT_GOING, replies.how_is_it_going_reply)
    hooks.register_reply_handler(messaging.END_QUESTION, replies.end_question_reply)
    capacity.register_taken_places(selectors.active_duo_count_expression)
    hooks.register_group(groups.ACTIVE_DUOS)
    person_pages.register_section("participant", 30, person_sections.participant_section)
    person_pages.register_section("volunteer", 30, person_sections.volunteer_section)
    person_pages.register_events("participant", person_sections.participant_events)
    person_pages.register_events("volunteer", person_sections.volunteer_events)
