"""Every message and signed link the duos room needs, in one small module.

The notifications app (SMS and e-mail backends, templates per language, signed links, the
message log, quiet hours) is being built in parallel and is not on this branch. Until it
lands, each function here only logs at INFO what must be sent and returns None: nothing
reaches anybody yet. Once it lands, each function calls `notifications.services` with
the recipient, a template name and a context (ids only, nothing sensitive), and the
replies come back through the reply handlers in `duos.services`:

- `agreement_reply_received(duo_id=..., reply=...)` for `ask_participant_to_confirm_agreement`
- `how_is_it_going_reply_received(duo_id=..., score=...)` for `ask_how_it_is_going`
- `end_question_reply_received(duo_id=..., side=..., answer=...)` for `ask_end_question`

The functions take a duo (or ids) and describe what must be sent; the services call them
after their transaction commits (`transaction.on_commit`), so a rolled-back change sends
nothing.
"""

import logging

logger = logging.getLogger(__name__)


def _placeholder(what: str, duo_id: int, **context) -> None:
    details = " ".join(f"{key}={value}" for key, value in sorted(context.items()))
    logger.info("duos message not sent yet (notifications app pending): %s duo=%s %s",
                what, duo_id, details)
    return None


def ask_volunteer_to_confirm_agreement(duo) -> None:
    """E-mail/SMS to the volunteer with a signed link to read and confirm the agreement."""
    return _placeholder("ask_volunteer_to_confirm_agreement", duo.pk,
                        volunteer=duo.volunteer_id)


def ask_participant_to_confirm_agreement(duo) -> None:
    """SMS to the participant: a signed link to the agreement, or reply YES (1) / NO (2)."""
    return _placeholder("ask_participant_to_confirm_agreement", duo.pk,
                        participant=duo.participant_id)


def tell_duo_is_active(duo) -> None:
    """Both confirmed: tells both that the duo starts, with the agreed end date."""
    return _placeholder("tell_duo_is_active", duo.pk)


def ask_how_it_is_going(duo) -> None:
    """SMS to the participant: how is it going with your buddy? Reply 1 (bad) to 5 (good)."""
    return _placeholder("ask_how_it_is_going", duo.pk, participant=duo.participant_id)


def ask_end_question(duo, side) -> None:
    """SMS/e-mail to one side, weeks before the end: reply EXTEND, CLOSE or FRIENDS."""
    return _placeholder("ask_end_question", duo.pk, side=side)


def send_meeting_log_link(duo) -> None:
    """Reminder to the volunteer with a signed login link to the meeting-log page."""
    return _placeholder("send_meeting_log_link", duo.pk, volunteer=duo.volunteer_id)


def tell_expense_decided(expense) -> None:
    """Tells the volunteer that an expense was approved, rejected or paid."""
    return _placeholder("tell_expense_decided", expense.duo_id, expense=expense.pk,
                        status=expense.status)


def tell_duo_closed(duo) -> None:
    """Thanks both for the duo and says what happens next (waiting list, pool)."""
    return _placeholder("tell_duo_closed", duo.pk)
