"""Reaching people: every state change of messages, links, questions and follow-up items.

The domain apps call `sms_send`, `email_send`, `link_create`, `link_use` and `link_revoke`;
the Celery tasks call `sms_deliver`, `email_deliver` and `dispatch_due`; the webhooks call
`sms_receive` and `sms_status_update`.
"""

import logging
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import phonenumbers
from anymail.exceptions import AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from organisations.models import Organisation
from organisations.scoping import all_organisations, organisation_scope

from . import hooks, journal, keywords, links, texts, whatsapp
from .calendar import ics_for
from .models import (
    STATUS_RANK,
    Channel,
    CoordinatorTask,
    Direction,
    Message,
    MessagingSettings,
    OptOut,
    Question,
    RecipientRole,
    SignedLink,
    SimulatedSms,
    Status,
    TaskKind,
    TemplateOverride,
)
from .quiet_hours import local_day_bounds, next_allowed, sms_allowed_at
from .segments import SegmentCount, count_segments
from .sms import InboundSms, SmsError, StatusReport, get_backend
from .tasks import deliver_email, deliver_sms, deliver_sms_batch

logger = logging.getLogger(__name__)

STOP_CONFIRMATION = "notifications.stopped"
HELP_REPLY = "notifications.help"
NOT_UNDERSTOOD = "notifications.not_understood"
RETRY_GRACE = timedelta(minutes=5)


@dataclass(frozen=True)
class Recipient:
    """Who a message is for, as the owning app knows them. `key` is the app's own stable
    reference to the person (e.g. "participant:12"): the log is kept per key."""

    organisation_id: int
    key: str
    first_name: str
    language: str = "nl"
    phone: str = ""
    email: str = ""
    role: str = RecipientRole.PARTICIPANT


@dataclass(frozen=True)
class LinkSpec:
    """A signed link to put in the message as {link}, made when the message goes out."""

    purpose: str
    subject: str
    valid_for: timedelta = timedelta(days=7)
    single_use: bool = True


@dataclass(frozen=True)
class QuestionSpec:
    """The question an SMS asks, so that a reply from that number reaches `purpose`."""

    purpose: str
    subject: str
    accepts: tuple[str, ...] = (keywords.YES, keywords.NO)
    choices: int = 0
    valid_for: timedelta = timedelta(days=14)


@dataclass(frozen=True)
class Appointment:
    """A calendar attachment (.ics) for an e-mail."""

    uid: str
    summary: str
    start: datetime
    end: datetime
    location: str = ""
    description: str = ""
    extra: dict = field(default_factory=dict)


class LinkInvalid(Exception):
    """The link is unknown, expired, used or revoked."""


# --- helpers ---------------------------------------------------------------------------


def messaging_settings(organisation_id) -> MessagingSettings:
    """The organisation's SMS rules, or the defaults when it never changed them."""
    found = MessagingSettings.objects.filter(organisation_id=organisation_id).first()
    return found or MessagingSettings(organisation_id=organisation_id)


def normalise_phone(raw) -> str:
    """E.164, accepting Belgian and Dutch numbers in every usual writing; '' if impossible."""
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(str(raw), settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _coordinator_phone(organisation: Organisation) -> str:
    phone = organisation.contact_phone
    return phone.as_national if phone else ""


def _standard_context(organisation: Organisation, recipient_first_name: str) -> dict:
    return {
        "first_name": recipient_first_name,
        "organisation": organisation.name,
        "coordinator_phone": _coordinator_phone(organisation),
    }


def _existing(organisation_id: int, idempotency_key: str) -> Message | None:
    return Message.objects.filter(
        organisation_id=organisation_id, idempotency_key=idempotency_key
    ).first()


def _create_once(fields: dict) -> tuple[Message, bool]:
    """Creates the message, or returns the one already made under the same key."""
    try:
        with transaction.atomic():
            return Message.objects.create(**fields), True
    except IntegrityError:
        existing = _existing(fields["organisation_id"], fields["idempotency_key"])
        if existing is None:
            raise
        return existing, False


def _enqueue(task, message_id: int) -> None:
    transaction.on_commit(lambda: task.delay(message_id))


DELIVERY_BATCH = 500


def _enqueue_sms(message_ids: list[int]) -> None:
    """After the commit, one delivery task per batch of SMS (one per message alone)."""
    if len(message_ids) == 1:
        _enqueue(deliver_sms, message_ids[0])
        return
    for start in range(0, len(message_ids), DELIVERY_BATCH):
        chunk = message_ids[start:start + DELIVERY_BATCH]
        transaction.on_commit(lambda chunk=chunk: deliver_sms_batch.delay(chunk))


def task_open(*, organisation_id, kind: str, recipient_key: str = "", first_name: str = "",
              phone: str = "", detail: str = "", message: Message | None = None):
    """Opens a follow-up item for the coordinators, unless the same one is still open."""
    if recipient_key or phone:
        same = CoordinatorTask.objects.filter(
            organisation_id=organisation_id, kind=kind, done_at__isnull=True,
            recipient_key=recipient_key, phone=phone,
        ).first()
        if same is not None:
            journal.note(f"task:{same.pk}", recipient_key, new=False)
            return same
    task = CoordinatorTask.objects.create(
        organisation_id=organisation_id, kind=kind, recipient_key=recipient_key,
        first_name=first_name, phone=phone, detail=detail[:300], message=message,
    )
    journal.note(f"task:{task.pk}", recipient_key, new=True)
    return task


@transaction.atomic
def task_done(*, task: CoordinatorTask, user) -> CoordinatorTask:
    """Marks a follow-up item as done by `user`."""
    if task.done_at is None:
        task.done_at = timezone.now()
        task.done_by = user
        task.save(update_fields=["done_at", "done_by"])
    return task


def _report_delivery(message: Message) -> None:
    if message.organisation_id is None:
        return
    event = hooks.Delivery(
        organisation_id=message.organisation_id, message_id=message.pk,
        template=message.template, recipient_key=message.recipient_key,
        status=message.status, idempotency_key=message.idempotency_key,
    )
    for handler in hooks.delivery_handlers(message.template):
        try:
            with transaction.atomic(), organisation_scope(message.organisation_id):
                handler(event)
        except Exception:  # an owning app's bug must not lose the status itself
            logger.exception("Delivery handler failed for message %s", message.pk)


def _message_failed(message: Message, error: str, status: str = Status.FAILED) -> None:
    message.status = status
    message.error = error[:300]
    message.status_at = timezone.now()
    message.save(update_fields=["status", "error", "status_at"])
    # Participants are reached by SMS first: when that fails, the coordinator phones. A
    # number that stopped SMS needs a phone call whoever it is.
    if message.recipient_role == RecipientRole.PARTICIPANT or status == Status.SUPPRESSED:
        task_open(
            organisation_id=message.organisation_id,
            kind=TaskKind.CALL_OPTED_OUT if status == Status.SUPPRESSED
            else TaskKind.CALL_NO_CONSENT if status == Status.NO_CONSENT
            else TaskKind.CALL_UNDELIVERED,
            recipient_key=message.recipient_key, first_name=message.first_name,
            phone=str(message.phone or ""), detail=error, message=message,
        )
    _report_delivery(message)


# --- sending SMS ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One message of a batch: to whom, under which idempotency key, with what."""

    recipient: Recipient
    idempotency_key: str
    context: dict | None = None
    link: LinkSpec | None = None
    question: QuestionSpec | None = None
    # A coordinator's own message: who wrote it, and whether they chose to send it during
    # the quiet hours (after a confirmation).
    author_id: int | None = None
    during_quiet_hours: bool = False
    group_id: int | None = None


def sms_send(*, recipient: Recipient, template: str, idempotency_key: str,
             context: dict | None = None, link: LinkSpec | None = None,
             question: QuestionSpec | None = None, author_id: int | None = None,
             during_quiet_hours: bool = False) -> Message:
    """Logs an SMS for `recipient` and queues it (once per idempotency key); it goes out
    at once, or after the organisation's quiet hours, or the next day when the person had
    enough SMS today. Returns the message, already sent or not."""
    return sms_send_many(template=template, messages=[Outgoing(
        recipient=recipient, idempotency_key=idempotency_key, context=context, link=link,
        question=question, author_id=author_id,
        during_quiet_hours=during_quiet_hours)])[0]


def whatsapp_window_open(phone: str, now: datetime | None = None) -> bool:
    """Whether the person wrote by WhatsApp within the last 24 hours: free text may go."""
    now = now or timezone.now()
    with all_organisations():
        return Message.objects.filter(phone=phone, channel=Channel.WHATSAPP,
                                      direction=Direction.IN,
                                      created_at__gte=now - whatsapp.WINDOW).exists()


def whatsapp_send(*, recipient: Recipient, template: str, idempotency_key: str,
                  context: dict | None = None, link: LinkSpec | None = None,
                  question: QuestionSpec | None = None, author_id: int | None = None,
                  during_quiet_hours: bool = False) -> Message:
    """A message by WhatsApp (with the rules of `sms_send`): free text inside the 24 hours
    after the person wrote, else the approved template registered for the kind in their
    language; without one, or when WhatsApp cannot reach them, it goes by SMS, once."""
    phone = normalise_phone(recipient.phone)
    approved = whatsapp.get(template)
    language = recipient.language or "nl"
    if not (phone and (whatsapp_window_open(phone) or (
            approved and approved.content_sid(language)))):
        return sms_send(recipient=recipient, template=template,
                        idempotency_key=f"{idempotency_key}:sms", context=context, link=link,
                        question=question, author_id=author_id,
                        during_quiet_hours=during_quiet_hours)
    return sms_send_many(template=template, channel=Channel.WHATSAPP, messages=[Outgoing(
        recipient=recipient, idempotency_key=idempotency_key, context=context, link=link,
        question=question, author_id=author_id,
        during_quiet_hours=during_quiet_hours)])[0]


def _texts_for(organisation_ids, template: str):
    """`text(organisation_id, language)`: the organisation's own wording or the standard
    text (one query for the batch)."""
    overrides = {(org, language): text for org, language, text in TemplateOverride.objects
                 .filter(organisation_id__in=organisation_ids, kind=template)
                 .values_list("organisation_id", "language", "text")}
    standard = {}

    def text(organisation_id, language):
        found = overrides.get((organisation_id, language))
        if found:
            return found
        if language not in standard:
            standard[language] = texts.standard_text(template, language)
        return standard[language]
    return text


def _messaging_settings_many(organisation_ids) -> dict:
    found = {rules.organisation_id: rules for rules in
             MessagingSettings.objects.filter(organisation_id__in=organisation_ids)}
    return {pk: found.get(pk) or MessagingSettings(organisation_id=pk)
            for pk in organisation_ids}


def _create_many(messages: list[Message]) -> list[Message]:
    """Inserts the messages; one whose key a concurrent transaction took meanwhile is left
    out (the same key is the same message)."""
    while messages:
        try:
            with transaction.atomic():
                return Message.objects.bulk_create(messages)
        except IntegrityError:
            taken = set(Message.objects.filter(
                organisation_id__in={m.organisation_id for m in messages},
                idempotency_key__in=[m.idempotency_key for m in messages],
            ).values_list("organisation_id", "idempotency_key"))
            if not taken:
                raise
            messages = [m for m in messages
                        if (m.organisation_id, m.idempotency_key) not in taken]
    return []


def sms_send_many(*, template: str, messages: list[Outgoing],
                  channel: str = Channel.SMS) -> list[Message]:
    """Logs one SMS of `template` per outgoing message and queues them for delivery in
    batches, with the rules of `sms_send` (once per idempotency key, consent, STOP, quiet
    hours, the person's language and the organisation's wording) in a constant number of
    queries. Returns the messages in the order given, already sent or not."""
    if any(not out.idempotency_key for out in messages):
        raise ValueError("An idempotency key is required: the same key is the same message")
    if not messages:
        return []
    kind = texts.get(template)
    with transaction.atomic():
        organisation_ids = {out.recipient.organisation_id for out in messages}
        keys = [out.idempotency_key for out in messages]
        found = {(m.organisation_id, m.idempotency_key): m for m in Message.objects.filter(
            organisation_id__in=organisation_ids, idempotency_key__in=keys)}
        organisations = Organisation.objects.in_bulk(organisation_ids)
        text_for = _texts_for(organisation_ids, template)
        rules = _messaging_settings_many(organisation_ids)
        now = timezone.now()
        new, specs = [], {}
        for out in messages:
            recipient, organisation = out.recipient, organisations[out.recipient.organisation_id]
            key = (organisation.pk, out.idempotency_key)
            if key in found or key in specs:
                continue
            phone = normalise_phone(recipient.phone)
            if not phone:
                raise ValueError(f"{recipient.key} has no phone number an SMS can reach")
            language = recipient.language or organisation.default_language
            values = {**keywords.reply_words(language), **(out.context or {}),
                      **_standard_context(organisation, recipient.first_name)}
            if out.link is not None:
                values["link"] = links.redacted_url(organisation.pk, language)
            organisation_rules = rules[organisation.pk]
            body = texts.render_sms(text_for(organisation.pk, language), values,
                                    transliterate=organisation_rules.gsm_names)
            counted = count_segments(body)
            specs[key] = out
            new.append(Message(
                organisation_id=organisation.pk, direction=Direction.OUT,
                channel=channel, template=template, recipient_key=recipient.key,
                recipient_role=recipient.role, first_name=recipient.first_name,
                phone=phone, language=language, body=body,
                segments=counted.segments, encoding=counted.encoding,
                cost=settings.SMS_COST_PER_SEGMENT * counted.segments,
                idempotency_key=out.idempotency_key, link_spec=_link_spec(out.link),
                not_before=now if kind.immediate or out.during_quiet_hours else next_allowed(
                    now, organisation_rules.quiet_hours_start,
                    organisation_rules.quiet_hours_end),
                author_id=out.author_id, during_quiet_hours=out.during_quiet_hours,
                group_id=out.group_id,
                context={"_whatsapp": values} if channel == Channel.WHATSAPP else {},
            ))
        created = _create_many(new)
        exempt = template == STOP_CONFIRMATION
        refused = set() if exempt else hooks.consent_refused(
            [m.recipient_key for m in created], template)
        opted_out = set() if exempt else {str(phone) for phone in OptOut.objects.filter(
            phone__in=[m.phone for m in created]).values_list("phone", flat=True)}
        questions, due = [], []
        for message in created:
            found[(message.organisation_id, message.idempotency_key)] = message
            if message.recipient_key in refused:
                _message_failed(message, "No consent to messages", Status.NO_CONSENT)
                continue
            question = specs[(message.organisation_id, message.idempotency_key)].question
            if question is not None:
                questions.append(Question(
                    organisation_id=message.organisation_id, phone=message.phone,
                    recipient_key=message.recipient_key, purpose=question.purpose,
                    subject=question.subject, accepts=list(question.accepts),
                    choices=question.choices, message=message,
                    expires_at=now + question.valid_for))
            if str(message.phone) in opted_out:
                _message_failed(message, "The number replied STOP", Status.SUPPRESSED)
                continue
            if message.not_before <= now:  # the others wait for the beat's sweep
                due.append(message.pk)
        Question.objects.bulk_create(questions)
        _enqueue_sms(due)
    made = {(m.organisation_id, m.idempotency_key) for m in created}
    # A key a concurrent transaction took meanwhile (a double click): its message, which
    # that transaction committed before ours could fail on the key.
    taken = {(out.recipient.organisation_id, out.idempotency_key) for out in messages} - set(found)
    if taken:
        found.update({(m.organisation_id, m.idempotency_key): m for m in Message.objects.filter(
            organisation_id__in={org for org, _key in taken},
            idempotency_key__in=[key for _org, key in taken])})
    for key in dict.fromkeys((out.recipient.organisation_id, out.idempotency_key)
                             for out in messages):
        message = found[key]
        journal.note(f"message:{message.pk}", message.recipient_key, new=key in made)
    return [found[(out.recipient.organisation_id, out.idempotency_key)] for out in messages]


def sms_preview(*, organisation_id: int, template: str, language: str, context: dict,
                first_name: str = "") -> tuple[str, SegmentCount]:
    """The SMS of `template` as it would go out (the organisation's wording and rules),
    and its segments: what a coordinator sees before sending."""
    organisation = Organisation.objects.get(pk=organisation_id)
    text = _texts_for([organisation_id], template)(organisation_id, language)
    values = {**context, **_standard_context(organisation, first_name)}
    if "link" in texts.PLACEHOLDER.findall(text):
        values["link"] = links.redacted_url(organisation_id, language)
    body = texts.render_sms(text, values,
                            transliterate=messaging_settings(organisation_id).gsm_names)
    return body, count_segments(body)


def message_record_once(fields: dict) -> tuple[Message, bool]:
    """Logs a message that is not sent (a phone call a coordinator records), once per
    idempotency key; returns it and whether it is new."""
    return _create_once(fields)


def _link_spec(link: LinkSpec | None) -> dict:
    if link is None:
        return {}
    return {"purpose": link.purpose, "subject": link.subject,
            "valid_for": int(link.valid_for.total_seconds()), "single_use": link.single_use}


def _make_link(message: Message) -> str:
    """A fresh link for the message (one per attempt: an earlier attempt's link is
    revoked, its secret was never seen). Returns its URL."""
    spec = message.link_spec
    message.links.filter(used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    _link, link_url = link_create(
        organisation_id=message.organisation_id, recipient_key=message.recipient_key,
        language=message.language, purpose=spec["purpose"], subject=spec["subject"],
        valid_for=timedelta(seconds=spec["valid_for"]), single_use=spec["single_use"],
        message=message,
    )
    return link_url


def _sms_rules_allow(messages: list[Message], now: datetime) -> list[Message]:
    """The SMS among `messages` that may go out now (in constant queries): a number that
    replied STOP gets nothing; during the organisation's quiet hours, or beyond a person's
    daily limit (counting this batch), a message waits (its `not_before` moves)."""
    # str() of a phone number validates it again (phonenumbers): once per message.
    phone_of = {message.pk: str(message.phone) for message in messages}
    phones = set(phone_of.values())
    opted_out = {str(phone) for phone in OptOut.objects.filter(phone__in=phones)
                 .values_list("phone", flat=True)}
    rules = _messaging_settings_many({message.organisation_id for message in messages})
    start, end = local_day_bounds(now)
    sent_today = Counter(dict(
        (str(phone), count) for phone, count in Message.objects.filter(
            channel=Channel.SMS, direction=Direction.OUT, phone__in=phones,
            sent_at__gte=start, sent_at__lt=end,
        ).order_by().values("phone").annotate(count=Count("id")).values_list("phone", "count")))
    allowed_now, waiting = [], defaultdict(list)
    for message in messages:
        phone = phone_of[message.pk]
        if phone in opted_out and message.template != STOP_CONFIRMATION:
            _message_failed(message, "The number replied STOP", Status.SUPPRESSED)
            continue
        kind = texts.get(message.template)
        if not kind.immediate:
            allowed = sms_allowed_at(now, rules[message.organisation_id], sent_today[phone],
                                     quiet_hours=not message.during_quiet_hours,
                                     daily_limit=kind.daily_limit)
            if allowed > now:
                waiting[allowed].append(message.pk)
                continue
        sent_today[phone] += 1
        allowed_now.append(message)
    for moment, pks in waiting.items():
        Message.objects.filter(pk__in=pks).update(not_before=moment)
    return allowed_now


def _claim_many(message_ids: list[int], channel: str) -> list[tuple[Message, str]]:
    """Takes the due messages among `message_ids` for sending, in its own committed
    transaction, so that a duplicated or retried task finds them taken and sends nothing.
    Returns each message taken with the text to send (with the real link)."""
    with transaction.atomic():
        now = timezone.now()
        channels = [Channel.SMS, Channel.WHATSAPP] if channel == Channel.SMS else [channel]
        messages = list(Message.objects.select_for_update().filter(
            pk__in=message_ids, channel__in=channels, status=Status.PENDING,
            not_before__lte=now,
        ).order_by("pk"))
        if channel == Channel.SMS and messages:
            messages = _sms_rules_allow(messages, now)
        taken = []
        for message in messages:
            body = message.body
            if channel == Channel.SMS and message.link_spec:
                link_url = _make_link(message)
                message.context.setdefault("_whatsapp", {})["link"] = link_url
                body = body.replace(
                    links.redacted_url(message.organisation_id, message.language), link_url)
            message.status, message.status_at = Status.SENDING, now
            message.attempts += 1
            taken.append((message, body))
        Message.objects.filter(pk__in=[message.pk for message in messages]).update(
            status=Status.SENDING, attempts=F("attempts") + 1, status_at=now)
    return taken


def retry_delay(attempts: int) -> int:
    """Seconds before the next try: exponential back-off, at most an hour."""
    return min(settings.SMS_RETRY_BACKOFF * 2 ** max(attempts - 1, 0), 3600)


def _send_failed(message: Message, exc: SmsError) -> int | None:
    """Records a failed try; returns the delay before the next one, or None if final."""
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        if exc.permanent or message.attempts >= settings.SMS_MAX_ATTEMPTS:
            _message_failed(message, str(exc))
            return None
        delay = retry_delay(message.attempts)
        message.status = Status.PENDING
        message.error = str(exc)[:300]
        message.not_before = timezone.now() + timedelta(seconds=delay)
        message.save(update_fields=["status", "error", "not_before"])
        return delay


def _sent_many(results: list[tuple[Message, str, str]], backend_name: str) -> None:
    """Records (message, provider id, status) of what the provider took, in one statement;
    a message no longer "being sent" (settled meanwhile) is left as it is."""
    if not results:
        return
    now = timezone.now()
    rows = []
    for message, provider_id, status in results:
        message.status = status if status in Status.values else Status.QUEUED
        message.provider_id, message.backend, message.error = provider_id, backend_name, ""
        message.sent_at = message.status_at = now
        rows += [message.pk, message.status, provider_id]
    # UPDATE ... FROM (VALUES ...): PostgreSQL and SQLite (3.33+) both name the columns of
    # a VALUES list column1, column2...; Django's bulk_update (CASE WHEN per row and field)
    # cost more than the whole send.
    table = connection.ops.quote_name(Message._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(results))
    sent_at = Message._meta.get_field("sent_at").get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = v.column2, provider_id = v.column3, backend = %s, "
            f"sent_at = %s, status_at = %s, error = '' FROM (VALUES {values}) AS v "
            f"WHERE {table}.id = v.column1 AND {table}.status = %s",
            [backend_name, sent_at, sent_at, *rows, Status.SENDING])


def status_callback_url(backend_name: str) -> str:
    return settings.SITE_URL + reverse("sms-status", kwargs={"provider": backend_name})


def sms_deliver(message_id: int) -> int | None:
    """Sends one due SMS through the configured backend, at most once. Returns the delay
    before a retry when the provider failed for a reason that may pass, else None."""
    return sms_deliver_many([message_id]).get(message_id)


# A worker that dies while handing SMS to the provider leaves at most this many "being
# sent" (they may have arrived: never sent again, the sweep hands them to a coordinator).
DELIVERY_CHUNK = 100


def sms_deliver_many(message_ids: list[int]) -> dict[int, int]:
    """Sends the due SMS among `message_ids` through the configured backend, each at most
    once, a hundred at a time (claimed, handed over, recorded). Returns, per message the
    provider failed for a reason that may pass, the delay before its next try."""
    delays = {}
    backend = get_backend()
    callback = status_callback_url(backend.name)
    with all_organisations():
        for start in range(0, len(message_ids), DELIVERY_CHUNK):
            taken = _claim_many(message_ids[start:start + DELIVERY_CHUNK], Channel.SMS)
            if not taken:
                continue
            rules = _messaging_settings_many({message.organisation_id for message, _ in taken})
            sent, simulated = [], []
            for message, body in taken:
                try:
                    if message.channel == Channel.WHATSAPP:
                        result = _whatsapp_deliver(backend, message, body, callback)
                    else:
                        result = backend.send(
                            to=str(message.phone), body=body, reference=str(message.pk),
                            sender=str(rules[message.organisation_id].sms_number or ""),
                            status_callback=callback,
                        )
                except SmsError as exc:
                    if message.channel == Channel.WHATSAPP:
                        _whatsapp_failed(message, str(exc))
                        continue
                    logger.warning("SMS %s failed (%s): %s", message.pk,
                                   "permanent" if exc.permanent else "will retry", exc)
                    delay = _send_failed(message, exc)
                    if delay is not None:
                        delays[message.pk] = delay
                    continue
                sent.append((message, result.provider_id, result.status))
                if settings.SMS_SIMULATOR:
                    simulated.append(_simulated(message, body))
            if sent:
                _sent_many(sent, backend.name)
            if simulated:
                SimulatedSms.objects.bulk_create(simulated)
    return delays


def _whatsapp_deliver(backend, message: Message, body: str, callback: str):
    """Free text inside the 24-hour window, else the approved template with its values."""
    if whatsapp_window_open(str(message.phone)):
        return backend.send_whatsapp(to=str(message.phone), body=body,
                                     reference=str(message.pk), status_callback=callback)
    approved = whatsapp.get(message.template)
    content_sid = approved.content_sid(message.language) if approved else ""
    if not content_sid:
        raise SmsError("No approved WhatsApp template outside the 24-hour window",
                       permanent=True, code="no_template")
    return backend.send_whatsapp(
        to=str(message.phone), body=body, reference=str(message.pk), content_sid=content_sid,
        variables=approved.values(message.context.get("_whatsapp", {})),
        status_callback=callback)


def _whatsapp_failed(message: Message, error: str) -> Message:
    """A WhatsApp message that could not go (no WhatsApp, no template, refused) goes by SMS,
    once: the SMS has its own idempotency key, and its question and link."""
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(
            status=Status.FAILED, error=f"WhatsApp: {error}"[:300], status_at=timezone.now())
        fallback = sms_send(
            recipient=Recipient(organisation_id=message.organisation_id,
                                key=message.recipient_key, first_name=message.first_name,
                                language=message.language, phone=str(message.phone),
                                role=message.recipient_role),
            template=message.template, idempotency_key=f"{message.idempotency_key}:sms",
            context={key: value for key, value in message.context.get("_whatsapp", {}).items()
                     if key not in ("link", "first_name", "organisation",
                                    "coordinator_phone")},
            link=_link_spec_of(message), author_id=message.author_id,
            during_quiet_hours=message.during_quiet_hours)
        if message.group_id and fallback.group_id is None:
            Message.objects.filter(pk=fallback.pk).update(group_id=message.group_id)
        # The question the WhatsApp message asked stays open: it belongs to the number, so
        # the SMS reply answers it as a WhatsApp reply would.
        return fallback


def _link_spec_of(message: Message) -> LinkSpec | None:
    spec = message.link_spec
    if not spec:
        return None
    return LinkSpec(purpose=spec["purpose"], subject=spec["subject"],
                    valid_for=timedelta(seconds=spec["valid_for"]),
                    single_use=spec["single_use"])


def _simulated(message: Message, body: str) -> SimulatedSms:
    return SimulatedSms(organisation_id=message.organisation_id, message=message,
                        phone=message.phone, channel=message.channel,
                        direction=Direction.OUT, body=body)


def dispatch_due(now: datetime | None = None, stale_after: timedelta = timedelta(minutes=15)):
    """Queues every message whose time has come (after quiet hours, a daily limit, or a
    lost retry), and settles messages left "being sent" by a worker that died mid-send:
    they might have gone out, so they are not sent again but handed to a coordinator."""
    now = now or timezone.now()
    with all_organisations():
        # A message being retried has its own task waiting: the sweep takes it only when
        # that task seems lost.
        due = list(Message.objects.filter(
            Q(attempts=0, not_before__lte=now) | Q(not_before__lte=now - RETRY_GRACE),
            direction=Direction.OUT, status=Status.PENDING,
        ).values_list("pk", "channel")[:5000])
        for pk, channel in due:
            if channel == Channel.EMAIL:
                deliver_email.delay(pk)
        sms = [pk for pk, channel in due if channel in (Channel.SMS, Channel.WHATSAPP)]
        for start in range(0, len(sms), DELIVERY_BATCH):
            deliver_sms_batch.delay(sms[start:start + DELIVERY_BATCH])
        stale = Message.objects.filter(
            direction=Direction.OUT, status=Status.SENDING, status_at__lt=now - stale_after,
        )
        for message in stale:
            with transaction.atomic():
                _message_failed(message, "The worker stopped while sending: it may not have "
                                         "arrived")
    return len(due)


# --- status callbacks -----------------------------------------------------------------


def sms_status_update(report: StatusReport) -> Message | None:
    """Moves a message to the status the provider reports (never backwards); a failure of
    an SMS becomes a coordinator task and is reported to the owning app."""
    if not report.provider_id or not report.status:
        return None
    with all_organisations(), transaction.atomic():
        message = Message.objects.select_for_update().filter(
            provider_id=report.provider_id, direction=Direction.OUT).first()
        if message is None:
            return None
        if STATUS_RANK[report.status] <= STATUS_RANK[message.status]:
            return message
        if report.status == Status.FAILED:
            error = f"Provider reports: not delivered {report.error}".strip()
            if message.channel == Channel.WHATSAPP:
                _whatsapp_failed(message, error)
            else:
                _message_failed(message, error)
            return message
        message.status = report.status
        message.status_at = timezone.now()
        message.save(update_fields=["status", "status_at"])
        if report.status == Status.DELIVERED:
            _report_delivery(message)
        return message


# --- inbound SMS ------------------------------------------------------------------------


def _organisation_for_sender(phone: str, to: str):
    """The organisation an SMS from `phone` most likely answers: the last one that wrote to
    the number, else the one whose SMS number it was sent to."""
    last = Message.objects.filter(
        direction=Direction.OUT, phone=phone, organisation__isnull=False,
    ).order_by("-created_at").values_list("organisation_id", "recipient_key",
                                          "first_name").first()
    if last:
        return last
    to = normalise_phone(to)
    if to:
        found = MessagingSettings.objects.filter(sms_number=to).values_list(
            "organisation_id", flat=True).first()
        if found:
            return found, "", ""
    return None, "", ""


def _reply(organisation_id, key: str, first_name: str, phone: str, language: str,
           template: str, inbound: Message, context: dict | None = None) -> None:
    """An automatic answer to a person's own SMS (one per inbound message)."""
    if organisation_id is None:
        return
    sms_send(
        recipient=Recipient(organisation_id=organisation_id, key=key, first_name=first_name,
                            language=language, phone=phone),
        template=template, idempotency_key=f"reply:{inbound.pk}", context=context,
    )


def _language_of(organisation_id, phone: str) -> str:
    last = Message.objects.filter(phone=phone, direction=Direction.OUT,
                                  organisation_id=organisation_id).values_list(
        "language", flat=True).first()
    if last:
        return last
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    return organisation.default_language if organisation else settings.LANGUAGE_CODE


def _open_questions(phone: str, now: datetime):
    return Question.objects.select_related("message").filter(
        phone=phone, answered_at__isnull=True, closed_at__isnull=True, expires_at__gt=now,
    ).order_by("-created_at", "-pk")


def _accepts(question: Question, parsed: keywords.Parsed) -> bool:
    if parsed.kind == keywords.STOP:
        return keywords.STOP in question.accepts
    if keywords.ANY in question.accepts and parsed.kind != keywords.HELP:
        return True
    if parsed.kind == keywords.CHOICE:
        return question.choices > 0
    return parsed.kind in question.accepts


def sms_receive(backend_name: str, inbound: InboundSms) -> Message:
    """Logs an SMS from a person and acts on it: STOP opts the number out, HELP answers
    with the coordinator's number, an answer to an open question goes to the app that asked
    it; anything else becomes an item for the coordinator."""
    with all_organisations(), transaction.atomic():
        if inbound.provider_id:
            seen = Message.objects.filter(direction=Direction.IN, backend=backend_name,
                                          provider_id=inbound.provider_id).first()
            if seen is not None:  # the provider retried its webhook
                return seen
        phone = normalise_phone(inbound.sender)
        now = timezone.now()
        organisation_id, key, first_name = _organisation_for_sender(phone, inbound.to)
        parsed = keywords.parse(inbound.body)
        questions = list(_open_questions(phone, now)) if phone else []
        # The organisations with an open question for this number, the last to ask first.
        asking = list(dict.fromkeys(q.organisation_id for q in questions))
        if len(asking) > 1 and parsed.kind not in (keywords.STOP, keywords.HELP):
            return _shared_number_reply(backend_name, inbound, phone, questions, now)
        question = None
        if asking:  # the answer belongs to the organisation that asked this number last
            own = [q for q in questions if q.organisation_id == asking[0]]
            organisation_id, key = asking[0], own[0].recipient_key
            first_name = own[0].message.first_name if own[0].message else first_name
            question = next((q for q in own if _accepts(q, parsed)), None)
        message = _log_inbound(backend_name, inbound, organisation_id, key, first_name, phone,
                               now)
        if parsed.kind == keywords.STOP and question is not None and _hand_over(
                question, parsed, message):
            _handled(message, now)  # STOP to a question that stops only what it asks
        elif parsed.kind == keywords.STOP:
            _opt_out(phone, inbound.body, message)
            _handled(message, now)
        elif not key:  # nobody this service ever wrote to
            task_open(organisation_id=organisation_id, kind=TaskKind.UNKNOWN_SENDER,
                      phone=phone, detail=inbound.body, message=message)
        elif parsed.kind == keywords.HELP:
            task_open(organisation_id=organisation_id, kind=TaskKind.HELP, recipient_key=key,
                      first_name=first_name, phone=phone, detail=inbound.body,
                      message=message)
            _reply(organisation_id, key, first_name, phone, message.language, HELP_REPLY,
                   message)
        elif question is None or not _hand_over(question, parsed, message):
            task_open(organisation_id=organisation_id, kind=TaskKind.UNEXPECTED_REPLY,
                      recipient_key=key, first_name=first_name, phone=phone,
                      detail=inbound.body, message=message)
            _reply(organisation_id, key, first_name, phone, message.language, NOT_UNDERSTOOD,
                   message)
        else:  # the owning app understood it: nothing waits in the inbox
            _handled(message, now)
        return message


def _handled(message: Message, now: datetime) -> None:
    message.handled_at = now
    message.save(update_fields=["handled_at"])


def _log_inbound(backend_name: str, inbound: InboundSms, organisation_id, key: str,
                 first_name: str, phone: str, now: datetime) -> Message:
    return Message.objects.create(
        organisation_id=organisation_id, direction=Direction.IN,
        channel=Channel.WHATSAPP if inbound.channel == Channel.WHATSAPP else Channel.SMS,
        recipient_key=key, first_name=first_name, phone=phone, body=inbound.body[:1600],
        segments=count_segments(inbound.body).segments, status=Status.RECEIVED,
        backend=backend_name, provider_id=inbound.provider_id, status_at=now,
        language=_language_of(organisation_id, phone) if organisation_id else "nl",
    )


def _shared_number_reply(backend_name: str, inbound: InboundSms, phone: str,
                         questions: list[Question], now: datetime) -> Message:
    """A reply from a number that two organisations asked a question (people share a
    phone, a shelter's number): it must never answer the other organisation's question.
    Each organisation logs the reply and gets a task to phone; no question is answered."""
    logged = []
    for organisation_id in dict.fromkeys(q.organisation_id for q in questions):
        last = next(q for q in questions if q.organisation_id == organisation_id)
        first_name = last.message.first_name if last.message else ""
        message = _log_inbound(backend_name, inbound, organisation_id, last.recipient_key,
                               first_name, phone, now)
        task_open(organisation_id=organisation_id, kind=TaskKind.SHARED_NUMBER,
                  recipient_key=last.recipient_key, first_name=first_name, phone=phone,
                  detail=inbound.body, message=message)
        logged.append(message)
    return logged[0]


def simulator_reply(*, organisation_id, phone: str, body: str) -> Message:
    """A reply typed in the phone simulator (`SMS_SIMULATOR` only), taken through the real
    inbound path: the same parsing, questions, tasks and automatic answers."""
    if not settings.SMS_SIMULATOR:
        raise PermissionError("The phone simulator is off")
    phone = normalise_phone(phone)
    if not phone or not body.strip():
        raise ValueError("A number and a text are needed")
    with transaction.atomic():
        SimulatedSms.objects.create(organisation_id=organisation_id, phone=phone,
                                    channel=Channel.SMS, direction=Direction.IN, body=body)
        to = str(messaging_settings(organisation_id).sms_number or "")
        return sms_receive("simulator", InboundSms(sender=phone, to=to, body=body,
                                                   provider_id=f"sim-{uuid.uuid4().hex}"))


def _hand_over(question: Question, parsed: keywords.Parsed, message: Message) -> bool:
    """Gives the answer to the app that asked; False when it was not understood."""
    if (parsed.kind == keywords.CHOICE and keywords.ANY not in question.accepts
            and not 1 <= parsed.number <= question.choices):
        return False
    handler = hooks.reply_handler(question.purpose)
    if handler is None:
        logger.error("No reply handler is registered for %s", question.purpose)
        return False
    reply = hooks.Reply(
        organisation_id=question.organisation_id, purpose=question.purpose,
        subject=question.subject, recipient_key=question.recipient_key, answer=parsed.kind,
        number=parsed.number, text=message.body, received_at=message.created_at,
        question_id=question.pk, message_id=message.pk,
    )
    try:
        with transaction.atomic(), organisation_scope(question.organisation_id):
            handler(reply)
    except hooks.ReplyNotUnderstood:
        return False
    question.answered_at = message.created_at
    question.answer = (str(parsed.number) if parsed.kind == keywords.CHOICE
                       else parsed.kind or keywords.ANY)
    question.save(update_fields=["answered_at", "answer"])
    return True


def _opt_out(phone: str, word: str, inbound: Message) -> None:
    _optout, created = OptOut.objects.get_or_create(phone=phone,
                                                    defaults={"keyword": word[:40]})
    Question.objects.filter(phone=phone, answered_at__isnull=True,
                            closed_at__isnull=True).update(closed_at=timezone.now())
    if not created:
        return
    people = {}  # the last message to this number, per organisation that sent one
    for row in Message.objects.filter(
        direction=Direction.OUT, phone=phone, organisation__isnull=False,
    ).order_by("-created_at"):
        people.setdefault(row.organisation_id, row)
    for organisation_id, last in people.items():
        task_open(organisation_id=organisation_id, kind=TaskKind.CALL_OPTED_OUT,
                  recipient_key=last.recipient_key, first_name=last.first_name, phone=phone,
                  detail=inbound.body, message=inbound)
    if people:
        last = max(people.values(), key=lambda m: m.created_at)
        _reply(last.organisation_id, last.recipient_key, last.first_name, phone,
               last.language, STOP_CONFIRMATION, inbound)


@transaction.atomic
def opt_out_lift(*, phone: str) -> None:
    """Allows SMS to a number again (the person asked the coordinator for it)."""
    OptOut.objects.filter(phone=normalise_phone(phone)).delete()


# --- signed links -----------------------------------------------------------------------


def link_create(*, organisation_id: int, recipient_key: str, language: str, purpose: str,
                subject: str, valid_for: timedelta = timedelta(days=7),
                single_use: bool = True, message: Message | None = None):
    """Makes a signed link for one person and one purpose; returns it and its URL (the only
    moment the secret exists outside the URL)."""
    secret = links.new_secret()
    link = SignedLink.objects.create(
        organisation_id=organisation_id, secret_hash=links.hash_secret(secret),
        purpose=purpose, subject=subject, recipient_key=recipient_key, language=language,
        single_use=single_use, expires_at=timezone.now() + valid_for, message=message,
    )
    return link, links.url(organisation_id, language, secret)


def link_find(token: str):
    """The link behind `token` whether it still works or not (None when the token names no
    link: an unknown, mistyped or tampered one), and the token's readable parts
    (organisation, language) for the friendly page."""
    parts = links.decode(token)
    if parts is None:
        return None, None
    with all_organisations():
        link = SignedLink.objects.filter(secret_hash=links.hash_secret(parts.secret)).first()
    if link is None or link.organisation_id != parts.organisation_id:
        return None, parts
    return link, parts


def link_resolve(token: str):
    """The usable link behind `token`, and the token's readable parts (organisation,
    language) for the friendly page when the link does not work."""
    link, parts = link_find(token)
    if link is None or not link.is_usable():
        return None, parts
    return link, parts


def link_use(link: SignedLink) -> SignedLink:
    """Spends a single-use link; raises LinkInvalid when it was used (a double click) or
    stopped working meanwhile. Call it inside the transaction of the action it allows."""
    now = timezone.now()
    usable = SignedLink.objects.filter(
        pk=link.pk, revoked_at__isnull=True, expires_at__gt=now,
    )
    if link.single_use:
        updated = usable.filter(used_at__isnull=True).update(used_at=now)
    else:
        updated = usable.update(used_at=now)
    if not updated:
        raise LinkInvalid()
    link.used_at = now
    return link


@transaction.atomic
def link_revoke(*, link: SignedLink) -> SignedLink:
    """Stops a link from working (the coordinator's decision)."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


@transaction.atomic
def links_revoke_for(*, organisation_id: int, recipient_key: str, purpose: str = "") -> int:
    """Stops every open link of a person (of one purpose, when given)."""
    links_ = SignedLink.objects.filter(organisation_id=organisation_id,
                                       recipient_key=recipient_key, revoked_at__isnull=True)
    if purpose:
        links_ = links_.filter(purpose=purpose)
    return links_.update(revoked_at=timezone.now())


# --- e-mail ---------------------------------------------------------------------------------


def email_send(*, recipient: Recipient, template: str, idempotency_key: str,
               context: dict | None = None, link: LinkSpec | None = None,
               appointment: Appointment | None = None) -> Message:
    """Logs an e-mail for `recipient` and queues it (once per idempotency key). The texts
    are the templates `email/<template>/subject.txt`, `body.txt` and optionally
    `body.html`; the context must be plain data (it waits in the database)."""
    if not idempotency_key:
        raise ValueError("An idempotency key is required: the same key is the same message")
    if not recipient.email:
        raise ValueError(f"{recipient.key} has no e-mail address")
    with transaction.atomic():
        existing = _existing(recipient.organisation_id, idempotency_key)
        if existing is not None:
            journal.note(f"message:{existing.pk}", existing.recipient_key, new=False)
            return existing
        organisation = Organisation.objects.get(pk=recipient.organisation_id)
        stored = dict(context or {})
        if appointment is not None:
            stored["_appointment"] = {
                "uid": appointment.uid, "summary": appointment.summary,
                "start": appointment.start.isoformat(), "end": appointment.end.isoformat(),
                "location": appointment.location, "description": appointment.description,
            }
            if appointment.extra.get("ics"):  # the owning app's own calendar (SEQUENCE, CANCEL)
                ics = appointment.extra["ics"]
                stored["_appointment"]["ics"] = ics.decode() if isinstance(ics, bytes) else ics
                stored["_appointment"]["method"] = appointment.extra.get("method", "REQUEST")
        message, created = _create_once({
            "organisation_id": organisation.pk, "direction": Direction.OUT,
            "channel": Channel.EMAIL, "template": template, "recipient_key": recipient.key,
            "recipient_role": recipient.role, "first_name": recipient.first_name,
            "email": recipient.email, "language": recipient.language or
            organisation.default_language, "idempotency_key": idempotency_key,
            "link_spec": _link_spec(link), "context": stored,
        })
        if created and not hooks.consent_allows(recipient.key, template):
            _message_failed(message, "No consent to messages", Status.NO_CONSENT)
        elif created:
            _enqueue(deliver_email, message.pk)
        journal.note(f"message:{message.pk}", message.recipient_key, new=created)
    return message


def _render_email(message: Message, link_url: str | None):
    organisation = Organisation.objects.get(pk=message.organisation_id)
    context = {key: value for key, value in message.context.items()
               if not key.startswith("_")}
    context.update(_standard_context(organisation, message.first_name))
    context["organisation_email"] = organisation.contact_email
    if link_url:
        context["link"] = link_url
    base = f"email/{message.template}"
    with translation.override(message.language):
        subject = " ".join(render_to_string(f"{base}/subject.txt", context).split())
        text = render_to_string(f"{base}/body.txt", context)
        try:
            html = render_to_string(f"{base}/body.html", context)
        except TemplateDoesNotExist:
            html = None
    return subject, text, html


def email_deliver(message_id: int) -> int | None:
    """Sends one queued e-mail through Django's e-mail backend, at most once."""
    with all_organisations():
        taken = _claim_many([message_id], Channel.EMAIL)
        if not taken:
            return None
        message = taken[0][0]
        link_url = _make_link(message) if message.link_spec else None
        subject, text, html = _render_email(message, link_url)
        redacted = links.redacted_url(message.organisation_id, message.language)
        email = EmailMultiAlternatives(subject=subject, body=text, to=[message.email],
                                       headers={"X-Buddy-Message": str(message.pk)})
        if html:
            email.attach_alternative(html, "text/html")
        appointment = message.context.get("_appointment")
        if appointment:
            method = appointment.get("method", "REQUEST")
            email.attach("invitation.ics", appointment.get("ics") or ics_for(appointment,
                                                                             message),
                         f"text/calendar; method={method}; charset=utf-8")
        try:
            email.send()
        except AnymailRecipientsRefused as exc:
            return _send_failed(message, SmsError(str(exc), permanent=True))
        except Exception as exc:  # SMTP and provider APIs fail in many ways; retry them
            logger.warning("E-mail %s failed: %s", message.pk, exc)
            return _send_failed(message, SmsError(str(exc), permanent=False))
        provider_id = ""
        status = getattr(email, "anymail_status", None)
        if status is not None and status.message_id:
            provider_id = str(status.message_id)
        Message.objects.filter(pk=message.pk).update(
            subject=subject[:200], body=text.replace(link_url, redacted) if link_url else text,
        )
        _sent_many([(message, provider_id, Status.SENT)], settings.EMAIL_BACKEND.rsplit(".", 2)[-2])
        return None


# Keep the names the domain apps use short and obvious.
__all__ = [
    "Appointment", "LinkInvalid", "LinkSpec", "QuestionSpec", "Recipient", "dispatch_due",
    "email_send", "link_create", "link_find", "link_resolve", "link_revoke", "link_use",
    "links_revoke_for", "opt_out_lift", "sms_deliver", "sms_receive", "sms_send",
    "sms_status_update", "task_done", "task_open", "whatsapp_send",
]
