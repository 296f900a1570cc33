"""Reads of conversations: a person's thread and the organisation's inbox (in the caller's
organisation scope, constant queries)."""

from django.db.models import Q

from .. import hooks
from ..models import Direction, Message
from .services import PHONE_PREFIX, key_for, thread_filter

THREAD_LIMIT = 200
INBOX_LIMIT = 200


def thread(key: str, limit: int = THREAD_LIMIT) -> list[Message]:
    """Every message in and out of the person (SMS, e-mail, WhatsApp, recorded calls),
    newest last: the latest `limit`."""
    rows = list(Message.objects.filter(thread_filter(key)).select_related("author")
                .order_by("-created_at", "-pk")[:limit])
    rows.reverse()
    return rows


def inbox(*, handled: bool = False, limit: int = INBOX_LIMIT) -> list[Message]:
    """Messages from people that answer no question and wait for a coordinator (or, with
    `handled`, the latest ones handled), newest first, each with `conversation_key` and
    `person_url`."""
    rows = Message.objects.filter(direction=Direction.IN, organisation__isnull=False)
    if handled:
        rows = rows.filter(handled_at__isnull=False).select_related("handled_by").order_by(
            "-handled_at", "-pk")
    else:
        rows = rows.filter(handled_at__isnull=True).order_by("-created_at", "-pk")
    rows = list(rows[:limit])
    for row in rows:
        row.conversation_key = key_for(row.recipient_key, row.phone)
        row.person_url = hooks.person_url(row.recipient_key) if row.recipient_key else None
    return rows


def inbox_unread_count() -> int:
    return Message.objects.filter(direction=Direction.IN, handled_at__isnull=True,
                                  organisation__isnull=False).count()


def thread_exists(key: str) -> bool:
    """A conversation of the organisation (a person it wrote to or who wrote to it)."""
    if not key:
        return False
    if key.startswith(PHONE_PREFIX):
        return Message.objects.filter(thread_filter(key)).exists()
    return bool(hooks.contacts([key])) or Message.objects.filter(Q(recipient_key=key)).exists()
