from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self):
        # The kinds of the domain apps register themselves in the registry; imports flow one
        # way (reminders -> matching/duos/coaching -> notifications), nothing imports us.
        from notifications import hooks

        from . import kinds, replies, texts  # noqa: F401

        hooks.register_reply_handler(texts.KEEP_IN_TOUCH, replies.keep_in_touch_reply)
