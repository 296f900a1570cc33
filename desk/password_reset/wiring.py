"""What the password reset plugs into notifications at start-up (DeskConfig.ready)."""

from notifications import hooks

from . import sms_texts  # noqa: F401  (registers the SMS text)
from .services import LINK_PURPOSE
from .views import password_reset_link_page


def connect() -> None:
    hooks.register_link_view(LINK_PURPOSE, password_reset_link_page)
