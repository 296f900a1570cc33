"""What the login link plugs into notifications at start-up (DeskConfig.ready)."""

from django.utils.translation import gettext_lazy

from notifications import hooks

from . import sms_texts  # noqa: F401  (registers the SMS text)
from .services import LINK_PURPOSE
from .views import login_link_page


def connect() -> None:
    hooks.register_link_view(LINK_PURPOSE, login_link_page,
                             label=gettext_lazy("Logging in by link"))
