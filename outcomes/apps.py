from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("Outcomes")

    def ready(self):
        # Inside ready(): the hooks import models, which Django allows only once apps are loaded.
        from . import wiring

        wiring.connect()
