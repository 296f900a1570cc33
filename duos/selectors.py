"""Reads shared by the pages, the API and the tasks, with their joins (constant queries)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, IntegerField, Max, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from matching.intake import privacy as matching_privacy

from .models import (
    FREQUENCY_DAYS,
    OPEN_STATUSES,
    RUNNING_STATUSES,
    Alert,
    AlertKind,
    CheckIn,
    Duo,
    DuoSettings,
    DuoStatus,
    Ending,
    EvaluationMoment,
    Expense,
    ExpenseStatus,
    MeetingLog,
    Outcome,
)

DEFAULT_QUESTIONS = [
    gettext_noop("How often did you meet, compared with what you agreed?"),
    gettext_noop("What did you enjoy most?"),
    gettext_noop("What was difficult?"),
    gettext_noop("Does the buddy keep to the agreed role?"),
    gettext_noop("Do you want to go on, and how?"),
]


def active_duo_count_expression():
    """How many open duos a volunteer has, as a query expression on Volunteer.

    A duo holds a place of the volunteer's capacity from the moment both said yes
    (agreement pending) until it is closed. Registered as intake's taken places
    (`matching.intake.capacity`), so `Volunteer.objects.ready_with_capacity()` uses it.
    """
    return Coalesce(
        Subquery(
            Duo.objects.filter(volunteer=OuterRef("pk"), status__in=OPEN_STATUSES)
            .order_by().values("volunteer").annotate(n=Count("id")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def duo_settings_for(organisation) -> DuoSettings:
    """The organisation's follow-up settings, or the defaults (unsaved) when never set."""
    organisation_id = getattr(organisation, "pk", organisation)
    found = DuoSettings.objects.filter(organisation_id=organisation_id).first()
    return found or DuoSettings(organisation_id=organisation_id)


def evaluation_questions(organisation) -> list[str]:
    questions = duo_settings_for(organisation).questions
    return [q for q in questions if q.strip()] if questions else [_(q) for q in DEFAULT_QUESTIONS]


def _last_meeting_subquery():
    return Subquery(
        MeetingLog.objects.filter(duo=OuterRef("pk"), did_not_meet=False)
        .order_by("-date").values("date")[:1]
    )


def _open_alert_count_subquery():
    return Coalesce(Subquery(
        Alert.objects.filter(duo=OuterRef("pk"), resolved_at__isnull=True)
        .order_by().values("duo").annotate(n=Count("id")).values("n")[:1],
        output_field=IntegerField(),
    ), 0)


def duo_list(status=None):
    """Duos with their agreement (end date), last meeting and open alerts, newest first."""
    qs = (
        Duo.objects.select_related("participant", "volunteer", "agreement")
        .annotate(last_meeting=_last_meeting_subquery(),
                  open_alerts=_open_alert_count_subquery())
        .order_by("status", "-created_at", "-id")
    )
    return qs.filter(status=status) if status else qs


def duo_detail_queryset():
    return duo_list().select_related(
        "agreement__volunteer_confirmed_by", "agreement__participant_confirmed_by",
    ).prefetch_related(
        Prefetch("meeting_logs", queryset=MeetingLog.objects.prefetch_related("expenses")),
        Prefetch("checkins", queryset=CheckIn.objects.select_related("recorded_by")),
        "participant_answers",
        Prefetch("alerts", queryset=Alert.objects.select_related("resolved_by")),
        "evaluations__recorded_by",
        "end_answers",
        Prefetch("endings", queryset=Ending.objects.select_related("recorded_by")),
        "expenses",
    )


@dataclass
class TimelineEntry:
    when: datetime.date
    kind: str
    title: str
    obj: object = None


def duo_timeline(duo) -> list[TimelineEntry]:
    """Agreement, confirmations, meetings, check-ins, answers, evaluations, alerts and the
    ending of a duo from `duo_detail_queryset()`, oldest first (no further queries)."""
    local = timezone.localdate
    entries = []
    agreement = duo.agreement
    entries.append(TimelineEntry(duo.created_at and local(duo.created_at), "agreement",
                                 _("Duo started, agreement drawn up"), agreement))
    for side, label in (("volunteer", _("Volunteer confirmed the agreement")),
                        ("participant", _("Participant confirmed the agreement"))):
        at = getattr(agreement, f"{side}_confirmed_at")
        if at:
            entries.append(TimelineEntry(local(at), "confirmation", label, agreement))
    for log in duo.meeting_logs.all():
        entries.append(TimelineEntry(
            log.date, "meeting", _("We did not meet") if log.did_not_meet else _("Meeting"), log,
        ))
    for checkin in duo.checkins.all():
        if checkin.done_on:
            entries.append(TimelineEntry(checkin.done_on, "checkin", _("Check-in"), checkin))
    for answer in duo.participant_answers.all():
        entries.append(TimelineEntry(local(answer.received_at), "answer",
                                     _("Participant's answer: %(score)s/5")
                                     % {"score": answer.score}, answer))
    for evaluation in duo.evaluations.all():
        entries.append(TimelineEntry(local(evaluation.recorded_at), "evaluation",
                                     str(evaluation), evaluation))
    for alert in duo.alerts.all():
        entries.append(TimelineEntry(local(alert.created_at), "alert",
                                     alert.get_kind_display(), alert))
    if duo.end_question_asked_on:
        entries.append(TimelineEntry(duo.end_question_asked_on, "end_question",
                                     _("Both asked: extend, close or go on as friends?")))
    for end_answer in duo.end_answers.all():
        entries.append(TimelineEntry(local(end_answer.answered_at), "end_answer",
                                     str(end_answer), end_answer))
    for ending in duo.endings.all():
        entries.append(TimelineEntry(local(ending.recorded_at), "ending",
                                     ending.get_outcome_display(), ending))
    order = ["agreement", "confirmation", "meeting", "checkin", "answer", "evaluation",
             "alert", "end_question", "end_answer", "ending"]
    return sorted(entries, key=lambda e: (e.when, order.index(e.kind)))


def volunteer_duos(user):
    """The duos of the volunteer linked to this account (never anyone else's)."""
    if not getattr(user, "is_authenticated", False):
        return Duo.objects.none()
    return (
        Duo.objects.filter(volunteer__user=user)
        .select_related("participant", "volunteer", "agreement")
        # Whether the participant lets the buddy see their name (consent "share profile").
        .annotate(participant_profile_shared=matching_privacy.profile_shared_expression())
        .prefetch_related(Prefetch("meeting_logs",
                                   queryset=MeetingLog.objects.prefetch_related("expenses")))
        .order_by("status", "-created_at")
    )


# How long the participant can answer "how is it going" by SMS reply.
HOW_IS_IT_GOING_VALID_FOR = datetime.timedelta(days=7)


def how_is_it_going_due(today) -> list[Duo]:
    """Running duos whose participant was not asked "how is it going" for the
    organisation's interval (counted from the start for the first question).

    Not near the end: once the end question is asked, or when it will be asked before a
    "how is it going" question would expire, that question is the one the participant
    answers; two open questions would make a reply "2" ambiguous."""
    settings = {s.organisation_id: s for s in DuoSettings.objects.all()}
    defaults = DuoSettings()
    due = []
    for duo in (Duo.objects.filter(status__in=RUNNING_STATUSES, started_on__isnull=False,
                                   end_question_asked_on__isnull=True)
                .select_related("agreement")):
        own = settings.get(duo.organisation_id, defaults)
        interval = own.ask_how_every_weeks
        last = duo.how_asked_on or duo.started_on
        if not interval or last + datetime.timedelta(weeks=interval) > today:
            continue
        end = duo.agreement.end_date if hasattr(duo, "agreement") else None
        if end is not None and (end - datetime.timedelta(weeks=own.weeks_before_end)
                                - HOW_IS_IT_GOING_VALID_FOR) <= today:
            continue
        due.append(duo)
    return due


def meeting_log_reminder_due(today) -> list[Duo]:
    """Running duos with no log (met or not) for one agreed meeting interval since the
    later of the last log, the start and the last reminder."""
    last_log = Max("meeting_logs__date")
    due = []
    for duo in (Duo.objects.filter(status__in=RUNNING_STATUSES, started_on__isnull=False)
                .select_related("agreement").annotate(last_log=last_log)):
        reference = max(d for d in (duo.last_log, duo.started_on, duo.log_reminder_sent_on)
                        if d is not None)
        days = FREQUENCY_DAYS.get(duo.agreement.meeting_frequency, 14)
        if reference + datetime.timedelta(days=days) <= today:
            due.append(duo)
    return due


def end_question_due(today=None) -> list[Duo]:
    """Active duos whose agreed end is within the organisation's "weeks before the end"
    and who were not asked yet (two queries)."""
    today = today or timezone.localdate()
    weeks = {s.organisation_id: s.weeks_before_end for s in DuoSettings.objects.all()}
    longest = max([DuoSettings().weeks_before_end, *weeks.values()])
    candidates = (
        Duo.objects.filter(status=DuoStatus.ACTIVE, end_question_asked_on__isnull=True,
                           agreement__end_date__isnull=False,
                           agreement__end_date__lte=today + datetime.timedelta(weeks=longest))
        .select_related("participant", "volunteer", "agreement")
        .order_by("agreement__end_date", "id")
    )
    default = DuoSettings().weeks_before_end
    return [
        duo for duo in candidates
        if duo.agreement.end_date - datetime.timedelta(
            weeks=weeks.get(duo.organisation_id, default)) <= today
    ]


# Most urgent first: a person asking for help, then a sign of trouble, then routine.
ALERT_PRIORITY = {
    AlertKind.TALK_TO_ME: 0,
    AlertKind.LOW_ANSWER: 1,
    AlertKind.AGREEMENT_DECLINED: 2,
    AlertKind.NO_MEETING_LOGGED: 3,
    AlertKind.MISSED_CHECKIN: 4,
    AlertKind.END_ANSWERED: 5,
}
CHECKIN_PRIORITY = 6
END_QUESTION_PRIORITY = 7
EVALUATION_PRIORITY = 8
# Open-ended duos have their mid-term evaluation after six months.
OPEN_ENDED_MID_TERM = datetime.timedelta(days=182)


@dataclass
class FollowUpItem:
    priority: int
    since: datetime.date
    kind: str
    title: str
    duo: Duo
    alert: Alert | None = None
    checkin: CheckIn | None = None


def follow_up_items(today=None) -> list[FollowUpItem]:
    """What needs the coordinator's attention today, most urgent first: open alerts,
    check-ins due, end questions due, evaluations due. A constant number of queries (five)."""
    today = today or timezone.localdate()
    related = ["duo__participant", "duo__volunteer", "duo__agreement"]
    items = []
    for alert in Alert.objects.filter(resolved_at__isnull=True,
                                      duo__status__in=OPEN_STATUSES).select_related(*related):
        items.append(FollowUpItem(ALERT_PRIORITY.get(alert.kind, 5),
                                  timezone.localdate(alert.created_at), "alert",
                                  alert.get_kind_display(), alert.duo, alert=alert))
    for checkin in CheckIn.objects.filter(done_on__isnull=True, planned_on__lte=today,
                                          duo__status__in=RUNNING_STATUSES).select_related(
                                              *related):
        items.append(FollowUpItem(CHECKIN_PRIORITY, checkin.planned_on, "checkin",
                                  _("Check-in due"), checkin.duo, checkin=checkin))
    for duo in end_question_due(today):
        items.append(FollowUpItem(END_QUESTION_PRIORITY, duo.agreement.end_date, "end_question",
                                  _("Ask what happens after the end"), duo))
    for duo, moment, since in evaluations_due(today):
        title = (_("Mid-term evaluation due") if moment == EvaluationMoment.MID_TERM
                 else _("End evaluation due"))
        items.append(FollowUpItem(EVALUATION_PRIORITY, since, "evaluation", title, duo))
    return sorted(items, key=lambda i: (i.priority, i.since, i.duo.pk))


def evaluations_due(today) -> list[tuple[Duo, str, datetime.date]]:
    """(duo, moment, due since) for running duos past the middle of their agreed period
    (six months for open-ended ones) without a mid-term evaluation with both parties, and
    ending duos without an end evaluation with both (one query)."""
    def count(moment):
        return Count("evaluations", filter=Q(evaluations__moment=moment), distinct=True)

    duos = (
        Duo.objects.filter(status__in=RUNNING_STATUSES, started_on__isnull=False)
        .select_related("participant", "volunteer", "agreement")
        .annotate(mid_terms=count(EvaluationMoment.MID_TERM),
                  ends=count(EvaluationMoment.END))
        .order_by("id")
    )
    due = []
    for duo in duos:
        agreement = duo.agreement
        if duo.status == DuoStatus.ENDING and duo.ends < 2:
            due.append((duo, EvaluationMoment.END, duo.end_question_asked_on or today))
            continue
        if agreement.end_date:
            middle = agreement.start_date + (agreement.end_date - agreement.start_date) / 2
        else:
            middle = agreement.start_date + OPEN_ENDED_MID_TERM
        if duo.mid_terms < 2 and middle <= today:
            due.append((duo, EvaluationMoment.MID_TERM, middle))
    return due


def ended_pairs(organisation) -> set[tuple[int, int]]:
    """(participant id, volunteer id) of every pair whose duo ended: the matching engine
    never proposes them again."""
    organisation_id = getattr(organisation, "pk", organisation)
    rows = (
        Duo.objects.filter(organisation_id=organisation_id)
        .filter(Q(status=DuoStatus.CLOSED)
                | Q(endings__outcome__in=[Outcome.CLOSED, Outcome.FRIENDS]))
        .values_list("participant_id", "volunteer_id").distinct()
    )
    return set(rows)


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = month.replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, following


def expenses_of_month(month: datetime.date):
    """The expenses spent in a month, with their duo and volunteer, by volunteer and date."""
    start, following = month_bounds(month)
    return (
        Expense.objects.filter(spent_on__gte=start, spent_on__lt=following)
        .select_related("duo__volunteer", "duo__participant", "decided_by")
        .order_by("duo__volunteer__first_name", "duo__volunteer_id", "spent_on", "id")
    )


def _sums():
    def total(*statuses):
        return Coalesce(Sum("amount_cents", filter=Q(status__in=statuses)), 0)

    return {
        "claimed": total(ExpenseStatus.CLAIMED),
        "approved": total(ExpenseStatus.APPROVED),
        "paid": total(ExpenseStatus.PAID),
        "rejected": total(ExpenseStatus.REJECTED),
    }


def expense_overview(month: datetime.date) -> dict:
    """Claimed, approved, paid (and rejected) totals in cents for a month: for the
    organisation and per volunteer (two queries)."""
    start, following = month_bounds(month)
    month_qs = Expense.objects.filter(spent_on__gte=start, spent_on__lt=following)
    per_volunteer = list(
        month_qs.values("duo__volunteer_id", "duo__volunteer__first_name",
                        "duo__volunteer__last_name")
        .annotate(**_sums(), count=Count("id"))
        .order_by("duo__volunteer__first_name", "duo__volunteer_id")
    )
    totals = month_qs.aggregate(**_sums())
    return {"month": start, "totals": totals, "per_volunteer": per_volunteer}


def alert_list(open_only=True):
    qs = Alert.objects.select_related("duo__participant", "duo__volunteer", "duo__agreement",
                                      "resolved_by")
    return qs.filter(resolved_at__isnull=True) if open_only else qs


def meeting_log_list():
    return MeetingLog.objects.select_related("duo__participant", "duo__volunteer").order_by(
        "-date", "-id")


def duos_over_monthly_max(month: datetime.date) -> set[int]:
    """Ids of the duos whose expenses of the month (rejected ones aside) exceed the monthly
    maximum of their agreement (one query)."""
    start, following = month_bounds(month)
    rows = (
        Expense.objects.filter(spent_on__gte=start, spent_on__lt=following,
                               duo__agreement__expenses_monthly_max_cents__isnull=False)
        .exclude(status=ExpenseStatus.REJECTED)
        .values("duo_id", "duo__agreement__expenses_monthly_max_cents")
        .annotate(total=Sum("amount_cents")).order_by()
    )
    return {row["duo_id"] for row in rows
            if row["total"] > row["duo__agreement__expenses_monthly_max_cents"]}
