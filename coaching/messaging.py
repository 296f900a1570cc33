"""Every message coaching sends, in one place: what must reach whom, never how.

Each function takes ids (plus the calendar content where an e-mail carries one) and sends
through `notifications.services` (matching/reach.py picks the channel: someone whose
contact channel is "phone call" becomes a coordinator task instead). The services call
them inside their transaction: notifications writes the message there (its outbox) and
sends it after the commit, once per idempotency key, so a rolled-back change tells nobody
and a crash after the commit loses no message.

- invite_volunteer_by_email: a volunteer with an e-mail address; e-mail with the .ics
  (METHOD:REQUEST) and answer links. Template (planned): coaching/invitation_email.
- invite_by_sms: a participant, or a volunteer without e-mail; SMS with a link and the
  reply words (yes/no/maybe). Template: coaching/invitation_sms.
- tell_moved_up: someone whose yes moved up from the waiting list; a volunteer's e-mail
  carries the .ics. Template: coaching/moved_up.
- tell_session_changed: everyone who said yes or maybe, once each; the updated .ics
  (same UID, higher SEQUENCE) for volunteers. Template: coaching/session_changed.
- tell_session_cancelled: everyone who said yes or maybe, once each; the .ics with
  METHOD:CANCEL for volunteers. Template: coaching/session_cancelled.
- invite_again: the nudge to someone who has not answered, when the reminders go out;
  the invitation once more (e-mail with the .ics, or SMS), under its own key.
- remind: everyone with a seat or a maybe, the organisation's reminder days before the
  session, once each. Template: coaching/reminder.
- remind_on_the_day: the same on the morning of the session, once per session day.

When `ics` is None the person has no e-mail address: send an SMS.

How it is wired (notifications offers `sms_send` / `email_send(recipient=Recipient(...),
template=..., idempotency_key=..., context=..., link=LinkSpec(...),
question=QuestionSpec(...), appointment=Appointment(...))` and `hooks`):
- recipient key "volunteer:<id>" / "participant:<id>", language = message_language;
- idempotency keys: "coaching.invitation:<invitation id>", "coaching.nudge:<id>",
  "coaching.moved_up:<id>", "coaching.changed:<id>:<session sequence>",
  "coaching.cancelled:<id>:<sequence>", "coaching.reminder:<id>",
  "coaching.morning:<id>:<session day>": one per message and occasion, so a retry never
  sends twice, a second change sends again, and a nudge or the morning reminder is never
  taken for the invitation or the earlier reminder (notifications would drop it as the same
  message);
- the invitation SMS asks QuestionSpec(purpose="coaching.invitation",
  subject="invitation:<id>", accepts=(yes, no, maybe)), and coaching/apps.py registers
  `hooks.register_reply_handler("coaching.invitation", ...)` calling
  `services.sms_reply_received(organisation=reply.organisation_id, answer=reply.answer,
  invitation_id=<id>)` (raise hooks.ReplyNotUnderstood when it returns None);
- the signed link (LinkSpec purpose "coaching.invitation") gets a page registered with
  `hooks.register_link_view` that calls `services.invitation_answer(..., channel="link")`;
- notifications' own Appointment .ics has no SEQUENCE and no METHOD:CANCEL: the `ics`
  given here goes as the attachment (`Appointment.extra["ics"]`), so calendars update and
  remove the event instead of adding a second one.

Tests may replace these functions with a recording double (monkeypatch); the services look
them up on this module at call time, so the double sees every call.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.intake import reach
from notifications import services as notify

from . import sms_texts as kinds
from .models import Invitation

INVITATION = "coaching.invitation"
TITLE = _("Intervision")


def _invitation(invitation_id):
    return Invitation.objects.select_related("session", "volunteer", "participant").get(
        pk=invitation_id)


def _send(invitation_id, kind, key, line, ics=None, ask=False, call_detail=None):
    invitation = _invitation(invitation_id)
    session = invitation.session
    person = invitation.volunteer or invitation.participant
    language = reach.language_of(person)
    moment = reach.when(session.starts_at, language)
    place = session.place or reach.text_in(_("online"), language)
    channel = reach.channel_for(person)
    if channel != "call":
        if ics is not None:
            channel = "email"
        elif notify.normalise_phone(str(person.phone or "")):
            channel = "sms"
    valid_for = max(session.ends_at - timezone.now(), timedelta(hours=1))
    subject = f"invitation:{invitation.pk}"
    appointment = None
    if ics is not None and channel == "email":
        appointment = notify.Appointment(
            uid=str(session.uid), summary=session.topic, start=session.starts_at,
            end=session.ends_at, location=session.place or session.online_link,
            extra={"ics": ics, "method": "CANCEL" if b"METHOD:CANCEL" in ics else "REQUEST"})
    return reach.reach(
        person, kind=kind, key=key, channel=channel,
        context={**moment, "place": place}, email_title=TITLE,
        email_line=lambda: reach.text_in(line, language, topic=session.topic, place=place,
                                         **moment),
        link=notify.LinkSpec(purpose=INVITATION, subject=subject, valid_for=valid_for,
                             single_use=False) if ask else None,
        question=notify.QuestionSpec(purpose=INVITATION, subject=subject,
                                     accepts=("yes", "no", "maybe"), valid_for=valid_for)
        if ask and channel == "sms" else None,
        appointment=appointment,
        call_detail=call_detail or _("Tell them about the intervision session."),
    )


INVITED = _("You are invited to the intervision \"%(topic)s\" on %(weekday)s %(date)s at "
            "%(time)s, %(place)s. Will you come? Answer through the link.")


def invite_volunteer_by_email(invitation_id: int, ics: bytes) -> None:
    """E-mail a volunteer their invitation, with the calendar attachment and answer links."""
    _send(invitation_id, kinds.INVITATION, f"coaching.invitation:{invitation_id}", INVITED,
          ics=ics, ask=True,
          call_detail=_("Invite them to the intervision session and record their answer."))


def invite_by_sms(invitation_id: int) -> None:
    """SMS an invitation (participants; volunteers without e-mail): date, place, a link to
    answer, and the reply words (yes/no/maybe), handled by `coaching.services.sms_reply_received`.
    """
    _send(invitation_id, kinds.INVITATION, f"coaching.invitation:{invitation_id}", INVITED,
          ask=True,
          call_detail=_("Invite them to the intervision session and record their answer."))


def invite_again(invitation_id: int, ics: bytes | None = None) -> None:
    """Invite once more someone who has not answered (the nudge): the invitation's message,
    link and reply words, under a key of its own."""
    _send(invitation_id, kinds.INVITATION, f"coaching.nudge:{invitation_id}", INVITED,
          ics=ics, ask=True,
          call_detail=_("Invite them to the intervision session and record their answer."))


def tell_moved_up(invitation_id: int, ics: bytes | None = None) -> None:
    """Tell someone on the waiting list that a seat freed up and it is now theirs."""
    invitation = _invitation(invitation_id)
    stamp = f"{invitation.answered_at.timestamp():.0f}" if invitation.answered_at else "0"
    _send(invitation_id, kinds.MOVED_UP, f"coaching.moved_up:{invitation_id}:{stamp}",
          _("Good news: a place came free. You can come to \"%(topic)s\" on %(weekday)s "
            "%(date)s at %(time)s, %(place)s."), ics=ics,
          call_detail=_("A place came free: tell them they can come."))


def tell_session_changed(invitation_id: int, ics: bytes | None = None) -> None:
    """Tell someone who said yes or maybe that the time or place changed."""
    sequence = _invitation(invitation_id).session.sequence
    _send(invitation_id, kinds.CHANGED, f"coaching.changed:{invitation_id}:{sequence}",
          _("The intervision \"%(topic)s\" has changed. It is now on %(weekday)s %(date)s "
            "at %(time)s, %(place)s."), ics=ics,
          call_detail=_("The session changed: tell them the new time and place."))


def tell_session_cancelled(invitation_id: int, ics: bytes | None = None) -> None:
    """Tell someone who said yes or maybe that the session is cancelled."""
    sequence = _invitation(invitation_id).session.sequence
    _send(invitation_id, kinds.CANCELLED, f"coaching.cancelled:{invitation_id}:{sequence}",
          _("Sorry, the intervision \"%(topic)s\" of %(weekday)s %(date)s is cancelled."),
          ics=ics, call_detail=_("The session is cancelled: tell them."))


REMINDED = _("See you at the intervision \"%(topic)s\" on %(weekday)s %(date)s at %(time)s, "
             "%(place)s.")


def remind(invitation_id: int, ics: bytes | None = None) -> None:
    """Remind someone with a seat or a maybe that the session is coming up."""
    _send(invitation_id, kinds.REMINDER, f"coaching.reminder:{invitation_id}", REMINDED,
          ics=ics)


def remind_on_the_day(invitation_id: int, ics: bytes | None = None) -> None:
    """Remind them again on the morning of the session (once per session day: a session
    moved to another day is reminded again that morning)."""
    day = timezone.localdate(_invitation(invitation_id).session.starts_at)
    _send(invitation_id, kinds.REMINDER, f"coaching.morning:{invitation_id}:{day.isoformat()}",
          REMINDED, ics=ics)
