from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuosConfig(AppConfig):
    name = "duos"
    verbose_name = _("Duos")

    def ready(self):
        # Inside ready(): the hooks import models, which Django allows only once apps are loaded.
        from . import wiring

        wiring.connect()
