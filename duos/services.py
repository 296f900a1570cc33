"""Duo changes: one function per state change, each in its own transaction.

Each function checks the state it needs (locking the duo with select_for_update where two
people or two workers could race), raises django's ValidationError with a clear message
before it writes, and returns quietly when the change was already made (a double click, a
retried task, an SMS reply received twice). The duo is locked before its people; intake's
services lock those, the participant before the volunteer, in the one order of
`matching/proposals/locks.py`. Messages go out through `duos.messaging`, written in the same
transaction (notifications' outbox) and sent after the commit.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from buddy.files import file_kind
from matching.intake import services as matching_services
from matching.intake.models import BuddyRole, LifeArea, ParticipantStatus, VolunteerStatus
from organisations.permissions import is_staff_user
from organisations.scoping import all_organisations, organisation_scope

from . import messaging, selectors
from .models import (
    RECEIPT_MAX_BYTES,
    RUNNING_STATUSES,
    ActivityKind,
    Agreement,
    Alert,
    AlertKind,
    AnswerChannel,
    CheckIn,
    ConfirmationChannel,
    ContactHow,
    Duo,
    DuoStatus,
    DurationKind,
    EndAnswer,
    EndChoice,
    EndedBy,
    Ending,
    EndReason,
    Evaluation,
    EvaluationMoment,
    Expense,
    ExpenseKind,
    ExpenseStatus,
    MeetingDuration,
    MeetingFrequency,
    MeetingLog,
    Outcome,
    ParticipantAnswer,
    Side,
    VolunteerNext,
    With,
    agreement_end_date,
)
from .selectors import duo_settings_for

MAX_EXPENSE = Decimal("1000.00")


def _now():
    return timezone.now()


def _today():
    return timezone.localdate()


def _locked(duo) -> Duo:
    return Duo.objects.select_for_update().select_related("organisation").get(pk=duo.pk)


def _refuse_unless(duo, statuses, message=None):
    if duo.status not in statuses:
        raise ValidationError(
            message or _("Not possible while the duo is “%(status)s”.")
            % {"status": duo.get_status_display()}
        )


def _open_alert(duo, kind, detail="", now=None) -> Alert:
    """Opens an alert of this kind for the duo, unless one is open already."""
    existing = Alert.objects.filter(duo=duo, kind=kind, resolved_at__isnull=True).first()
    if existing is not None:
        return existing
    return Alert.objects.create(duo=duo, kind=kind, detail=detail[:300],
                                created_at=now or _now())


@transaction.atomic
def alert_raise(*, duo, kind, detail="") -> Alert:
    """Puts an alert on the follow-up list for a reason another room saw (a survey answer:
    the volunteer wants support, the participant says it goes badly), unless one of that
    kind is open already."""
    if kind not in AlertKind.values:
        raise ValidationError({"kind": _("Unknown kind of alert.")})
    return _open_alert(duo, kind, detail)


def _resolve_alerts(duo, kind, note, by=None):
    Alert.objects.filter(duo=duo, kind=kind, resolved_at__isnull=True).update(
        resolved_at=_now(), resolved_by=by, resolution_note=note[:300],
    )


def _tell(func, *args):
    # notifications writes the message in this transaction (its outbox) and sends it after
    # the commit: a rolled-back change sends nothing, a crash after the commit loses nothing.
    func(*args)


# The agreement ---------------------------------------------------------------------------


def _check_duration(errors, kind, months, *, agreed=False):
    """`agreed`: the length must be known (asking to confirm, a duo that runs, an extension)."""
    if kind == DurationKind.TO_AGREE and agreed:
        errors["duration_kind"] = [_("Fill in how long the duo is agreed for: a number of "
                                     "months, a school year or as long as the duo wants.")]
    elif kind not in DurationKind.values:
        errors["duration_kind"] = [_("Unknown duration.")]
    elif kind == DurationKind.MONTHS and not (months and 1 <= months <= 60):
        errors["duration_months"] = [_("Fill in a number of months between 1 and 60.")]


@transaction.atomic
def duo_start_from_match(
    *, participant, volunteer, started_by=None, start_date=None,
    buddy_roles=None, buddy_roles_other=None, excluded_areas=None, excluded_areas_other=None,
    duration_kind=DurationKind.TO_AGREE, duration_months=None,
) -> Duo:
    """Both said yes: creates the duo, agreement pending, with an agreement prefilled from
    the participant's intake (roles, parts of life that stay out). Its length is not
    assumed: the coordinator fills it in at the introduction meeting and then asks both to
    confirm. Called by matching; the same pair twice returns the same open duo."""
    if participant.organisation_id != volunteer.organisation_id:
        raise ValidationError(_("The participant and the volunteer belong to different "
                                "organisations."))
    existing = Duo.objects.filter(participant=participant, status__in=[
        DuoStatus.AGREEMENT_PENDING, DuoStatus.ACTIVE, DuoStatus.ENDING]).first()
    if existing is not None:
        if existing.volunteer_id == volunteer.pk:
            return existing
        raise ValidationError(_("This participant already has a buddy."))
    if (participant.pk, volunteer.pk) in selectors.ended_pairs(participant.organisation_id):
        raise ValidationError(_("This duo ended before; they cannot be matched again."))
    # matching's match_confirm normally has taken the participant off the waiting list;
    # the waiting list belongs to matching, so its service does it when that did not happen.
    participant = matching_services.participant_mark_matched(participant=participant)
    start_date = start_date or _today()
    errors = {}
    _check_duration(errors, duration_kind, duration_months)
    if errors:
        raise ValidationError(errors)
    duo = Duo.objects.create(organisation_id=participant.organisation_id,
                             participant=participant, volunteer=volunteer,
                             status=DuoStatus.AGREEMENT_PENDING, created_by=started_by)
    Agreement.objects.create(
        duo=duo, start_date=start_date, duration_kind=duration_kind,
        duration_months=duration_months if duration_kind == DurationKind.MONTHS else None,
        end_date=agreement_end_date(start_date, duration_kind, duration_months),
        buddy_roles=list(participant.buddy_roles if buddy_roles is None else buddy_roles),
        buddy_roles_other=(participant.buddy_roles_other if buddy_roles_other is None
                           else buddy_roles_other),
        excluded_areas=list(participant.excluded_areas if excluded_areas is None
                            else excluded_areas),
        excluded_areas_other=(participant.excluded_areas_other if excluded_areas_other is None
                              else excluded_areas_other),
    )
    return duo


AGREEMENT_FIELDS = {
    "start_date", "duration_kind", "duration_months", "meeting_frequency", "buddy_roles",
    "buddy_roles_other", "excluded_areas", "excluded_areas_other", "expenses_reimbursed",
    "expenses_monthly_max_cents", "how_to_reach",
}


@transaction.atomic
def agreement_update(*, duo, **fields) -> Agreement:
    """Changes the agreement (duration, frequency, role, expenses, contact); recomputes the
    end date. Before both confirmed, a real change asks for the confirmations again."""
    duo = _locked(duo)
    _refuse_unless(duo, [DuoStatus.AGREEMENT_PENDING, DuoStatus.ACTIVE, DuoStatus.ENDING])
    agreement = Agreement.objects.get(duo=duo)
    changed = False
    for name, value in fields.items():
        if name not in AGREEMENT_FIELDS:
            raise TypeError(f"unexpected field {name}")
        if getattr(agreement, name) != value:
            setattr(agreement, name, value)
            changed = True
    if agreement.duration_kind != DurationKind.MONTHS:
        agreement.duration_months = None
    errors = {}
    _check_duration(errors, agreement.duration_kind, agreement.duration_months,
                    agreed=duo.status != DuoStatus.AGREEMENT_PENDING)
    if not agreement.start_date:
        errors["start_date"] = [_("Fill in the start date.")]
    if agreement.meeting_frequency not in MeetingFrequency.values:
        errors["meeting_frequency"] = [_("Unknown choice.")]
    for name, choices in (("buddy_roles", BuddyRole), ("excluded_areas", LifeArea)):
        wrong = [v for v in getattr(agreement, name) or [] if v not in choices.values]
        if wrong:
            errors[name] = [_("Unknown choice: %(values)s.") % {"values": ", ".join(wrong)}]
    if errors:
        raise ValidationError(errors)
    if not changed:
        return agreement
    agreement.end_date = agreement_end_date(agreement.period_start, agreement.duration_kind,
                                            agreement.duration_months)
    if duo.status == DuoStatus.AGREEMENT_PENDING:
        for side in Side.values:
            setattr(agreement, f"{side}_confirmed_at", None)
            setattr(agreement, f"{side}_confirmed_channel", "")
            setattr(agreement, f"{side}_confirmed_by", None)
    agreement.save()
    return agreement


@transaction.atomic
def agreement_ask_confirmation(*, duo, step: str = "ask") -> None:
    """Asks each side that has not confirmed yet to confirm the agreement (link or SMS);
    `step` is "ask" (the coordinator) or "reminder" (asked again, a message of its own)."""
    duo = _locked(duo)
    _refuse_unless(duo, [DuoStatus.AGREEMENT_PENDING])
    agreement = Agreement.objects.get(duo=duo)
    _refuse_unless_length_agreed(agreement)
    if not agreement.confirmed_by(Side.VOLUNTEER):
        _tell(messaging.ask_volunteer_to_confirm_agreement, duo, step)
    if not agreement.confirmed_by(Side.PARTICIPANT):
        _tell(messaging.ask_participant_to_confirm_agreement, duo, step)


def _refuse_unless_length_agreed(agreement):
    errors = {}
    _check_duration(errors, agreement.duration_kind, agreement.duration_months, agreed=True)
    if errors:
        raise ValidationError(errors)


CHANNELS_BY_SIDE = {
    Side.VOLUNTEER: {ConfirmationChannel.LINK, ConfirmationChannel.PHONE},
    Side.PARTICIPANT: {ConfirmationChannel.LINK, ConfirmationChannel.SMS_REPLY,
                       ConfirmationChannel.PHONE},
}


def _plan_first_checkins(duo, settings, start):
    count = settings.first_month_checkins
    if count:
        days = [round(28 * (i + 1) / count) for i in range(count)]
    else:
        days = [settings.checkin_every_weeks * 7]
    CheckIn.objects.bulk_create([
        CheckIn(duo=duo, planned_on=start + datetime.timedelta(days=d)) for d in days
    ])


@transaction.atomic
def agreement_confirm(*, duo, side, channel, recorded_by=None) -> Duo:
    """Records one side's confirmation (link, SMS reply, or by phone recorded by the
    coordinator); when both confirmed the duo becomes active, its check-ins are planned
    and both are told."""
    if side not in Side.values:
        raise ValidationError({"side": _("Unknown side.")})
    if channel not in CHANNELS_BY_SIDE[side]:
        raise ValidationError({"channel": _("This side cannot confirm this way.")})
    if channel == ConfirmationChannel.PHONE and not (recorded_by and is_staff_user(recorded_by)):
        raise ValidationError({"channel": _("Only a coordinator can record a phone answer.")})
    duo = _locked(duo)
    agreement = Agreement.objects.get(duo=duo)
    if agreement.confirmed_by(side):
        return duo
    _refuse_unless(duo, [DuoStatus.AGREEMENT_PENDING])
    _refuse_unless_length_agreed(agreement)
    setattr(agreement, f"{side}_confirmed_at", _now())
    setattr(agreement, f"{side}_confirmed_channel", channel)
    setattr(agreement, f"{side}_confirmed_by", recorded_by)
    agreement.save()
    if agreement.is_confirmed:
        duo.status = DuoStatus.ACTIVE
        duo.started_on = agreement.start_date
        duo.save(update_fields=["status", "started_on"])
        _plan_first_checkins(duo, duo_settings_for(duo.organisation_id),
                             max(agreement.start_date, _today()))
        _tell(messaging.tell_duo_is_active, duo)
    return duo


YES_REPLIES = {"yes", "ja", "oui", "ok", "1", "y", "j"}
NO_REPLIES = {"no", "nee", "non", "neen", "2", "n"}


def _scope_of_duo(duo_id):
    """The organisation scope of a duo, for a reply handler: replies arrive without a
    logged-in user. Raises Duo.DoesNotExist for an unknown id."""
    with all_organisations():
        organisation_id = Duo.objects.values_list("organisation_id", flat=True).get(pk=duo_id)
    return organisation_scope(organisation_id)


def agreement_reply_received(*, duo_id, reply) -> str:
    """Reply handler for the participant's SMS answer to the agreement: yes/ja/oui/1
    confirms (channel SMS reply), no/nee/non/2 alerts the coordinator. Returns
    "confirmed", "declined", "already_done" or "not_understood" (notifications answers
    the latter with the help text)."""
    word = (reply or "").strip().lower().rstrip(".!")
    with _scope_of_duo(duo_id):
        duo = Duo.objects.select_related("agreement").get(pk=duo_id)
        if duo.agreement.confirmed_by(Side.PARTICIPANT):
            return "already_done"
        if duo.status != DuoStatus.AGREEMENT_PENDING:
            return "already_done"
        if word in YES_REPLIES:
            agreement_confirm(duo=duo, side=Side.PARTICIPANT,
                              channel=ConfirmationChannel.SMS_REPLY)
            return "confirmed"
        if word in NO_REPLIES:
            with transaction.atomic():
                _open_alert(_locked(duo), AlertKind.AGREEMENT_DECLINED,
                            _("The participant answered no by SMS."))
            return "declined"
    return "not_understood"


# Meetings and expenses -------------------------------------------------------------------


def _may_log_for(duo, user) -> bool:
    return bool(user) and (is_staff_user(user) or (duo.volunteer.user_id is not None
                                                    and duo.volunteer.user_id == user.pk))


def _parse_amount(amount) -> int:
    try:
        value = Decimal(str(amount).replace(",", ".").replace("€", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("Fill in an amount such as 12.50.")}) from None
    if value <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if value > MAX_EXPENSE:
        raise ValidationError({"amount": _("An expense cannot be more than €%(max)s.")
                               % {"max": MAX_EXPENSE}})
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("Use at most two decimals.")})
    return int(value * 100)


def receipt_type(file) -> str:
    """"jpeg", "png" or "pdf" from the file's first bytes (the name says nothing)."""
    return file_kind(file)


def _check_receipt(receipt) -> str:
    if receipt.size > RECEIPT_MAX_BYTES:
        raise ValidationError({"receipt": _("The receipt is larger than 5 MB.")})
    kind = receipt_type(receipt)
    if not kind:
        raise ValidationError({"receipt": _("A receipt must be a photo (JPEG or PNG) or a "
                                            "PDF.")})
    return kind


def _claim(duo, *, claimed_by, spent_on, amount, kind, description="", receipt=None,
           meeting_log=None) -> Expense:
    if kind not in ExpenseKind.values:
        raise ValidationError({"kind": _("Unknown kind of expense.")})
    if spent_on is None or spent_on > _today():
        raise ValidationError({"spent_on": _("The date cannot be in the future.")})
    cents = _parse_amount(amount)
    expense = Expense(duo=duo, meeting_log=meeting_log, spent_on=spent_on, amount_cents=cents,
                      kind=kind, description=(description or "")[:200], claimed_by=claimed_by)
    if receipt:
        expense.receipt_type = _check_receipt(receipt)
        expense.receipt.save(receipt.name or "receipt", receipt, save=False)
    expense.save()
    return expense


@transaction.atomic
def expense_claim(*, duo, claimed_by, spent_on, amount, kind, description="", receipt=None,
                  meeting_log=None) -> Expense:
    """The volunteer claims an expense (optionally with a receipt photo or PDF); the
    coordinator sees it in the monthly overview to approve."""
    duo = _locked(duo)
    if not _may_log_for(duo, claimed_by):
        raise ValidationError(_("Only the duo's volunteer or a coordinator can do this."))
    _refuse_unless(duo, RUNNING_STATUSES)
    return _claim(duo, claimed_by=claimed_by, spent_on=spent_on, amount=amount, kind=kind,
                  description=description, receipt=receipt, meeting_log=meeting_log)


def _locked_expense(expense) -> Expense:
    return Expense.objects.select_for_update().get(pk=expense.pk)


@transaction.atomic
def expense_approve(*, expense, approved_by) -> Expense:
    """The coordinator approves a claimed expense; the volunteer is told."""
    expense = _locked_expense(expense)
    if expense.status in (ExpenseStatus.APPROVED, ExpenseStatus.PAID):
        return expense
    if expense.status != ExpenseStatus.CLAIMED:
        raise ValidationError(_("Only a claimed expense can be approved."))
    expense.status = ExpenseStatus.APPROVED
    expense.decided_by, expense.decided_at = approved_by, _now()
    expense.save(update_fields=["status", "decided_by", "decided_at"])
    _tell(messaging.tell_expense_decided, expense)
    return expense


@transaction.atomic
def expense_reject(*, expense, rejected_by, reason) -> Expense:
    """The coordinator rejects a claimed expense with a reason; the volunteer is told."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"rejection_reason": _("Say why the expense is rejected.")})
    expense = _locked_expense(expense)
    if expense.status == ExpenseStatus.REJECTED:
        return expense
    if expense.status != ExpenseStatus.CLAIMED:
        raise ValidationError(_("Only a claimed expense can be rejected."))
    expense.status = ExpenseStatus.REJECTED
    expense.decided_by, expense.decided_at = rejected_by, _now()
    expense.rejection_reason = reason[:300]
    expense.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
    _tell(messaging.tell_expense_decided, expense)
    return expense


@transaction.atomic
def expense_mark_paid(*, expense, paid_by=None) -> Expense:
    """Marks an approved expense as paid out; the volunteer is told."""
    expense = _locked_expense(expense)
    if expense.status == ExpenseStatus.PAID:
        return expense
    if expense.status != ExpenseStatus.APPROVED:
        raise ValidationError(_("Only an approved expense can be paid."))
    expense.status = ExpenseStatus.PAID
    expense.paid_at = _now()
    expense.save(update_fields=["status", "paid_at"])
    _tell(messaging.tell_expense_decided, expense)
    return expense


@transaction.atomic
def meeting_log_create(
    *, duo, created_by, date, did_not_meet=False, not_met_reason="", duration="",
    activities=(), activity_text="", how_it_went=None, note_to_coordinator="",
    wants_to_talk=False, expenses=(), client_key="", via_link=False,
) -> MeetingLog:
    """The volunteer logs a meeting (or that they did not meet), with optional expenses; a
    "talk to me" flag opens an alert for the coordinator, a meeting closes an open
    "no meeting logged" alert. The same form key twice saves one log."""
    duo = _locked(duo)
    if client_key:
        existing = MeetingLog.objects.filter(duo=duo, client_key=client_key).first()
        if existing is not None:
            return existing
    # via_link: the volunteer opened their own signed meeting-log link, which stands for them.
    if not via_link and not _may_log_for(duo, created_by):
        raise ValidationError(_("Only the duo's volunteer or a coordinator can do this."))
    _refuse_unless(duo, RUNNING_STATUSES, _("This duo is not active."))
    errors = {}
    agreement = Agreement.objects.get(duo=duo)
    if date is None:
        errors["date"] = [_("Fill in the date.")]
    elif date > _today():
        errors["date"] = [_("The date cannot be in the future.")]
    elif date < agreement.start_date:
        errors["date"] = [_("The date is before the duo started.")]
    activities = list(activities or [])
    if did_not_meet:
        duration, activities, how_it_went = "", [], None
    else:
        not_met_reason = ""
        if duration not in MeetingDuration.values:
            errors["duration"] = [_("Choose roughly how long.")]
        try:
            how_it_went = int(how_it_went)
        except (TypeError, ValueError):
            how_it_went = None
        if how_it_went is None or not 1 <= how_it_went <= 5:
            errors["how_it_went"] = [_("Choose how it went, from 1 to 5.")]
        wrong = [a for a in activities if a not in ActivityKind.values]
        if wrong:
            errors["activities"] = [_("Unknown choice: %(values)s.")
                                    % {"values": ", ".join(wrong)}]
    if errors:
        raise ValidationError(errors)
    log = MeetingLog.objects.create(
        duo=duo, date=date, did_not_meet=did_not_meet, not_met_reason=not_met_reason[:300],
        duration=duration, activities=activities, activity_text=activity_text[:500],
        how_it_went=how_it_went, note_to_coordinator=note_to_coordinator,
        wants_to_talk=wants_to_talk, client_key=client_key, created_by=created_by,
    )
    for item in expenses or ():
        _claim(duo, claimed_by=created_by, spent_on=item.get("spent_on") or date,
               amount=item["amount"], kind=item["kind"],
               description=item.get("description", ""), receipt=item.get("receipt"),
               meeting_log=log)
    if wants_to_talk:
        _open_alert(duo, AlertKind.TALK_TO_ME, _("Asked in the log of %(date)s.")
                    % {"date": date.isoformat()})
    if not did_not_meet:
        _resolve_alerts(duo, AlertKind.NO_MEETING_LOGGED, _("A meeting was logged."))
    return log


# Follow-up -------------------------------------------------------------------------------


@transaction.atomic
def checkin_record(*, duo, recorded_by, done_on, with_whom, how, note="") -> CheckIn:
    """Records a follow-up contact with the duo; it fulfils the next planned check-in,
    plans the following one, and closes an open "check-in overdue" alert."""
    errors = {}
    if with_whom not in With.values:
        errors["with_whom"] = [_("Choose with whom.")]
    if how not in ContactHow.values:
        errors["how"] = [_("Choose how.")]
    if done_on is None or done_on > _today():
        errors["done_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    duo = _locked(duo)
    _refuse_unless(duo, [DuoStatus.AGREEMENT_PENDING, *RUNNING_STATUSES])
    same = CheckIn.objects.filter(duo=duo, done_on=done_on, with_whom=with_whom, how=how,
                                  note=note).first()
    if same is not None:
        return same
    checkin = CheckIn.objects.filter(duo=duo, done_on__isnull=True).order_by("planned_on").first()
    if checkin is None:
        checkin = CheckIn(duo=duo)
    checkin.done_on, checkin.with_whom, checkin.how = done_on, with_whom, how
    checkin.note, checkin.recorded_by = note[:500], recorded_by
    checkin.save()
    if duo.status in RUNNING_STATUSES and not CheckIn.objects.filter(
            duo=duo, done_on__isnull=True).exists():
        settings = duo_settings_for(duo.organisation_id)
        CheckIn.objects.create(
            duo=duo, planned_on=done_on + datetime.timedelta(weeks=settings.checkin_every_weeks))
    _resolve_alerts(duo, AlertKind.MISSED_CHECKIN, _("A check-in was recorded."), recorded_by)
    return checkin


@transaction.atomic
def participant_ask_how_it_is_going(*, duo, today=None) -> Duo:
    """Sends the participant the "how is it going? reply 1 to 5" SMS and notes the day;
    asking again the same day sends nothing."""
    today = today or _today()
    duo = _locked(duo)
    _refuse_unless(duo, RUNNING_STATUSES)
    if duo.how_asked_on == today:
        return duo
    duo.how_asked_on = today
    duo.save(update_fields=["how_asked_on"])
    _tell(messaging.ask_how_it_is_going, duo)
    return duo


@transaction.atomic
def meeting_log_reminder_send(*, duo, today=None) -> Duo:
    """Reminds the volunteer, with a link to the meeting-log page, to log their meetings;
    notes the day so that the next reminder waits a full interval."""
    today = today or _today()
    duo = _locked(duo)
    _refuse_unless(duo, RUNNING_STATUSES)
    if duo.log_reminder_sent_on == today:
        return duo
    duo.log_reminder_sent_on = today
    duo.save(update_fields=["log_reminder_sent_on"])
    _tell(messaging.send_meeting_log_link, duo)
    return duo


@transaction.atomic
def participant_answer_record(*, duo, score, channel=AnswerChannel.SMS_REPLY,
                              received_at=None) -> ParticipantAnswer:
    """Records the participant's "how is it going" answer (1 to 5); an answer at or below
    the organisation's threshold opens a "low answer" alert."""
    try:
        score = int(score)
    except (TypeError, ValueError):
        raise ValidationError({"score": _("Answer with a number from 1 to 5.")}) from None
    if not 1 <= score <= 5:
        raise ValidationError({"score": _("Answer with a number from 1 to 5.")})
    if channel not in AnswerChannel.values:
        raise ValidationError({"channel": _("Unknown choice.")})
    duo = _locked(duo)
    answer = ParticipantAnswer.objects.create(duo=duo, score=score, channel=channel,
                                              received_at=received_at or _now())
    if score <= duo_settings_for(duo.organisation_id).low_answer_threshold:
        _open_alert(duo, AlertKind.LOW_ANSWER,
                    _("The participant answered %(score)s out of 5.") % {"score": score})
    return answer


def how_is_it_going_reply_received(*, duo_id, score) -> str:
    """Reply handler for the participant's SMS answer 1 to 5. Returns "recorded",
    "not_understood" or "duo_not_running" (a late reply after the duo closed)."""
    with _scope_of_duo(duo_id):
        duo = Duo.objects.get(pk=duo_id)
        if duo.status not in RUNNING_STATUSES:
            return "duo_not_running"
        try:
            participant_answer_record(duo=duo, score=score, channel=AnswerChannel.SMS_REPLY)
        except ValidationError:
            return "not_understood"
    return "recorded"


def alerts_scan(today=None) -> int:
    """Opens alerts for running duos with no meeting logged for N weeks and for check-ins
    overdue by more than the grace days (per organisation); never a second open alert of
    the same kind for a duo. Runs in the caller's scope; returns the number opened."""
    today = today or _today()
    now = _now()
    last_meeting = Max("meeting_logs__date", filter=Q(meeting_logs__did_not_meet=False))
    duos = list(
        Duo.objects.filter(status__in=RUNNING_STATUSES)
        .annotate(last_meeting=last_meeting).values("id", "organisation_id", "started_on",
                                                    "last_meeting")
    )
    settings = {}

    def settings_of(organisation_id):
        if organisation_id not in settings:
            settings[organisation_id] = duo_settings_for(organisation_id)
        return settings[organisation_id]

    wanted = []
    for row in duos:
        reference = row["last_meeting"] or row["started_on"]
        weeks = settings_of(row["organisation_id"]).weeks_without_log
        if reference and reference <= today - datetime.timedelta(weeks=weeks):
            wanted.append((row["id"], AlertKind.NO_MEETING_LOGGED,
                           _("Last meeting: %(date)s.") % {"date": reference.isoformat()}
                           if row["last_meeting"] else _("No meeting logged since the start.")))
    overdue = (
        CheckIn.objects.filter(done_on__isnull=True, planned_on__lt=today,
                               duo__status__in=RUNNING_STATUSES)
        .values("duo_id", "duo__organisation_id", "planned_on").order_by("planned_on")
    )
    for row in overdue:
        grace = settings_of(row["duo__organisation_id"]).checkin_grace_days
        if row["planned_on"] + datetime.timedelta(days=grace) < today:
            wanted.append((row["duo_id"], AlertKind.MISSED_CHECKIN,
                           _("Check-in planned on %(date)s.")
                           % {"date": row["planned_on"].isoformat()}))
    open_now = set(Alert.objects.filter(resolved_at__isnull=True)
                   .values_list("duo_id", "kind"))
    new = {}
    for duo_id, kind, detail in wanted:
        if (duo_id, kind) not in open_now and (duo_id, kind) not in new:
            new[(duo_id, kind)] = Alert(duo_id=duo_id, kind=kind, detail=detail[:300],
                                        created_at=now)
    # A scan running twice at once: the partial unique index keeps one open alert.
    Alert.objects.bulk_create(new.values(), ignore_conflicts=True)
    return len(new)


@transaction.atomic
def alert_resolve(*, alert, resolved_by, note="") -> Alert:
    """The coordinator marks an alert as handled, with what was done."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.resolved_at is not None:
        return alert
    alert.resolved_at, alert.resolved_by = _now(), resolved_by
    alert.resolution_note = (note or "")[:300]
    alert.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    return alert


@transaction.atomic
def evaluation_record(*, duo, moment, party, answers, free_text="", recorded_by) -> Evaluation:
    """Records (or corrects) the mid-term or end evaluation with one party of the duo."""
    if moment not in EvaluationMoment.values:
        raise ValidationError({"moment": _("Unknown choice.")})
    if party not in Side.values:
        raise ValidationError({"party": _("Unknown choice.")})
    duo = _locked(duo)
    evaluation, _created = Evaluation.objects.update_or_create(
        duo=duo, moment=moment, party=party,
        defaults={"answers": dict(answers or {}), "free_text": free_text,
                  "recorded_by": recorded_by, "recorded_at": _now()},
    )
    return evaluation


# Ending ----------------------------------------------------------------------------------


@transaction.atomic
def end_question_ask(*, duo, today=None) -> Duo:
    """Weeks before the agreed end, asks both sides: extend, close, or go on as friends;
    the duo is then "ending". Asking twice sends nothing twice."""
    duo = _locked(duo)
    if duo.end_question_asked_on is not None or duo.status != DuoStatus.ACTIVE:
        return duo
    duo.status = DuoStatus.ENDING
    duo.end_question_asked_on = today or _today()
    duo.save(update_fields=["status", "end_question_asked_on"])
    for side in Side.values:
        _tell(messaging.ask_end_question, duo, side)
    return duo


def _extension_of(answers, agreement):
    for answer in answers:
        if answer.duration_kind:
            return answer.duration_kind, answer.duration_months
    return agreement.duration_kind, agreement.duration_months


def _resolve_end_answers(duo, agreement, answers, now):
    choices = {a.answer for a in answers}
    if EndChoice.CLOSE in choices:
        outcome = Outcome.CLOSED
    elif choices == {EndChoice.EXTEND}:
        outcome = Outcome.EXTENDED
    else:
        outcome = Outcome.FRIENDS
    Ending.objects.create(duo=duo, ended_by=EndedBy.PLANNED_END, planned=True,
                          reason=EndReason.AGREED_END, outcome=outcome, recorded_at=now)
    if outcome == Outcome.EXTENDED:
        kind, months = _extension_of(answers, agreement)
        old_end = agreement.end_date
        agreement.extended_from = old_end
        agreement.duration_kind = kind
        agreement.duration_months = months if kind == DurationKind.MONTHS else None
        agreement.end_date = agreement_end_date(old_end, kind, months)
        agreement.save()
        duo.status, duo.end_question_asked_on = DuoStatus.ACTIVE, None
        duo.save(update_fields=["status", "end_question_asked_on"])
    else:
        if duo.status != DuoStatus.ENDING:
            duo.status = DuoStatus.ENDING
            duo.save(update_fields=["status"])
        _open_alert(duo, AlertKind.END_ANSWERED, Outcome(outcome).label)


@transaction.atomic
def end_answer_record(*, duo, side, answer, duration_kind="", duration_months=None) -> EndAnswer:
    """Records one side's answer to the end question (extend with a new duration, close,
    or friends). When both answered: both extend → the agreement is extended (the new
    period starts at the old end date); someone closes → the ending is recorded as closed;
    otherwise as friends without the project; the coordinator then closes the duo."""
    if side not in Side.values:
        raise ValidationError({"side": _("Unknown side.")})
    if answer not in EndChoice.values:
        raise ValidationError({"answer": _("Answer extend, close or friends.")})
    if answer == EndChoice.EXTEND and duration_kind:
        errors = {}
        _check_duration(errors, duration_kind, duration_months, agreed=True)
        if errors:
            raise ValidationError(errors)
    else:
        duration_kind, duration_months = "", None
    duo = _locked(duo)
    agreement = Agreement.objects.get(duo=duo)
    if agreement.end_date is None:
        raise ValidationError(_("This agreement is open-ended; end the duo instead."))
    existing = EndAnswer.objects.filter(duo=duo, side=side,
                                        for_end_date=agreement.end_date).first()
    if existing is not None:
        return existing
    _refuse_unless(duo, RUNNING_STATUSES)
    if Ending.objects.filter(duo=duo).exclude(outcome=Outcome.EXTENDED).exists():
        raise ValidationError(_("The end of this duo is already recorded."))
    now = _now()
    end_answer = EndAnswer.objects.create(
        duo=duo, side=side, for_end_date=agreement.end_date, answer=answer,
        duration_kind=duration_kind,
        duration_months=duration_months if duration_kind == DurationKind.MONTHS else None,
        answered_at=now,
    )
    answers = list(EndAnswer.objects.filter(duo=duo, for_end_date=agreement.end_date)
                   .order_by("answered_at", "id"))
    if len({a.side for a in answers}) == 2:
        _resolve_end_answers(duo, agreement, answers, now)
    return end_answer


END_WORDS = {
    EndChoice.EXTEND: {"extend", "verlengen", "verleng", "prolonger", "1"},
    EndChoice.CLOSE: {"close", "stop", "stoppen", "afsluiten", "arrêter", "arreter", "2"},
    EndChoice.FRIENDS: {"friends", "vrienden", "amis", "3"},
}


def end_question_reply_received(*, duo_id, side, answer) -> str:
    """Reply handler for a side's SMS answer to the end question (extend/close/friends, or
    1/2/3). Returns "recorded", "already_done" or "not_understood"."""
    word = (answer or "").strip().lower().rstrip(".!")
    choice = next((c for c, words in END_WORDS.items() if word in words or word == c), None)
    if choice is None:
        return "not_understood"
    with _scope_of_duo(duo_id):
        duo = Duo.objects.get(pk=duo_id)
        try:
            end_answer = end_answer_record(duo=duo, side=side, answer=choice)
        except ValidationError:
            return "already_done"
    return "recorded" if end_answer.answer == choice else "already_done"


@transaction.atomic
def duo_end_early(*, duo, ended_by, planned, reason, note="", exit_conversation_done=False,
                  exit_conversation_notes="", recorded_by=None) -> Ending:
    """Records that one side (or the coordinator) ends the duo before the agreed end: who,
    planned or not, the reason and the exit conversation; the duo is "ending" until the
    coordinator closes it."""
    errors = {}
    if ended_by not in EndedBy.values:
        errors["ended_by"] = [_("Choose who ended it.")]
    if reason not in EndReason.values:
        errors["reason"] = [_("Choose a reason.")]
    if errors:
        raise ValidationError(errors)
    duo = _locked(duo)
    final = Ending.objects.filter(duo=duo).exclude(outcome=Outcome.EXTENDED).first()
    if final is not None:
        return final
    _refuse_unless(duo, [DuoStatus.AGREEMENT_PENDING, *RUNNING_STATUSES])
    ending = Ending.objects.create(
        duo=duo, ended_by=ended_by, planned=planned, reason=reason, note=note,
        outcome=Outcome.CLOSED, exit_conversation_done=exit_conversation_done,
        exit_conversation_notes=exit_conversation_notes, recorded_by=recorded_by,
        recorded_at=_now(),
    )
    duo.status = DuoStatus.ENDING
    duo.save(update_fields=["status"])
    return ending


@transaction.atomic
def duo_close(*, duo, closed_by, participant_wants_new_buddy, volunteer_next,
              volunteer_leave_reason="", exit_conversation_done=None,
              exit_conversation_notes=None) -> Duo:
    """Closes a duo whose ending is recorded: a participant who wants a new buddy returns
    to the waiting list with the original waiting-since date (else leaves the project);
    the volunteer goes back to the pool, pauses or leaves; the pair is never proposed
    again; both are told."""
    if volunteer_next not in VolunteerNext.values:
        raise ValidationError({"volunteer_next": _("Choose what the volunteer does next.")})
    if volunteer_next == VolunteerNext.LEAVE and not (volunteer_leave_reason or "").strip():
        raise ValidationError({"volunteer_leave_reason": _("Say why the volunteer leaves.")})
    duo = _locked(duo)
    if duo.status == DuoStatus.CLOSED:
        return duo
    ending = Ending.objects.filter(duo=duo).exclude(outcome=Outcome.EXTENDED).first()
    if ending is None:
        raise ValidationError(_("Record how the duo ends first."))
    ending.participant_wants_new_buddy = bool(participant_wants_new_buddy)
    ending.volunteer_next = volunteer_next
    ending.volunteer_leave_reason = (volunteer_leave_reason or "").strip()[:300]
    if exit_conversation_done is not None:
        ending.exit_conversation_done = exit_conversation_done
    if exit_conversation_notes is not None:
        ending.exit_conversation_notes = exit_conversation_notes
    ending.save()
    duo.status = DuoStatus.CLOSED
    duo.ended_on = _today()
    duo.save(update_fields=["status", "ended_on"])
    # The volunteer's place of capacity is free again: matching's short lists change.
    matching_services.shortlists_changed(duo.organisation_id, [duo.volunteer_id])
    CheckIn.objects.filter(duo=duo, done_on__isnull=True).delete()
    Alert.objects.filter(duo=duo, resolved_at__isnull=True).update(
        resolved_at=_now(), resolved_by=closed_by, resolution_note=_("The duo was closed."))
    # A participant is matched while in a duo; one who already left stays where they are.
    if duo.participant.status == ParticipantStatus.MATCHED:
        if participant_wants_new_buddy:
            matching_services.participant_return_to_waiting_list(participant=duo.participant)
        else:
            matching_services.participant_withdraw(
                participant=duo.participant,
                reason=_("The duo ended; no new buddy wanted (%(outcome)s).")
                % {"outcome": ending.get_outcome_display()},
            )
    status = {VolunteerNext.POOL: VolunteerStatus.ACTIVE,
              VolunteerNext.PAUSE: VolunteerStatus.PAUSED,
              VolunteerNext.LEAVE: VolunteerStatus.STOPPED}[volunteer_next]
    if duo.volunteer.status != status:
        matching_services.volunteer_set_status(volunteer=duo.volunteer, status=status)
    _tell(messaging.tell_duo_closed, duo)
    return duo
