"""The SMS texts and reply handlers of the reminders that belong to no single room."""

from django.utils.translation import gettext_lazy as _

from notifications import texts

KEEP_IN_TOUCH = "reminders.keep_in_touch"
AVAILABILITY_ENDING = "reminders.availability_ending"

texts.register(texts.SmsText(
    kind=KEEP_IN_TOUCH,
    text=_("{organisation}: {first_name}, you are still on our list for a buddy. Still "
           "want one? Reply YES. Rather stop? Reply NO. {coordinator_phone}"),
    description="Every few months to each participant on the waiting list.",
))
texts.register(texts.SmsText(
    kind=AVAILABILITY_ENDING,
    text=_("{organisation}: {first_name}, your availability as a volunteer ends soon. "
           "Want to go on? Call {coordinator_phone}"),
    description="Before a volunteer's availability period ends.",
))
