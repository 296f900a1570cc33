"""Reaching a participant or a volunteer through notifications, the way they want to be
reached: one helper for matching, duos and coaching (all three know these two models).

- contact channel SMS: an SMS (an e-mail when there is no mobile number);
- contact channel e-mail: an e-mail (an SMS when there is no address);
- contact channel WhatsApp: a WhatsApp message (an approved template outside the 24 hours
  after the person wrote; SMS once when WhatsApp cannot reach them);
- contact channel "phone call by the coordinator", or nothing that reaches them: a
  coordinator task "call this person" with what they must be told, instead of a message.

Every call runs inside the caller's transaction: notifications writes the message row
there (its outbox) and a task sends it after the commit, so a rolled-back change sends
nothing and a crash after the commit loses nothing. The idempotency key makes a retry or a
second call the same message.
"""

from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from notifications import hooks as notify_hooks
from notifications import services as notify
from notifications.models import RecipientRole, TaskKind
from organisations.models import Organisation

from .models import ContactChannel, Participant, Volunteer
from .privacy import profile_shared


def role_of(person) -> str:
    return "participant" if isinstance(person, Participant) else "volunteer"


def key_of(person) -> str:
    return f"{role_of(person)}:{person.pk}"


def first_name(person) -> str:
    return person.preferred_name or person.first_name


def name_for_buddy(person, language: str | None = None) -> str:
    """The name the other side of a duo (or a proposal) may see: the first name, except for a
    participant who withdrew consent to share their profile with a buddy ("a participant",
    in `language` or the current one). `profile_shared` on the object (an annotation, see
    `privacy.profile_shared_expression`) saves the query."""
    if isinstance(person, Participant):
        shared = getattr(person, "profile_shared", None)
        if shared is None:
            shared = profile_shared(person.pk)
        if not shared:
            return text_in(_("a participant"), language or translation.get_language() or "nl")
    return first_name(person)


def language_of(person) -> str:
    return person.message_language or "nl"


def recipient(person) -> notify.Recipient:
    role = role_of(person)
    return notify.Recipient(
        organisation_id=person.organisation_id, key=key_of(person),
        first_name=first_name(person), language=language_of(person),
        phone=str(person.phone or ""), email=person.email or "",
        role=RecipientRole.PARTICIPANT if role == "participant" else RecipientRole.VOLUNTEER,
    )


def channel_for(person, prefer_email: bool | None = None) -> str:
    """"sms", "email" or "call": how this person is reached now."""
    has_phone = bool(notify.normalise_phone(str(person.phone or "")))
    has_email = bool(person.email)
    wanted = person.contact_channel
    if wanted == ContactChannel.CALL:
        return "call"
    if prefer_email and has_email:
        return "email"
    if wanted == ContactChannel.EMAIL and has_email:
        return "email"
    if wanted == ContactChannel.WHATSAPP and has_phone:
        return "whatsapp"
    if has_phone:
        return "sms"
    if has_email:
        return "email"
    return "call"


def contacts(keys: list[str]) -> dict:
    """{key: notifications Contact} of the participants and volunteers among `keys` (two
    queries at most): for a coordinator's answer and a group message."""
    wanted = {"participant": [], "volunteer": []}
    for key in keys:
        role, _sep, pk = key.partition(":")
        if role in wanted and pk.isdigit():
            wanted[role].append(int(pk))
    found = {}
    for model, pks in ((Participant, wanted["participant"]), (Volunteer, wanted["volunteer"])):
        if not pks:
            continue
        for person in model.objects.filter(pk__in=pks).only(
                "organisation_id", "first_name", "preferred_name", "message_language",
                "phone", "email", "contact_channel"):
            found[key_of(person)] = contact(person)
    return found


def contact(person) -> notify_hooks.Contact:
    return notify_hooks.Contact(
        key=key_of(person), first_name=first_name(person), language=language_of(person),
        phone=str(person.phone or ""), email=person.email or "",
        channel=person.contact_channel, role=role_of(person))


def call_instead(person, detail) -> None:
    """A task on the coordinators' follow-up list: phone this person and tell them this."""
    language = Organisation.objects.values_list("default_language", flat=True).get(
        pk=person.organisation_id)
    with translation.override(language):  # the organisation's staff read it
        text = str(detail() if callable(detail) else detail)
    notify.task_open(
        organisation_id=person.organisation_id, kind=TaskKind.CALL_PREFERRED,
        recipient_key=key_of(person), first_name=first_name(person),
        phone=str(person.phone or ""), detail=text,
    )


def reach(person, *, kind: str, key: str, context: dict | None = None, email_line=None,
          email_title=None, link: notify.LinkSpec | None = None,
          question: notify.QuestionSpec | None = None,
          appointment: notify.Appointment | None = None, call_detail=None,
          prefer_email: bool | None = None, channel: str | None = None):
    """Sends the message `kind` to `person` by the channel they use (once per key); a
    person to be phoned gets a coordinator task instead. Returns the message or None."""
    channel = channel or channel_for(person, prefer_email)
    context = dict(context or {})
    if channel == "call":
        call_instead(person, call_detail or email_line or kind)
        return None
    if channel == "sms":
        return notify.sms_send(recipient=recipient(person), template=kind,
                               idempotency_key=f"{key}:sms", context=context, link=link,
                               question=question)
    if channel == "whatsapp":
        return notify.whatsapp_send(recipient=recipient(person), template=kind,
                                    idempotency_key=f"{key}:whatsapp", context=context,
                                    link=link, question=question)
    with translation.override(language_of(person)):
        line = email_line() if callable(email_line) else email_line
        context.update(title=str(email_title or ""), lines=[str(line or "")])
    return notify.email_send(recipient=recipient(person), template=kind,
                             idempotency_key=f"{key}:email", context=context, link=link,
                             appointment=appointment)


def when(moment, language: str) -> dict:
    """{weekday}, {date} and {time} of a moment, in Brussels time and the person's language."""
    local = timezone.localtime(moment)
    with translation.override(language):
        return {"weekday": formats.date_format(local, "l"), "date": local.strftime("%d/%m"),
                "time": local.strftime("%H:%M")}


def text_in(value, language: str, **params) -> str:
    """A translatable text in `language`, with its %(name)s parameters filled."""
    with translation.override(language):
        text = str(value)
        return text % params if params else text


def open_task(person, key, kind, detail) -> None:
    """A task for the coordinator about `person` (a call to make, an answer to check)."""
    notify.task_open(organisation_id=person.organisation_id, kind=kind, recipient_key=key,
                     first_name=person.first_name, phone=str(person.phone or ""),
                     detail=str(detail))
