from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = _("Coaching and intervision")

    def ready(self):
        from notifications import hooks

        from . import (
            link_views,
            messaging,
            reminders,  # noqa: F401  (registers coaching's reminder kinds)
            sms_texts,  # noqa: F401  (registers the SMS texts coaching sends)
        )

        hooks.register_link_view(messaging.INVITATION, link_views.invitation_link_page)
        hooks.register_reply_handler(messaging.INVITATION, link_views.invitation_reply)
