"""SMS replies to survey questions (registered in OutcomesConfig.ready()): notifications
hands over every reply to an open survey question (it accepts any text and STOP), and the
survey reads it itself, so that a bad reply gets words saying what is expected, and a
message meant for the coordinator goes to the inbox instead."""

from notifications import hooks

from . import services


def survey_reply(reply: hooks.Reply) -> None:
    result = services.survey_reply_received(subject=reply.subject, answer=reply.answer,
                                            text=reply.text, received_at=reply.received_at)
    if result in ("unknown", "message"):
        # Not an answer: notifications keeps it in the inbox with a task for the
        # coordinator and tells the person the coordinator will call.
        raise hooks.ReplyNotUnderstood()
