"""The SMS texts duos sends (registered at start-up by duos.wiring);
tests/notifications/test_sms_texts.py checks each in every language."""

from django.utils.translation import gettext_lazy as _

from notifications import keywords
from notifications.texts import SmsText, register

AGREEMENT_VOLUNTEER = "duos.agreement_volunteer"
AGREEMENT_PARTICIPANT = "duos.agreement_participant"
ACTIVE = "duos.active"
HOW_IS_IT_GOING = "duos.how_is_it_going"
END_QUESTION = "duos.end_question"
MEETING_LOG = "duos.meeting_log"
EXPENSE_DECIDED = "duos.expense_decided"
CLOSED = "duos.closed"

NAMES = {"other_first_name": "Maximiliaan"}

register(SmsText(
    kind=AGREEMENT_VOLUNTEER,
    text=_("{organisation}: {first_name}, please read and confirm your duo's agreement: "
           "{link} Questions? {coordinator_phone}"),
    description="The volunteer confirms the agreement by link.",
))
register(SmsText(
    kind=AGREEMENT_PARTICIPANT, segments=2, accepts=(keywords.YES, keywords.NO),
    text=_("{organisation}: {first_name}, do you agree with the agreement of your duo? "
           "Read it: {link} or reply {reply_yes} or {reply_no}. Questions? {coordinator_phone}"),
    description="The participant confirms the agreement by link or SMS reply.",
))
register(SmsText(
    kind=ACTIVE, sample=NAMES,
    text=_("{organisation}: {first_name}, your duo with {other_first_name} has started. "
           "Enjoy! Questions? {coordinator_phone}"),
    description="Both confirmed: the duo is active.",
))
register(SmsText(
    kind=HOW_IS_IT_GOING,
    text=_("{organisation}: {first_name}, how is it going with your buddy? Reply with a "
           "number from 1 (bad) to 5 (very good). Questions? {coordinator_phone}"),
    description="The participant answers 1 to 5 by SMS.",
))
register(SmsText(
    kind=END_QUESTION, segments=2,
    text=_("{organisation}: {first_name}, your duo ends on {date}. What next? Reply 1 to "
           "extend, 2 to stop, 3 to go on as friends. Questions? {coordinator_phone}"),
    description="Weeks before the end: extend, stop or friends, by SMS reply.",
))
register(SmsText(
    kind=MEETING_LOG,
    text=_("{organisation}: {first_name}, did you meet your buddy? Note it here: {link} "
           "Questions? {coordinator_phone}"),
    description="The volunteer logs a meeting through a signed link.",
))
register(SmsText(
    kind=EXPENSE_DECIDED,
    text=_("{organisation}: {first_name}, there is news about your expense claim. Look on "
           "your page or call {coordinator_phone}."),
    description="An expense was approved, rejected or paid.",
))
register(SmsText(
    kind=CLOSED,
    text=_("{organisation}: {first_name}, your duo has ended. Thank you! Your coordinator "
           "tells you what comes next. Questions? {coordinator_phone}"),
    description="The duo was closed.",
))
