"""The SMS a volunteer without an e-mail address gets for a password reset;
tests/notifications/test_sms_texts.py checks it in every language."""

from django.utils.translation import gettext_lazy as _

from notifications.texts import SmsText, register

PASSWORD_RESET = "desk.password_reset"

register(SmsText(
    kind=PASSWORD_RESET,
    text=_("{organisation}: set a new password within 1 hour: {link} Not asked by you? "
           "Ignore this SMS. {coordinator_phone}"),
    # The person asked for it a moment ago on the site: it goes at once, even at night.
    immediate=True,
    description="A volunteer without an e-mail address asked for a new password.",
))
