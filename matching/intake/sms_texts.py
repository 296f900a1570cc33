"""The SMS texts intake sends (the waiting list and availability reminders);
tests/notifications/test_sms_texts.py checks each in every language."""

from django.utils.translation import gettext_lazy as _

from notifications import keywords
from notifications.texts import SmsText, register
from notifications.whatsapp import WhatsAppTemplate
from notifications.whatsapp import register as register_whatsapp

# The reminders of the waiting list and of availability (matching/reminders.py); their names
# are those of the former `reminders` app (message templates and SentReminder keys).

KEEP_IN_TOUCH = "reminders.keep_in_touch"
AVAILABILITY_ENDING = "reminders.availability_ending"
# The thanks for an application through a public page (matching/intake/applications/).
APPLICATION_RECEIVED = "intake.application_received"
# Screening: a volunteer's certificate of good conduct ends soon.
CERTIFICATE_RENEWAL = "intake.certificate_renewal"
# A partner referred a participant: they say YES to be put on the waiting list.
REFERRAL_CONFIRM = "intake.referral_confirm"

register(SmsText(
    kind=KEEP_IN_TOUCH, accepts=(keywords.YES, keywords.NO),
    text=_("{organisation}: {first_name}, you are still on our list for a buddy. Still "
           "want one? Reply {reply_yes}. Rather stop? Reply {reply_no}. {coordinator_phone}"),
    description="Every few months to each participant on the waiting list.",
))
register(SmsText(
    kind=AVAILABILITY_ENDING,
    text=_("{organisation}: {first_name}, your availability as a volunteer ends soon. "
           "Want to go on? Call {coordinator_phone}"),
    description="Before a volunteer's availability period ends.",
))
register(SmsText(
    kind=APPLICATION_RECEIVED,
    text=_("{organisation}: thank you {first_name}, we received your application. We will "
           "be in touch soon. Questions? {coordinator_phone}"),
    description="Right after someone applied on a public page (volunteer or participant).",
))
register(SmsText(
    kind=CERTIFICATE_RENEWAL,
    text=_("{organisation}: {first_name}, your certificate of good conduct ends on {date}. "
           "Please bring us a new one. Questions? {coordinator_phone}"),
    description="Some weeks before a volunteer's certificate (model 2) stops counting.",
))
register(SmsText(
    kind=REFERRAL_CONFIRM, accepts=(keywords.YES,),
    # The partner is not named: "OCMW" or "CAW" on a phone screen says too much (PRODUCT.md:
    # nothing sensitive in an SMS); the coordinator names them on the phone if asked.
    text=_("{organisation}: {first_name}, you were referred to us for a buddy. Do you want "
           "one? Reply {reply_yes}. Questions? {coordinator_phone}"),
    description="After a partner referred a participant: only their YES puts them on the "
                "waiting list.",
))
# The same by WhatsApp, as the template approved under this name (per language).
register_whatsapp(WhatsAppTemplate(
    kind=KEEP_IN_TOUCH, name="buddy_keep_in_touch",
    variables=("organisation", "first_name", "coordinator_phone")))
