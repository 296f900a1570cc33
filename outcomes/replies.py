"""SMS replies to survey questions (registered in OutcomesConfig.ready()): notifications
hands over every reply to an open survey question (it accepts any text and STOP), and the
survey reads it itself, so that a bad reply gets words saying what is expected."""

from notifications import hooks

from . import services


def survey_reply(reply: hooks.Reply) -> None:
    result = services.survey_reply_received(subject=reply.subject, answer=reply.answer,
                                            text=reply.text, received_at=reply.received_at)
    if result == "unknown":
        raise hooks.ReplyNotUnderstood()
