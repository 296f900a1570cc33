from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations and accounts")

    def ready(self):
        from matching.privacy import messages_refused
        from notifications import hooks

        from . import (
            reminders,  # noqa: F401  (the coordinators' morning digest: reads every room)
            signals,  # noqa: F401  (audit log of logins)
        )

        # Privacy (organisations/privacy/) sits above the rooms: matching's consent check is
        # registered here, so that notifications imports no room.
        hooks.register_consent_check("participant:", messages_refused)
