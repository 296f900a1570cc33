"""What the password reset plugs into notifications at start-up (DeskConfig.ready)."""

from django.utils.translation import gettext_lazy

from notifications import hooks
from organisations.models import User

from . import sms_texts  # noqa: F401  (registers the SMS text)
from .services import LINK_PURPOSE
from .views import password_reset_link_page


def user_names(keys):
    """The staff members behind "user:<id>" keys (the morning digest, a password reset)."""
    ids = hooks.key_ids(keys)
    return {ids[user.pk]: user.get_full_name() or user.username
            for user in User.scoped.filter(pk__in=ids)}


def connect() -> None:
    hooks.register_link_view(LINK_PURPOSE, password_reset_link_page,
                             label=gettext_lazy("Choosing a new password"))
    hooks.register_names("user:", user_names)
