"""The page behind the invitation's signed link (registered in CoachingConfig.ready()):
the invitee answers yes, no or maybe, and may change their mind until the session ends.
notifications resolves the token, opens the link's organisation scope and language, and
shows its friendly page when the link does not work."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from notifications import hooks, link_pages

from . import services
from .models import AnswerChannel, Invitation


def _invitation_id(subject: str) -> int | None:
    kind, _sep, pk = subject.partition(":")
    return int(pk) if kind == "invitation" and pk.isdigit() else None


def invitation_link_page(request, link):
    """The invitee's answer: yes, no or maybe."""
    invitation = (Invitation.objects.select_related("session__organisation", "volunteer",
                                                    "participant")
                  .filter(pk=link_pages.subject_id(link, "invitation")).first())
    if invitation is None:
        link_pages.check_recipient(link, "invitation", None)  # not found: opens nothing
    elif invitation.volunteer_id:
        link_pages.check_recipient(link, "volunteer", invitation.volunteer_id)
    else:
        link_pages.check_recipient(link, "participant", invitation.participant_id)
    context = {"invitation": invitation, "session": invitation.session,
               "organisation": invitation.session.organisation}
    if request.method == "POST":
        try:
            link_pages.spend(link, lambda: services.invitation_answer(
                invitation, request.POST.get("answer", ""), AnswerChannel.LINK))
        except ValidationError as exc:
            context["error"] = link_pages.error_text(exc)
            return link_pages.page(request, "coaching/links/invitation.html", context,
                                   status=409)
        return redirect(request.path)
    return link_pages.page(request, "coaching/links/invitation.html", context)


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
