"""The page behind the invitation's signed link (registered in CoachingConfig.ready()):
the invitee answers yes, no or maybe, and may change their mind until the session ends.
notifications resolves the token, opens the link's organisation scope and language, and
shows its friendly page when the link does not work."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render

from notifications import hooks
from notifications import services as notify

from . import services
from .models import AnswerChannel, Invitation


def _invitation_id(subject: str) -> int | None:
    kind, _sep, pk = subject.partition(":")
    return int(pk) if kind == "invitation" and pk.isdigit() else None


def invitation_link_page(request, link):
    """The invitee's answer: yes, no or maybe."""
    invitation = (Invitation.objects.select_related("session__organisation", "volunteer",
                                                    "participant")
                  .filter(pk=_invitation_id(link.subject)).first())
    if invitation is None:
        raise notify.LinkInvalid()
    person = ("volunteer", invitation.volunteer_id) if invitation.volunteer_id else (
        "participant", invitation.participant_id)
    if link.recipient_key != f"{person[0]}:{person[1]}":
        raise notify.LinkInvalid()
    context = {"invitation": invitation, "session": invitation.session,
               "organisation": invitation.session.organisation}
    if request.method == "POST":
        try:
            with transaction.atomic():
                services.invitation_answer(invitation, request.POST.get("answer", ""),
                                           AnswerChannel.LINK)
                notify.link_use(link)
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
            response = render(request, "coaching/links/invitation.html", context, status=409)
            response["Referrer-Policy"] = "no-referrer"
            return response
        return redirect(request.path)
    response = render(request, "coaching/links/invitation.html", context)
    response["Referrer-Policy"] = "no-referrer"
    return response


def invitation_reply(reply: hooks.Reply) -> None:
    """An SMS answer (JA/NEE/MISSCHIEN...) to the invitation the SMS asked about."""
    invitation_id = _invitation_id(reply.subject)
    try:
        found = services.sms_reply_received(organisation=reply.organisation_id,
                                            answer=reply.answer, invitation_id=invitation_id)
    except ValidationError as exc:
        raise hooks.ReplyNotUnderstood() from exc
    if found is None:
        raise hooks.ReplyNotUnderstood()
