from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations and accounts")

    def ready(self):
        # Inside ready(): connecting a signal to the user model needs the apps loaded.
        from . import signals  # noqa: F401  (audit log of logins)
