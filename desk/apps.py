from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The roof: the coordinator's home, the reports, the morning digest and privacy across
    rooms. It reads every room below it; nothing imports it but the URL configuration."""

    name = "desk"
    verbose_name = _("Coordinator's desk")

    def ready(self):
        # Inside ready(): a reminder kind's module imports models of every room.
        from . import reminders  # noqa: F401  (registers the coordinators' morning digest)
        from .login_link import wiring as login_link_wiring  # (its link page too)
        from .password_reset import wiring  # (its link page reads volunteers)

        wiring.connect()
        login_link_wiring.connect()
