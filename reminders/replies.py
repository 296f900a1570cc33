"""Answers to the keep-in-touch SMS, reported back by notifications' reply hook."""

from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import hooks, keywords, services


def keep_in_touch_reply(reply: hooks.Reply) -> None:
    """YES: still waiting, the contact is noted. NO: a task to confirm the stop with them;
    nobody leaves the waiting list without a coordinator."""
    from matching.models import Participant, ParticipantStatus

    participant = Participant.objects.filter(
        pk=int(reply.subject.rsplit(":", 1)[1])).first()
    if participant is None or participant.status != ParticipantStatus.WAITING:
        raise hooks.ReplyNotUnderstood()
    participant.last_contact_on = timezone.localdate(reply.received_at)
    participant.save(update_fields=["last_contact_on"])
    if reply.answer == keywords.NO:
        services.task_open(
            organisation_id=participant.organisation_id, kind="keep_in_touch",
            recipient_key=reply.recipient_key, first_name=participant.first_name,
            phone=str(participant.phone or ""),
            detail=_("Answered NO to the keep-in-touch SMS: call to confirm they want to "
                     "leave the waiting list."))
    elif reply.answer != keywords.YES:
        raise hooks.ReplyNotUnderstood()
