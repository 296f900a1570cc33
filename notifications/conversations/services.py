"""Conversations: a coordinator's own answer to a person, a phone call they record, and the
inbox (an inbound message that answers no question waits there until it is answered or
closed). Every answer goes through the same sending rules as any message: once per
idempotency key, consent, STOP, quiet hours (unless the coordinator confirms sending
during them)."""

import uuid

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import Organisation

from .. import hooks, journal, services, texts
from ..models import (
    Channel,
    CoordinatorTask,
    Direction,
    Message,
    RecipientRole,
    Status,
    TaskKind,
)
from ..quiet_hours import is_quiet
from ..segments import SegmentCount
from ..sms_texts import ANSWER

ANSWER_MAX_SEGMENTS = 3
# The tasks an answer settles (the person wrote; now they have an answer), and those a
# recorded phone call settles too (the coordinator was to call).
ANSWERED_TASKS = (TaskKind.UNEXPECTED_REPLY, TaskKind.HELP, TaskKind.SHARED_NUMBER,
                  TaskKind.UNKNOWN_SENDER)
CALLED_TASKS = ANSWERED_TASKS + (TaskKind.CALL_UNDELIVERED, TaskKind.CALL_OPTED_OUT,
                                 TaskKind.CALL_NO_CONSENT, TaskKind.CALL_PREFERRED)
PHONE_PREFIX = "phone:"


class AnswerRefused(Exception):
    """The answer cannot go out (no way to reach the person, too long): the message says
    why, in the coordinator's language."""


def new_token() -> str:
    """The idempotency token a form carries: the same token twice is the same answer."""
    return uuid.uuid4().hex


def key_for(recipient_key: str, phone) -> str:
    """The conversation of a person, or of a number nobody knows (an unknown sender)."""
    return recipient_key or (f"{PHONE_PREFIX}{phone}" if phone else "")


def thread_filter(key: str) -> Q:
    if key.startswith(PHONE_PREFIX):
        return Q(recipient_key=key) | Q(recipient_key="", phone=key.removeprefix(PHONE_PREFIX))
    return Q(recipient_key=key)


def contact_for(organisation_id: int, key: str) -> hooks.Contact | None:
    """How the person of `key` is reached today: the owning app's record, else (a number
    nobody knows) what the last message of the conversation says."""
    if not key:
        return None
    found = hooks.contacts([key]).get(key)
    if found is not None:
        return found
    last = (Message.objects.filter(thread_filter(key), organisation_id=organisation_id)
            .exclude(channel=Channel.PHONE).order_by("-created_at", "-pk").first())
    if last is None:
        return None
    return hooks.Contact(
        key=key, first_name=last.first_name, language=last.language,
        phone=str(last.phone or ""), email=last.email,
        channel=last.channel if last.channel in (Channel.SMS, Channel.EMAIL) else Channel.SMS,
        role=last.recipient_role or RecipientRole.PARTICIPANT)


def answer_channel(contact: hooks.Contact) -> str:
    """The channel an answer takes: the person's own (an SMS when they are phoned and
    have a mobile number: they wrote to us), or "" when nothing reaches them."""
    has_phone = bool(services.normalise_phone(contact.phone))
    if contact.channel == Channel.EMAIL and contact.email:
        return Channel.EMAIL
    if contact.channel == Channel.WHATSAPP and has_phone:
        return Channel.WHATSAPP
    if has_phone:
        return Channel.SMS
    return Channel.EMAIL if contact.email else ""


def answer_preview(organisation_id: int, language: str, text: str) -> tuple[str, SegmentCount]:
    """The SMS the answer becomes, and its segments."""
    return services.sms_preview(organisation_id=organisation_id, template=ANSWER,
                                language=language, context={"message": text.strip()})


def answer_problems(organisation_id: int, contact: hooks.Contact, text: str) -> list[str]:
    """Why this answer cannot go out as it is (empty when it can)."""
    errors = []
    if not text.strip():
        errors.append(_("Write an answer."))
    if answer_channel(contact) in (Channel.SMS, Channel.WHATSAPP):
        _body, counted = answer_preview(organisation_id, contact.language, text)
        if counted.segments > ANSWER_MAX_SEGMENTS:
            errors.append(_(
                "This answer takes %(counted)s SMS segments; at most %(most)s are allowed. "
                "Shorten it.") % {"counted": counted.segments, "most": ANSWER_MAX_SEGMENTS})
    words = texts.sensitive_words_in(text)
    if words:
        errors.append(_("Sensitive words do not belong in a message others may read on a "
                        "phone screen: %(words)s.") % {"words": ", ".join(words)})
    return errors


def quiet_now(organisation_id: int) -> bool:
    rules = services.messaging_settings(organisation_id)
    return is_quiet(timezone.now(), rules.quiet_hours_start, rules.quiet_hours_end)


def _settle(organisation_id: int, key: str, user, kinds) -> None:
    """The person's waiting messages are handled, and their open tasks of `kinds` done."""
    now = timezone.now()
    waiting = Message.objects.filter(thread_filter(key), organisation_id=organisation_id,
                                     direction=Direction.IN, handled_at__isnull=True)
    waiting_ids = list(waiting.values_list("pk", flat=True))
    waiting.update(handled_at=now, handled_by=user)
    if key.startswith(PHONE_PREFIX):
        person = Q(recipient_key="", phone=key.removeprefix(PHONE_PREFIX))
    else:
        person = Q(recipient_key=key)
    CoordinatorTask.objects.filter(
        person | Q(message_id__in=waiting_ids), organisation_id=organisation_id,
        done_at__isnull=True, kind__in=kinds,
    ).update(done_at=now, done_by=user)


@transaction.atomic
def conversation_answer(*, organisation_id: int, key: str, text: str, user, token: str,
                        during_quiet_hours: bool = False) -> Message:
    """Sends the coordinator's own answer to the person by their channel (once per token:
    a double click or a retry is the same answer), marks what they wrote as handled and
    the follow-up items it opened as done. During quiet hours it waits for the morning,
    unless the coordinator chose to send it now."""
    contact = contact_for(organisation_id, key)
    if contact is None:
        raise AnswerRefused(_("There is nobody to answer in this conversation."))
    problems = answer_problems(organisation_id, contact, text)
    if problems:
        raise AnswerRefused(" ".join(str(p) for p in problems))
    channel = answer_channel(contact)
    if not channel:
        raise AnswerRefused(_("This person has no mobile number or e-mail address: phone "
                              "them and record the call."))
    recipient = services.Recipient(
        organisation_id=organisation_id, key=key, first_name=contact.first_name,
        language=contact.language, phone=contact.phone, email=contact.email,
        role=contact.role)
    idempotency_key = f"answer:{token}"
    if channel == Channel.WHATSAPP:  # free text in the 24-hour window, else an SMS
        message = services.whatsapp_send(
            recipient=recipient, template=ANSWER, idempotency_key=idempotency_key,
            context={"message": text.strip()}, author_id=user.pk,
            during_quiet_hours=during_quiet_hours)
    elif channel == Channel.SMS:
        message = services.sms_send(
            recipient=recipient, template=ANSWER, idempotency_key=idempotency_key,
            context={"message": text.strip()}, author_id=user.pk,
            during_quiet_hours=during_quiet_hours)
    else:
        organisation = Organisation.objects.get(pk=organisation_id)
        message = services.email_send(
            recipient=recipient, template=ANSWER, idempotency_key=idempotency_key,
            context={"lines": text.strip().splitlines(), "organisation_name": organisation.name})
        Message.objects.filter(pk=message.pk, author__isnull=True).update(author=user)
    _settle(organisation_id, key, user, ANSWERED_TASKS)
    return message


@transaction.atomic
def conversation_call_record(*, organisation_id: int, key: str, note: str, direction: str,
                             user, token: str) -> Message:
    """Records a phone call in the person's conversation (who called, what was said);
    what they wrote is handled and their open call and reply tasks are done."""
    contact = contact_for(organisation_id, key)
    if contact is None:
        raise AnswerRefused(_("There is nobody to answer in this conversation."))
    now = timezone.now()
    message, created = services.message_record_once({
        "organisation_id": organisation_id, "direction": direction,
        "channel": Channel.PHONE, "recipient_key": key, "recipient_role": contact.role,
        "first_name": contact.first_name, "phone": services.normalise_phone(contact.phone),
        "language": contact.language, "body": note.strip()[:2000],
        "status": Status.RECEIVED if direction == Direction.IN else Status.DELIVERED,
        "idempotency_key": f"call:{token}", "author": user, "sent_at": now,
        "status_at": now, "handled_at": now, "handled_by": user,
    })
    journal.note(f"message:{message.pk}", key, new=created)
    _settle(organisation_id, key, user, CALLED_TASKS)
    return message


@transaction.atomic
def inbox_close(*, message: Message, user) -> Message:
    """Closes a waiting message without an answer (read, nothing to say); its follow-up
    items are done."""
    if message.handled_at is None:
        message.handled_at, message.handled_by = timezone.now(), user
        message.save(update_fields=["handled_at", "handled_by"])
        CoordinatorTask.objects.filter(message=message, done_at__isnull=True,
                                       kind__in=ANSWERED_TASKS).update(
            done_at=message.handled_at, done_by=user)
    return message
