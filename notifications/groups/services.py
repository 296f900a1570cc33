"""Group messages: one text per language for a group of people (registered by the rooms
that know them), shown before sending (how many, segments, estimated cost, who is left
out and why), then sent in the background, each person at most once, with progress and a
cancel; created and cancelled in the audit log."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations.models import AuditAction
from organisations.scoping import all_organisations, organisation_scope
from organisations.services import audit_record

from .. import hooks, services, tasks, texts
from ..models import Channel, GroupMessage, GroupStatus, Message, OptOut, Status
from ..sms_texts import GROUP

CHUNK = 500
LANGUAGES = ("nl", "fr", "en")
MAX_SEGMENTS = 3
# Why a person of the group gets nothing (shown before sending, kept with the message).
NO_CONSENT, STOPPED, NO_CHANNEL = "no_consent", "stopped", "no_channel"
REASONS = {
    NO_CONSENT: gettext_lazy("no consent to messages"),
    STOPPED: gettext_lazy("replied STOP"),
    NO_CHANNEL: gettext_lazy("no mobile number or e-mail address, or prefers a phone call"),
}


class GroupMessageRefused(Exception):
    """The group message cannot go out as it is; the message says why."""


@dataclass
class LanguageShare:
    language: str
    sms: int = 0
    emails: int = 0
    segments: int = 0
    body: str = ""
    encoding: str = ""

    @property
    def count(self) -> int:
        return self.sms + self.emails

    @property
    def cost(self) -> Decimal:
        return settings.SMS_COST_PER_SEGMENT * self.segments * self.sms


@dataclass
class Preview:
    label: str
    recipients: list[str] = field(default_factory=list)
    shares: dict[str, LanguageShare] = field(default_factory=dict)
    left_out: dict[str, list[str]] = field(default_factory=dict)  # reason -> first names

    @property
    def cost(self) -> Decimal:
        return sum((share.cost for share in self.shares.values()), Decimal("0"))

    @property
    def left_out_rows(self):
        return [(REASONS[reason], names) for reason, names in self.left_out.items()]


def group_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The groups to choose from, per kind: [(kind label, [("kind|value", label)...])]."""
    return [(str(source.label), [(f"{name}|{value}", label) for value, label in source.options()])
            for name, source in sorted(hooks.groups().items())]


def _source(kind: str) -> hooks.GroupSource:
    source = hooks.groups().get(kind)
    if source is None:
        raise GroupMessageRefused(_("There is no such group."))
    return source


def _channel(contact: hooks.Contact) -> str:
    has_phone = bool(services.normalise_phone(contact.phone))
    if contact.channel == "call":
        return ""
    if contact.channel == Channel.EMAIL and contact.email:
        return Channel.EMAIL
    if has_phone:
        return Channel.SMS
    return Channel.EMAIL if contact.email else ""


def _reachable(keys: list[str], contacts: dict) -> tuple[list, dict[str, list[str]]]:
    """(key, contact, channel) of those the message reaches, and who is left out and why
    (one query per check, whatever the size of the group)."""
    refused = hooks.consent_refused(keys, GROUP)
    phones = {key: services.normalise_phone(c.phone) for key, c in contacts.items()}
    stopped = {str(phone) for phone in OptOut.objects.filter(
        phone__in=[p for p in phones.values() if p]).values_list("phone", flat=True)}
    reached, left_out = [], defaultdict(list)
    for key in keys:
        contact = contacts.get(key)
        if contact is None:
            continue  # a person who left the organisation meanwhile
        channel = _channel(contact)
        reason = (NO_CONSENT if key in refused else NO_CHANNEL if not channel else
                  STOPPED if channel == Channel.SMS and phones[key] in stopped else "")
        if reason:
            left_out[reason].append(contact.first_name)
        else:
            reached.append((key, contact, channel))
    return reached, dict(left_out)


def group_preview(*, organisation_id: int, kind: str, value: str,
                  texts_by_language: dict[str, str]) -> Preview:
    """Who the message reaches (by language and channel), what each language's SMS looks
    like and costs, and who is left out and why. Nothing is sent."""
    source = _source(kind)
    label = dict(source.options()).get(value)
    if label is None:
        raise GroupMessageRefused(_("There is no such group."))
    keys = list(dict.fromkeys(source.members(value)))
    contacts = hooks.contacts(keys)
    reached, left_out = _reachable(keys, contacts)
    preview = Preview(label=f"{source.label}: {label}", left_out=left_out)
    for key, contact, channel in reached:
        language = contact.language if contact.language in LANGUAGES else "nl"
        share = preview.shares.setdefault(language, LanguageShare(language))
        if channel == Channel.SMS:
            share.sms += 1
        else:
            share.emails += 1
        preview.recipients.append(key)
    for language, share in preview.shares.items():
        text = (texts_by_language.get(language) or "").strip()
        if text:
            share.body, counted = services.sms_preview(
                organisation_id=organisation_id, template=GROUP, language=language,
                context={"message": text})
            share.segments, share.encoding = counted.segments, counted.encoding
    return preview


def problems(preview: Preview, texts_by_language: dict[str, str]) -> list[str]:
    errors = []
    if not preview.recipients:
        errors.append(_("Nobody in this group can be reached."))
    for language, share in sorted(preview.shares.items()):
        text = (texts_by_language.get(language) or "").strip()
        if not text:
            errors.append(_("%(count)s people read %(language)s: write the text in that "
                            "language too.") % {"count": share.count,
                                                "language": language.upper()})
            continue
        if share.sms and share.segments > MAX_SEGMENTS:
            errors.append(_("The %(language)s text takes %(segments)s SMS segments; at most "
                            "%(most)s are allowed.") % {
                "language": language.upper(), "segments": share.segments, "most": MAX_SEGMENTS})
        words = texts.sensitive_words_in(text)
        if words:
            errors.append(_("Sensitive words do not belong in a message others may read on "
                            "a phone screen: %(words)s.") % {"words": ", ".join(words)})
    return errors


def group_message_send(*, organisation_id: int, kind: str, value: str,
                       texts_by_language: dict[str, str], user, token: str,
                       request=None) -> GroupMessage:
    """Confirms a group message for the people the group has now and queues it; the same
    form token twice (a double click) is the same group message."""
    with transaction.atomic():
        existing = GroupMessage.objects.filter(organisation_id=organisation_id,
                                               token=token).first()
        if existing is not None:
            return existing
        preview = group_preview(organisation_id=organisation_id, kind=kind, value=value,
                                texts_by_language=texts_by_language)
        errors = problems(preview, texts_by_language)
        if errors:
            raise GroupMessageRefused(" ".join(str(error) for error in errors))
        group = GroupMessage.objects.create(
            organisation_id=organisation_id, group_kind=kind, group_value=value,
            group_label=preview.label[:200], token=token, created_by=user,
            texts={language: (texts_by_language.get(language) or "").strip()
                   for language in preview.shares},
            recipient_keys=preview.recipients, total=len(preview.recipients),
            left_out={reason: len(names) for reason, names in preview.left_out.items()},
            estimated_cost=preview.cost,
        )
        audit_record(request_or_actor=request or user, action=AuditAction.CREATE,
                     subject_ref=f"notifications.groupmessage:{group.pk}",
                     label=f"group message to {group.total} people")
        transaction.on_commit(lambda: tasks.deliver_group_message.delay(group.pk))
    return group


def group_message_deliver(group_id: int) -> int:
    """Writes the group's messages a chunk at a time (each chunk in its own transaction,
    each person under one idempotency key: a rerun or a duplicated task sends nobody twice)
    until done or cancelled. Returns how many people were handled in this run."""
    handled = 0
    while True:
        with transaction.atomic(), all_organisations():
            group = GroupMessage.objects.select_for_update().filter(pk=group_id).first()
            if group is None or group.status in (GroupStatus.DONE, GroupStatus.CANCELLED):
                return handled
            chunk = group.recipient_keys[group.processed:group.processed + CHUNK]
            if not chunk:
                group.status, group.finished_at = GroupStatus.DONE, timezone.now()
                group.save(update_fields=["status", "finished_at"])
                return handled
            with organisation_scope(group.organisation_id):
                _deliver_chunk(group, chunk)
            # Conditional updates: a cancel in this transaction stays a cancel.
            GroupMessage.objects.filter(pk=group.pk).update(processed=group.processed + len(chunk))
            GroupMessage.objects.filter(pk=group.pk, status=GroupStatus.QUEUED).update(
                status=GroupStatus.SENDING)
            handled += len(chunk)


def _deliver_chunk(group: GroupMessage, keys: list[str]) -> None:
    contacts = hooks.contacts(keys)
    reached, _left_out = _reachable(keys, contacts)  # consent and STOP as they are now
    sms = defaultdict(list)
    for key, contact, channel in reached:
        language = contact.language if contact.language in group.texts else next(
            iter(group.texts))
        recipient = services.Recipient(
            organisation_id=group.organisation_id, key=key, first_name=contact.first_name,
            language=language, phone=contact.phone, email=contact.email, role=contact.role)
        idempotency_key = f"group:{group.pk}:{key}"
        if channel == Channel.SMS:
            sms[language].append(services.Outgoing(
                recipient=recipient, idempotency_key=idempotency_key,
                context={"message": group.texts[language]}, author_id=group.created_by_id,
                group_id=group.pk))
        else:
            message = services.email_send(
                recipient=recipient, template=GROUP, idempotency_key=idempotency_key,
                context={"lines": group.texts[language].splitlines()})
            Message.objects.filter(pk=message.pk, group__isnull=True).update(group=group)
    for outgoing in sms.values():
        services.sms_send_many(template=GROUP, messages=outgoing)


@transaction.atomic
def group_message_cancel(*, group: GroupMessage, user, request=None) -> GroupMessage:
    """Stops a group message: nobody else gets it, and its messages still waiting (quiet
    hours, the daily limit, the queue) are not sent; those already handed to the provider
    stay sent, once."""
    group = GroupMessage.objects.select_for_update().get(pk=group.pk)
    if group.status in (GroupStatus.QUEUED, GroupStatus.SENDING):
        now = timezone.now()
        group.status, group.cancelled_at = GroupStatus.CANCELLED, now
        group.save(update_fields=["status", "cancelled_at"])
        Message.objects.filter(group=group, status=Status.PENDING).update(
            status=Status.CANCELLED, status_at=now)
        audit_record(request_or_actor=request or user, action=AuditAction.CHANGE,
                     subject_ref=f"notifications.groupmessage:{group.pk}",
                     label=f"group message cancelled after {group.processed} of {group.total}")
    return group
