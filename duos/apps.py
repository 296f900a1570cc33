from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuosConfig(AppConfig):
    name = "duos"
    verbose_name = _("Duos")

    def ready(self):
        from notifications import hooks

        from . import (
            link_views,
            messaging,
            reminders,  # noqa: F401  (registers duos' reminder kinds)
            replies,
            sms_texts,  # noqa: F401  (registers the SMS texts duos sends)
        )

        hooks.register_link_view(messaging.AGREEMENT, link_views.agreement_link_page)
        hooks.register_link_view(messaging.MEETING_LOG, link_views.meeting_log_link_page)
        hooks.register_reply_handler(messaging.AGREEMENT, replies.agreement_reply)
        hooks.register_reply_handler(messaging.HOW_IS_IT_GOING, replies.how_is_it_going_reply)
        hooks.register_reply_handler(messaging.END_QUESTION, replies.end_question_reply)
