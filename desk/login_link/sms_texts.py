"""The SMS with a volunteer's single-use login link; tests/notifications/test_sms_texts.py
checks it in every language."""

from django.utils.translation import gettext_lazy as _

from notifications.texts import SmsText, register

LOGIN_LINK = "desk.login_link"

register(SmsText(
    kind=LOGIN_LINK,
    text=_("{organisation}: log in once within 15 min: {link} Not you? Ignore this SMS. "
           "{coordinator_phone}"),
    # The person asked for it a moment ago on the site: it goes at once, even at night.
    immediate=True,
    description="A volunteer asked for a link to log in without a password.",
))
