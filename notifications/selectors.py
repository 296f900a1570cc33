import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from . import hooks, reminders, texts
from .models import (
    Channel,
    CoordinatorTask,
    Direction,
    Message,
    MessagingSettings,
    ReminderOutcome,
    SentReminder,
    SignedLink,
    SimulatedSms,
    Status,
)
from .quiet_hours import local_day_bounds, local_zone, sms_allowed_at


def message_list(*, person: str = "", channel: str = "", direction: str = ""):
    """The message log of the current organisation, newest first."""
    messages = Message.objects.all()
    if person:
        messages = messages.filter(recipient_key=person)
    if channel:
        messages = messages.filter(channel=channel)
    if direction:
        messages = messages.filter(direction=direction)
    return messages.order_by("-created_at", "-pk")


def link_list(*, person: str):
    return SignedLink.objects.filter(recipient_key=person).order_by("-created_at")


def task_list(*, open_only: bool = True):
    tasks = CoordinatorTask.objects.select_related("done_by", "message")
    if open_only:
        tasks = tasks.filter(done_at__isnull=True)
    return tasks.order_by("done_at", "-created_at", "-pk")


def sms_usage_by_month():
    """SMS sent and received per month (Brussels time), with segments and estimated cost."""
    sent = Q(direction=Direction.OUT, sent_at__isnull=False)
    return (
        Message.objects.filter(channel=Channel.SMS)
        .filter(sent | Q(direction=Direction.IN))
        .annotate(month=TruncMonth("created_at", tzinfo=local_zone()))
        .values("month")
        .annotate(
            sent=Count("pk", filter=sent),
            received=Count("pk", filter=Q(direction=Direction.IN)),
            segments=Sum("segments", filter=sent),
            cost=Sum("cost", filter=sent),
        )
        .order_by("-month")
    )


def person_link(key: str) -> str | None:
    return hooks.person_url(key) if key else None


# Reminders: the staff page and the API ---------------------------------------------------

REMINDERS_UPCOMING_DAYS = 14
REMINDERS_HISTORY_LIMIT = 100


@dataclass
class ReminderKindInfo:
    name: str
    label: str
    settings: list


@dataclass
class ReminderRow:
    kind: str
    label: str
    subject_ref: str
    period_key: str
    recipient_key: str
    at: datetime.datetime | None
    person_url: str | None
    # The history's: what came of it, and what it made or duplicated ("SMS: delivered").
    outcome: str = ""
    outcome_label: str = ""
    made: str = ""
    # What a person reads instead of the keys: names from the rooms (hooks.names).
    person_name: str = ""
    about: str = ""


def _named(rows: list[ReminderRow]) -> list[ReminderRow]:
    """Fills each row's person and subject with names (one query per kind of key)."""
    found = hooks.names([r.recipient_key for r in rows] + [r.subject_ref for r in rows])
    for row in rows:
        row.person_name = found.get(row.recipient_key, "") or (
            _("someone who left") if row.recipient_key else "")
        row.about = "" if row.subject_ref == row.recipient_key else found.get(
            row.subject_ref, "")
    return rows


def reminder_kinds(organisation) -> list[ReminderKindInfo]:
    return [ReminderKindInfo(name, kind.label, kind.settings_for(organisation))
            for name, kind in reminders.KINDS.items()]


def reminders_upcoming(now=None, days=REMINDERS_UPCOMING_DAYS) -> list[ReminderRow]:
    """What each kind will send within `days` (and what is overdue, sent next run), minus
    what was already claimed; a constant number of queries (one or two per kind, one more)."""
    now = now or timezone.now()
    until = now + datetime.timedelta(days=days)
    items = [item for kind in reminders.KINDS.values() for item in kind.upcoming(now, until)]
    claimed = set()
    if items:
        condition = Q(pk__in=[])
        for item in items:
            condition |= Q(kind=item.kind, subject_ref=item.subject_ref,
                           period_key=item.period_key)
        claimed = set(SentReminder.objects.filter(condition)
                      .values_list("kind", "subject_ref", "period_key"))
    rows = [
        ReminderRow(item.kind, reminders.KINDS[item.kind].label, item.subject_ref,
                    item.period_key, item.recipient_key, item.due_at,
                    hooks.person_url(item.recipient_key))
        for item in items if (item.kind, item.subject_ref, item.period_key) not in claimed
    ]
    return _named(sorted(rows, key=lambda row: row.at))


def _ids(claims, prefix):
    return [int(claim.made.removeprefix(prefix)) for claim in claims
            if claim.made.startswith(prefix) and claim.made.removeprefix(prefix).isdigit()]


def _what(ref, messages, tasks) -> str | None:
    """What the reference names, if it is there: "SMS: delivered", "a task for the
    coordinator"; None when it names a message or task that does not exist."""
    prefix, _sep, pk = ref.partition(":")
    if prefix == "message":
        message = messages.get(int(pk)) if pk.isdigit() else None
        return (f"{message.get_channel_display()}: {message.get_status_display()}"
                if message else None)
    if prefix == "task" and not (pk.isdigit() and int(pk) in tasks):
        return None
    return _("a task for the coordinator")  # ours, or a room's own (a proposal's call)


def _outcome(claim, messages, tasks) -> tuple[str, str, str]:
    """(outcome, its label, what it made): "sent" only when the message or task it made
    is there; a claim that names none (recorded before outcomes were) sent nothing known."""
    made = _what(claim.made, messages, tasks) if claim.made else None
    outcome = claim.outcome
    if outcome in (ReminderOutcome.SENT, ReminderOutcome.DUPLICATE) and made is None:
        outcome = ReminderOutcome.NOTHING
    return outcome, str(ReminderOutcome(outcome).label), made or ""


def reminders_history(limit=REMINDERS_HISTORY_LIMIT) -> list[ReminderRow]:
    """The latest reminders claimed, newest first, with what came of each (three queries:
    the claims, the messages and the tasks they made)."""
    claims = list(SentReminder.objects.order_by("-sent_at", "-id")[:limit])
    messages = Message.objects.in_bulk(_ids(claims, "message:"))
    tasks = CoordinatorTask.objects.in_bulk(_ids(claims, "task:"))
    rows = []
    for claim in claims:
        kind = reminders.KINDS.get(claim.kind)
        outcome, label, made = _outcome(claim, messages, tasks)
        rows.append(ReminderRow(
            claim.kind, kind.label if kind else claim.kind, claim.subject_ref,
            claim.period_key, claim.recipient_key, claim.sent_at,
            hooks.person_url(claim.recipient_key) if claim.recipient_key else None,
            outcome=outcome, outcome_label=label, made=made))
    return _named(rows)


def messages_held_until(since) -> datetime.datetime | None:
    """When the messages written since `since` (this request's) that wait go out: the quiet
    hours or the daily limit hold them. None when nothing written since then waits. The
    sending task may not have seen the newest SMS yet: the daily limit is worked out for
    them here by the same rule (`quiet_hours.sms_allowed_at`). Runs in the caller's
    organisation scope; three queries at most."""
    now = timezone.now()
    pending = Message.objects.filter(created_at__gte=since, status=Status.PENDING)
    moments = list(pending.filter(not_before__gt=now).order_by("not_before")
                   .values_list("not_before", flat=True)[:1])
    fresh = list(pending.filter(channel=Channel.SMS, direction=Direction.OUT)
                 .exclude(not_before__gt=now).order_by("created_at", "pk")
                 .values_list("phone", "organisation_id", "template", "during_quiet_hours"))
    if fresh:
        start, end = local_day_bounds(now)
        sent_today = Counter(dict(Message.objects.filter(
            channel=Channel.SMS, direction=Direction.OUT, sent_at__gte=start, sent_at__lt=end,
            phone__in={phone for phone, *_rest in fresh},
        ).order_by().values("phone").annotate(n=Count("id")).values_list("phone", "n")))
        found = {r.organisation_id: r for r in MessagingSettings.objects.filter(
            organisation_id__in={o for _p, o, *_rest in fresh})}
        for phone, organisation_id, template, during_quiet_hours in fresh:
            kind = texts.REGISTRY.get(template)
            if kind is not None and kind.immediate:
                continue
            rules = found.get(organisation_id) or MessagingSettings(
                organisation_id=organisation_id)
            allowed = sms_allowed_at(now, rules, sent_today[phone],
                                     quiet_hours=not during_quiet_hours,
                                     daily_limit=kind is None or kind.daily_limit)
            if allowed > now:
                moments.append(allowed)
            else:
                sent_today[phone] += 1
    return min(moments) if moments else None


def held_notice(since) -> str:
    """What a page tells the coordinator after an action whose messages wait ("" if none)."""
    moment = messages_held_until(since)
    if moment is None:
        return ""
    local = moment.astimezone(local_zone())
    if local.date() == timezone.now().astimezone(local_zone()).date():
        return _("The messages wait (quiet hours or the daily SMS limit): they go out today "
                 "at %(time)s.") % {"time": formats.time_format(local, "H:i")}
    return _("The messages wait (quiet hours or the daily SMS limit): they go out on "
             "%(day)s at %(time)s.") % {"day": formats.date_format(local, "l j F"),
                                        "time": formats.time_format(local, "H:i")}


# The phone simulator ---------------------------------------------------------------------

SIMULATOR_ROWS = 1000


@dataclass
class SimulatedPhone:
    phone: str
    first_name: str
    rows: list


def simulator_phones(limit=SIMULATOR_ROWS) -> list[SimulatedPhone]:
    """The numbers the simulator shows, the latest active first, each with its SMS in and
    out (oldest first): the latest `limit` SMS of the organisation, in one query."""
    rows = list(SimulatedSms.objects.select_related("message")
                .order_by("-created_at", "-pk")[:limit])
    phones: dict[str, SimulatedPhone] = {}
    for row in rows:
        phone = phones.setdefault(str(row.phone), SimulatedPhone(str(row.phone), "", []))
        phone.rows.append(row)
        if not phone.first_name and row.message is not None:
            phone.first_name = row.message.first_name
    for phone in phones.values():
        phone.rows.reverse()
    return list(phones.values())
# What a failed message's stored error means, in plain words for the coordinator. The stored
# text stays technical (for operations); pages show these. Twilio's and MessageBird's
# delivery codes for the common cases.
PROVIDER_CODES = {
    "30003": _("The phone was off or out of reach."),
    "30005": _("This number does not exist (any more)."),
    "30006": _("This is a landline, or a network that SMS cannot reach."),
    "30004": _("The phone company blocked the message."),
    "30007": _("The phone company blocked the message."),
    "21610": _("This number sent STOP: no more SMS to it."),
    "21614": _("This is not a mobile number."),
}


STORED_ERRORS = ("Provider reports", "No consent", "The number replied STOP",
                 "The worker stopped")


def readable_detail(detail: str) -> str:
    """A task's detail: a stored delivery error in plain words, anything else as written."""
    return plain_error(detail) if (detail or "").startswith(STORED_ERRORS) else detail


def plain_error(error: str) -> str:
    """A stored delivery error as plain words ("" when there is none)."""
    error = (error or "").strip()
    if not error:
        return ""
    if error.startswith("Provider reports"):
        code = error.rsplit(" ", 1)[-1]
        return str(PROVIDER_CODES.get(code, _("The phone company could not deliver it.")))
    if error.startswith("No consent"):
        return _("They did not agree to receive messages.")
    if "STOP" in error:
        return _("This number sent STOP: no more SMS to it.")
    if error.startswith("The worker stopped"):
        return _("Sending stopped half-way: it may not have gone out. Check with the person.")
    return _("The SMS service could not send it.")
