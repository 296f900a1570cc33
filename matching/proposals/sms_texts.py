"""The SMS texts of proposals: the participant's choice, the volunteer's offer and the
introduction meeting; tests/notifications/test_sms_texts.py checks each in every language."""

from django.utils.translation import gettext_lazy as _

from notifications import keywords
from notifications.texts import SmsText, register
from notifications.whatsapp import WhatsAppTemplate
from notifications.whatsapp import register as register_whatsapp

PROPOSAL = "matching.proposal"
PROPOSAL_REMINDER = "matching.proposal_reminder"
CHOICE_RECEIVED = "matching.choice_received"
ANSWER_NONE = "matching.answer_none"
ANSWER_CALL = "matching.answer_call"
BACK_ON_WAITING_LIST = "matching.back_on_waiting_list"
VOLUNTEER_OFFER = "matching.volunteer_offer"
INTRODUCTION_MEETING = "matching.introduction_meeting"

NAMES = {"buddy_first_name": "Maximiliaan", "other_first_name": "Maximiliaan",
         "participant_first_name": "Annemieke"}

register(SmsText(
    kind=PROPOSAL, segments=2, sample=NAMES, accepts=(keywords.NONE, keywords.CALL),
    text=_("{organisation}: {first_name}, we have a buddy proposal for you. Choose here: "
           "{link} or reply with a number ({choices}), {reply_none} or {reply_call}. "
           "Questions? "
           "{coordinator_phone}"),
    description="A proposal: the participant's link, and the numbers to reply.",
))
register(SmsText(
    kind=PROPOSAL_REMINDER, segments=2, sample=NAMES,
    accepts=(keywords.NONE, keywords.CALL),
    text=_("{organisation}: {first_name}, your buddy proposal is still waiting. Choose: "
           "{link} or reply with a number, {reply_none} or {reply_call}. Questions? "
           "{coordinator_phone}"),
    description="Reminder of an unanswered proposal.",
))
register(SmsText(
    kind=CHOICE_RECEIVED, sample=NAMES,
    text=_("{organisation}: thank you {first_name}, we now ask {buddy_first_name} and let "
           "you know. Questions? {coordinator_phone}"),
    description="The participant's choice was received.",
))
register(SmsText(
    kind=ANSWER_NONE, sample=NAMES,
    text=_("{organisation}: thank you {first_name}, we have your answer. You keep your "
           "place on the waiting list. Questions? {coordinator_phone}"),
    description="'None of these' was received.",
))
register(SmsText(
    kind=ANSWER_CALL, sample=NAMES,
    text=_("{organisation}: thank you {first_name}, your coordinator will call you soon. "
           "You can also call {coordinator_phone}."),
    description="'Call me' was received.",
))
register(SmsText(
    kind=BACK_ON_WAITING_LIST, sample=NAMES,
    text=_("{organisation}: {first_name}, the buddy you chose cannot go on. You keep your "
           "place on the waiting list. Questions? {coordinator_phone}"),
    description="The chosen volunteer declined and nobody else is free.",
))
register(SmsText(
    kind=VOLUNTEER_OFFER, segments=2, sample=NAMES,
    text=_("{organisation}: {first_name}, {participant_first_name} chose you as buddy. Do "
           "you accept? Answer here: {link} Questions? {coordinator_phone}"),
    description="The chosen volunteer is asked to accept.",
))
register(SmsText(
    kind=INTRODUCTION_MEETING, segments=2, sample=NAMES,
    text=_("{organisation}: {first_name}, your introduction meeting with {other_first_name} "
           "is on {weekday} {date} at {time}, {place}. Questions? {coordinator_phone}"),
    description="When and where the introduction meeting is.",
))
# The proposal by WhatsApp, as the template approved under this name (per language).
register_whatsapp(WhatsAppTemplate(
    kind=PROPOSAL, name="buddy_proposal",
    variables=("organisation", "first_name", "link", "choices", "coordinator_phone")))
