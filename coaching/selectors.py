"""Reads shared by the pages, the API and the tasks, with their joins (constant queries)."""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from buddy.dates import add_months
from duos.models import Alert, AlertKind
from matching.intake.models import Participant, ParticipantStatus, Volunteer, VolunteerStatus
from organisations.models import STAFF_ROLES, User

from .models import (
    Answer,
    Attendance,
    CoachingContact,
    CoachingSettings,
    IntervisionSession,
    Invitation,
    SessionStatus,
    TrainingCompletion,
    TrainingModule,
)


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def coaching_settings(organisation) -> CoachingSettings:
    """The organisation's coaching settings, or the defaults when never changed (unsaved)."""
    return (CoachingSettings.objects.filter(organisation=organisation).first()
            or CoachingSettings(organisation=organisation))


# Sessions ---------------------------------------------------------------------------------


def session_list(*, past=False, now=None):
    """Upcoming sessions (soonest first) or past ones (latest first), with answer counts."""
    now = now or timezone.now()
    qs = IntervisionSession.objects.select_related("facilitator", "series").annotate(
        invited_count=Count("invitations", distinct=True),
        yes_count=Count("invitations", distinct=True, filter=Q(
            invitations__answer=Answer.YES, invitations__waiting_position__isnull=True)),
        maybe_count=Count("invitations", distinct=True,
                          filter=Q(invitations__answer=Answer.MAYBE)),
        no_count=Count("invitations", distinct=True, filter=Q(invitations__answer=Answer.NO)),
        waiting_count=Count("invitations", distinct=True,
                            filter=Q(invitations__waiting_position__isnull=False)),
        present_count=Count("attendances", distinct=True,
                            filter=Q(attendances__present=True)),
    )
    if past:
        return qs.filter(ends_at__lte=now).order_by("-starts_at", "-id")
    return qs.filter(ends_at__gt=now).order_by("starts_at", "id")


def session_detail_queryset():
    return IntervisionSession.objects.select_related(
        "facilitator", "series", "organisation",
    ).prefetch_related(
        Prefetch("chosen_volunteers", queryset=Volunteer.objects.order_by("first_name")),
        Prefetch("chosen_participants", queryset=Participant.objects.order_by("first_name")),
    )


def session_invitations(session) -> list[Invitation]:
    """Invitations of a session: seated yes, waiting list in order, maybe, none, no."""
    rank = {Answer.YES: 0, Answer.MAYBE: 2, Answer.NONE: 3, Answer.NO: 4}
    invitations = list(
        Invitation.objects.filter(session=session)
        .select_related("volunteer", "participant", "recorded_by")
    )

    def key(invitation):
        group = 1 if invitation.is_waiting else rank[invitation.answer]
        return (group, invitation.waiting_position or 0, str(invitation.invitee).lower(),
                invitation.pk)

    invitations.sort(key=key)
    return invitations


def waiting_rank(invitations) -> dict[int, int]:
    """{invitation id: place on the waiting list, 1 first} from session_invitations()."""
    waiting = [inv for inv in invitations if inv.is_waiting]
    return {inv.pk: index for index, inv in enumerate(waiting, start=1)}


@dataclass
class ChecklistRow:
    invitation: Invitation
    present: bool | None


def attendance_checklist(session) -> list[ChecklistRow]:
    """Everyone invited who did not say no, with what was recorded (None: nothing yet)."""
    attendance = {
        (a.volunteer_id, a.participant_id): a.present
        for a in Attendance.objects.filter(session=session)
    }
    rows = []
    for invitation in session_invitations(session):
        key = (invitation.volunteer_id, invitation.participant_id)
        if invitation.answer == Answer.NO and key not in attendance:
            continue
        rows.append(ChecklistRow(invitation, attendance.get(key)))
    return rows


def facilitator_choices():
    return User.scoped.filter(is_active=True, role__in=STAFF_ROLES).order_by(
        "first_name", "last_name", "username")


def volunteer_choices():
    return Volunteer.objects.exclude(status=VolunteerStatus.STOPPED).order_by(
        "first_name", "last_name", "id")


def participant_choices():
    return Participant.objects.filter(status=ParticipantStatus.MATCHED).order_by(
        "first_name", "last_name", "id")


def invitation_list():
    return Invitation.objects.select_related(
        "session", "volunteer", "participant", "recorded_by").order_by("-session__starts_at",
                                                                      "id")


def attendance_list():
    return Attendance.objects.select_related(
        "session", "volunteer", "participant", "recorded_by").order_by("-session__starts_at",
                                                                      "id")


# Coaching contacts and training -----------------------------------------------------------


def contact_list():
    return CoachingContact.objects.select_related(
        "coordinator", "volunteer", "participant").order_by("-happened_on", "-id")


def training_module_list():
    return TrainingModule.objects.annotate(completion_count=Count("completions")).order_by(
        "-is_basic", "name_nl", "id")


def training_completion_list():
    return TrainingCompletion.objects.select_related(
        "module", "volunteer", "recorded_by").order_by("-completed_on", "id")


# Volunteers who may need support ----------------------------------------------------------


@dataclass
class SupportReason:
    code: str
    message: str


@dataclass
class SupportRow:
    volunteer: Volunteer
    reasons: list = field(default_factory=list)
    last_contact_on: datetime.date | None = None


# A provider answers, for one organisation and day, {volunteer id: [SupportReason, ...]} for
# the volunteers it thinks may need support, with a constant number of queries.
SupportProvider = Callable[[object, datetime.date], dict[int, list[SupportReason]]]


def no_recent_intervision(organisation, today) -> dict[int, list[SupportReason]]:
    """Active volunteers not present at any intervision for the organisation's N months
    (volunteers who joined less than N months ago are left alone)."""
    months = coaching_settings(organisation).months_without_intervision
    cutoff = add_months(today, -months)
    last = _last_attendance(organisation)
    reasons = {}
    volunteers = Volunteer.objects.filter(
        organisation=organisation, status=VolunteerStatus.ACTIVE,
        created_at__lt=_start_of_day(cutoff),
    ).values_list("id", flat=True)
    for volunteer_id in volunteers:
        attended = last.get(volunteer_id)
        if attended is None:
            message = _("Not at any intervision yet.")
        elif attended.date() < cutoff:
            message = _("Last at an intervision on %(date)s.") % {
                "date": attended.date().strftime("%d/%m/%Y")}
        else:
            continue
        reasons[volunteer_id] = [SupportReason("no_recent_intervision", message)]
    return reasons


def _last_attendance(organisation) -> dict[int, datetime.datetime]:
    """{volunteer id: start of the last session they were present at} (one query)."""
    rows = (
        Attendance.objects.filter(session__organisation=organisation, present=True,
                                  volunteer__isnull=False)
        .values("volunteer_id").annotate(last=Max("session__starts_at"))
    )
    return {row["volunteer_id"]: timezone.localtime(row["last"]) for row in rows}


# A "talk to the coordinator" flag counts as recent for this many days.
TALK_FLAG_RECENT_DAYS = 30


def _open_duo_alerts(organisation, kinds, since=None):
    """{volunteer id: [alert, ...]} of the organisation's unresolved duo alerts (one query)."""
    alerts = Alert.objects.filter(duo__organisation=organisation, kind__in=kinds,
                                  resolved_at__isnull=True)
    if since is not None:
        alerts = alerts.filter(created_at__gte=since)
    found = defaultdict(list)
    for volunteer_id, created_at in alerts.values_list("duo__volunteer_id", "created_at"):
        found[volunteer_id].append(created_at)
    return found


def talk_to_coordinator_flag(organisation, today) -> dict[int, list[SupportReason]]:
    """Volunteers who recently asked, in a meeting log, to talk to the coordinator."""
    since = _start_of_day(today - datetime.timedelta(days=TALK_FLAG_RECENT_DAYS))
    flagged = _open_duo_alerts(organisation, [AlertKind.TALK_TO_ME], since=since)
    return {
        volunteer_id: [SupportReason(
            "talk_to_coordinator",
            _("Asked to talk to the coordinator on %(date)s.") % {
                "date": timezone.localtime(max(created)).strftime("%d/%m/%Y")},
        )]
        for volunteer_id, created in flagged.items()
    }


def inactive_duo(organisation, today) -> dict[int, list[SupportReason]]:
    """Volunteers whose duo has had no meeting logged for a while (an open duos alert)."""
    quiet = _open_duo_alerts(organisation, [AlertKind.NO_MEETING_LOGGED])
    return {
        volunteer_id: [SupportReason("inactive_duo", _("No meeting logged in their duo lately."))]
        for volunteer_id in quiet
    }


# The extension point for "volunteers who may need support": each provider is called with
# (organisation, today). Coaching may import duos; duos never imports coaching.
SUPPORT_PROVIDERS: list[SupportProvider] = [
    no_recent_intervision, talk_to_coordinator_flag, inactive_duo,
]


def volunteers_needing_support(organisation, today=None,
                               providers=None) -> list[SupportRow]:
    """Volunteers who may need support, with every reason each provider gives."""
    today = today or timezone.localdate()
    reasons: dict[int, list[SupportReason]] = defaultdict(list)
    for provider in (SUPPORT_PROVIDERS if providers is None else providers):
        for volunteer_id, found in provider(organisation, today).items():
            reasons[volunteer_id].extend(found)
    volunteers = Volunteer.objects.filter(pk__in=list(reasons)).order_by(
        "first_name", "last_name", "id")
    last_contact = dict(
        CoachingContact.objects.filter(volunteer__in=list(reasons)).values("volunteer_id")
        .annotate(last=Max("happened_on")).values_list("volunteer_id", "last")
    )
    return [SupportRow(volunteer, reasons[volunteer.pk], last_contact.get(volunteer.pk))
            for volunteer in volunteers]


# Figures ----------------------------------------------------------------------------------


def attendance_per_session(*, since, now=None):
    """Past planned sessions since a day, with invited, yes and present counts."""
    now = now or timezone.now()
    return (
        IntervisionSession.objects.filter(status=SessionStatus.PLANNED, ends_at__lte=now,
                                          starts_at__gte=_start_of_day(since))
        .annotate(
            invited_count=Count("invitations", distinct=True),
            yes_count=Count("invitations", distinct=True, filter=Q(
                invitations__answer=Answer.YES, invitations__waiting_position__isnull=True)),
            present_count=Count("attendances", distinct=True,
                                filter=Q(attendances__present=True)),
        )
        .order_by("starts_at", "id")
    )


@dataclass
class VolunteerAttendance:
    volunteer: Volunteer
    per_month: list
    total: int


def month_starts(today, months) -> list[datetime.date]:
    """The first day of the last `months` months, oldest first, this month included."""
    first = today.replace(day=1)
    return [add_months(first, -n) for n in range(months - 1, -1, -1)]


def attendance_per_volunteer(*, today=None, months=6) -> tuple[list, list]:
    """(month starts, rows): each volunteer's sessions attended per month (two queries)."""
    today = today or timezone.localdate()
    starts = month_starts(today, months)
    index = {(d.year, d.month): i for i, d in enumerate(starts)}
    counts: dict[int, list[int]] = defaultdict(lambda: [0] * months)
    rows = Attendance.objects.filter(
        present=True, volunteer__isnull=False,
        session__starts_at__gte=_start_of_day(starts[0]),
    ).values_list("volunteer_id", "session__starts_at")
    for volunteer_id, starts_at in rows:
        local = timezone.localtime(starts_at)
        position = index.get((local.year, local.month))
        if position is not None:
            counts[volunteer_id][position] += 1
    volunteers = Volunteer.objects.filter(
        Q(status=VolunteerStatus.ACTIVE) | Q(pk__in=list(counts))
    ).order_by("first_name", "last_name", "id")
    result = [VolunteerAttendance(v, counts.get(v.pk, [0] * months),
                                  sum(counts.get(v.pk, []))) for v in volunteers]
    return starts, result


@dataclass
class ActiveShare:
    active: int
    attended: int

    @property
    def percent(self):
        return round(100 * self.attended / self.active) if self.active else None


def active_volunteers_at_intervision(*, today=None, months=6) -> ActiveShare:
    """How many active volunteers were present at one session or more in the last months."""
    today = today or timezone.localdate()
    since = _start_of_day(add_months(today, -months))
    active = Volunteer.objects.filter(status=VolunteerStatus.ACTIVE)
    attended = active.filter(
        pk__in=Attendance.objects.filter(
            present=True, session__starts_at__gte=since,
            session__starts_at__lt=timezone.now(),
        ).values("volunteer_id")
    )
    return ActiveShare(active=active.count(), attended=attended.count())
