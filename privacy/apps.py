from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Retention, a person's data export and erasure, and consent to messages.

    It sits above the rooms (matching, duos, coaching, notifications) and calls each room's
    own `privacy.py`, so that imports stay one-way: no room imports this app.
    """

    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        from matching.privacy import messages_refused
        from notifications import hooks

        hooks.register_consent_check("participant:", messages_refused)
