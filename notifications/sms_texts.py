"""The SMS that notifications itself sends: answers to STOP, HELP and a reply it did not
understand. The domain apps register theirs the same way (see texts.py)."""

from django.utils.translation import gettext_lazy as _

from .texts import SmsText, register

ANSWER = "notifications.answer"
GROUP = "notifications.group"

register(SmsText(
    kind="notifications.stopped",
    text=_("{organisation}: you will get no more SMS from us. Questions? Call "
           "{coordinator_phone}."),
    immediate=True,
    description="Answer to STOP.",
))
register(SmsText(
    kind="notifications.help",
    text=_("{organisation}: your coordinator will call you. You can also call "
           "{coordinator_phone}. Reply {reply_stop} for no more SMS."),
    immediate=True, accepts=("stop",),
    description="Answer to HELP, HULP or AIDE.",
))
register(SmsText(
    kind="notifications.not_understood",
    text=_("{organisation}: sorry, we did not understand your answer. Your coordinator "
           "will call you, or call {coordinator_phone}."),
    immediate=True,
    description="Answer to a reply that fits no open question.",
))
register(SmsText(
    kind=ANSWER, segments=3, daily_limit=False,
    text=_("{organisation}: {message} Questions? {coordinator_phone}"),
    description="A coordinator's own answer in a conversation (at most three segments).",
))
register(SmsText(
    kind=GROUP, segments=3,
    text=_("{organisation}: {message} Questions? {coordinator_phone}"),
    description="A coordinator's message to a group, one text per language.",
))
