from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Intake, waiting list and matching")

    def ready(self):
        from django.urls import reverse

        from notifications import hooks

        from . import (
            messaging,
            proposal_views,
            reminders,  # registers matching's reminder kinds
            sms_texts,  # noqa: F401  (registers the SMS texts matching sends)
        )

        hooks.register_reply_handler(messaging.PROPOSAL_LINK, messaging.handle_reply)
        hooks.register_link_view(messaging.PROPOSAL_LINK, proposal_views.participant_link_page)
        hooks.register_link_view(messaging.OFFER_LINK, proposal_views.volunteer_link_page)
        hooks.register_reply_handler(sms_texts.KEEP_IN_TOUCH, reminders.keep_in_touch_reply)

        def person_url(key):
            role, _sep, pk = key.partition(":")
            if not pk.isdigit():
                return None
            name = {"participant": "participant_detail", "volunteer": "volunteer_detail"}
            return reverse(f"matching:{name[role]}", args=[int(pk)]) if role in name else None

        hooks.register_person_url("participant:", person_url)
        hooks.register_person_url("volunteer:", person_url)
