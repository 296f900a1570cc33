"""What duos plugs into the layers below it at start-up (imported once by DuosConfig.ready):
the link pages and SMS replies notifications hands back, the reminder kinds and SMS texts duos
declares, and what takes a place of a volunteer's capacity (intake asks, duos knows)."""

from matching.intake import capacity
from notifications import hooks

from . import (
    groups,
    link_views,
    messaging,
    reminders,  # noqa: F401  (registers duos' reminder kinds)
    replies,
    selectors,
    sms_texts,  # noqa: F401  (registers the SMS texts duos sends)
)


def connect() -> None:
    hooks.register_link_view(messaging.AGREEMENT, link_views.agreement_link_page)
    hooks.register_link_view(messaging.MEETING_LOG, link_views.meeting_log_link_page)
    hooks.register_reply_handler(messaging.AGREEMENT, replies.agreement_reply)
    hooks.register_reply_handler(messaging.HOW_IS_IT_GOING, replies.how_is_it_going_reply)
    hooks.register_reply_handler(messaging.END_QUESTION, replies.end_question_reply)
    capacity.register_taken_places(selectors.active_duo_count_expression)
    hooks.register_group(groups.ACTIVE_DUOS)
