"""The SMS texts coaching sends (registered at start-up by coaching.wiring);
tests/notifications/test_sms_texts.py checks each in every language."""

from django.utils.translation import gettext_lazy as _

from notifications import keywords
from notifications.texts import SmsText, register

INVITATION = "coaching.invitation"
MOVED_UP = "coaching.moved_up"
CHANGED = "coaching.changed"
CANCELLED = "coaching.cancelled"
REMINDER = "coaching.reminder"

register(SmsText(
    kind=INVITATION, segments=2,
    accepts=(keywords.YES, keywords.NO, keywords.MAYBE),
    text=_("{organisation}: {first_name}, you are invited to a group meeting on {weekday} "
           "{date} at {time}, {place}. Coming? Reply {reply_yes}, {reply_no} or {reply_maybe}, "
           "or answer here: "
           "{link} Questions? {coordinator_phone}"),
    description="Invitation to an intervision session: SMS reply or link.",
))
register(SmsText(
    kind=MOVED_UP,
    text=_("{organisation}: {first_name}, good news: a place came free. You can come to "
           "the group meeting on {date} at {time}. Questions? {coordinator_phone}"),
    description="A yes on the waiting list got a seat.",
))
register(SmsText(
    kind=CHANGED, segments=2,
    text=_("{organisation}: {first_name}, the group meeting has changed. It is now on "
           "{weekday} {date} at {time}, {place}. Questions? {coordinator_phone}"),
    description="The time or place of a session changed.",
))
register(SmsText(
    kind=CANCELLED,
    text=_("{organisation}: {first_name}, sorry, the group meeting of {date} is cancelled. "
           "Questions? {coordinator_phone}"),
    description="A session was cancelled.",
))
register(SmsText(
    kind=REMINDER, segments=2,
    text=_("{organisation}: {first_name}, see you at the group meeting on {weekday} {date} "
           "at {time}, {place}. Questions? {coordinator_phone}"),
    description="Reminder before a session.",
))
