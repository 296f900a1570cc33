"""Every message coaching sends, in one place: what must reach whom, never how.

PLACEHOLDER until the notifications app lands. Each function takes ids (plus the calendar
content where an e-mail carries one), logs at INFO what must be sent, and returns None.
They will call `notifications.services` (one message per call, a template name per
function below, the person's own language, a signed link for the answer, deduplicated by
the notifications app's message log so that a retry never sends twice).

The services call these only after their transaction commits (`transaction.on_commit`),
so a rolled-back change never tells anyone anything. When wiring: if
`notifications.services` records its message in the caller's transaction (a transactional
outbox, sent by a task after the commit), move the calls inside the transaction instead
(`coaching.services._after_commit`), so that a crash between the commit and the sending
loses no message.

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
- remind: everyone with a seat or a maybe, the organisation's reminder days before the
  session, once each. Template: coaching/reminder.

When `ics` is None the person has no e-mail address: send an SMS.

Wiring (notifications on main offers `sms_send` / `email_send(recipient=Recipient(...),
template=..., idempotency_key=..., context=..., link=LinkSpec(...),
question=QuestionSpec(...), appointment=Appointment(...))` and `hooks`):
- recipient key "volunteer:<id>" / "participant:<id>", language = message_language;
- idempotency keys: "coaching.invitation:<invitation id>", "coaching.moved_up:<id>",
  "coaching.changed:<id>:<session sequence>", "coaching.cancelled:<id>:<sequence>",
  "coaching.reminder:<id>": a retry never sends twice, a second change sends again;
- the invitation SMS asks QuestionSpec(purpose="coaching.invitation",
  subject=str(invitation id), accepts=(yes, no, maybe)), and coaching/apps.py registers
  `hooks.register_reply_handler("coaching.invitation", ...)` calling
  `services.sms_reply_received(organisation=reply.organisation_id, answer=reply.answer,
  invitation_id=int(reply.subject))` (raise hooks.ReplyNotUnderstood when it returns None);
- the signed link (LinkSpec purpose "coaching.invitation") gets a page registered with
  `hooks.register_link_view` that calls `services.invitation_answer(..., channel="link")`;
- notifications' own Appointment .ics has no SEQUENCE and no METHOD:CANCEL: pass the
  `ics` given here as the attachment (or extend Appointment), so calendars update and
  remove the event instead of adding a second one.

Tests replace these functions with a recording double (monkeypatch); the services look
them up on this module at call time, so the double sees every call.
"""

import logging

logger = logging.getLogger(__name__)


def invite_volunteer_by_email(invitation_id: int, ics: bytes) -> None:
    """E-mail a volunteer their invitation, with the calendar attachment and answer links."""
    logger.info("coaching: must e-mail invitation %s with a calendar attachment (%d bytes)",
                invitation_id, len(ics))


def invite_by_sms(invitation_id: int) -> None:
    """SMS an invitation (participants; volunteers without e-mail): date, place, a link to
    answer, and the reply words (yes/no/maybe), handled by `coaching.services.sms_reply_received`.
    """
    logger.info("coaching: must SMS invitation %s", invitation_id)


def tell_moved_up(invitation_id: int, ics: bytes | None = None) -> None:
    """Tell someone on the waiting list that a seat freed up and it is now theirs."""
    logger.info("coaching: must tell invitation %s it moved up from the waiting list",
                invitation_id)


def tell_session_changed(invitation_id: int, ics: bytes | None = None) -> None:
    """Tell someone who said yes or maybe that the time or place changed."""
    logger.info("coaching: must tell invitation %s that the session changed", invitation_id)


def tell_session_cancelled(invitation_id: int, ics: bytes | None = None) -> None:
    """Tell someone who said yes or maybe that the session is cancelled."""
    logger.info("coaching: must tell invitation %s that the session is cancelled",
                invitation_id)


def remind(invitation_id: int, ics: bytes | None = None) -> None:
    """Remind someone with a seat or a maybe that the session is coming up."""
    logger.info("coaching: must remind invitation %s of the session", invitation_id)
