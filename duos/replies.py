"""SMS replies to the questions duos asks (registered in DuosConfig.ready()): notifications
hands over the answer it read (yes/no, a number) and the question's subject."""

from notifications import hooks

from . import services


def _duo_id(reply) -> int:
    parts = reply.subject.split(":")
    if parts[0] != "duo" or len(parts) < 2 or not parts[1].isdigit():
        raise hooks.ReplyNotUnderstood()
    return int(parts[1])


def agreement_reply(reply: hooks.Reply) -> None:
    """YES confirms the participant's side of the agreement, NO alerts the coordinator."""
    word = {"yes": "yes", "no": "no"}.get(reply.answer, "")
    if services.agreement_reply_received(duo_id=_duo_id(reply), reply=word) == (
            "not_understood"):
        raise hooks.ReplyNotUnderstood()


def how_is_it_going_reply(reply: hooks.Reply) -> None:
    """1 to 5; a low answer alerts the coordinator."""
    result = services.how_is_it_going_reply_received(duo_id=_duo_id(reply),
                                                     score=reply.number)
    if result != "recorded":
        raise hooks.ReplyNotUnderstood()


def end_question_reply(reply: hooks.Reply) -> None:
    """1 extend, 2 stop, 3 friends, for the side the question was asked to."""
    parts = reply.subject.split(":")
    side = parts[2] if len(parts) > 2 else ""
    result = services.end_question_reply_received(duo_id=_duo_id(reply), side=side,
                                                  answer=str(reply.number or ""))
    if result == "not_understood":
        raise hooks.ReplyNotUnderstood()
