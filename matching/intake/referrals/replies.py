"""The participant's answer to the referral SMS, handed back by notifications' reply hook."""

from notifications import hooks, keywords

from .models import Referral
from .services import referral_confirm


def referral_reply(reply: hooks.Reply) -> None:
    """YES: on the waiting list since the referral date. Anything else: the coordinator
    gets it as a reply not understood (never a silent "no")."""
    _kind, _sep, pk = reply.subject.partition(":")
    referral = Referral.objects.filter(pk=int(pk) if pk.isdigit() else 0).first()
    if referral is None or reply.answer != keywords.YES:
        raise hooks.ReplyNotUnderstood()
    referral_confirm(referral=referral, at=reply.received_at)
