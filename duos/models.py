"""A confirmed pair from its agreement to its closure (the duos room).

The state of a duo changes only in `duos.services`; models hold data and invariants.
"""

import datetime
import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import InvalidStorageError, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buddy.dates import add_months
from matching.intake.models import Participant, Volunteer
from matching.intake.reach import name_for_buddy
from organisations.models import Organisation
from organisations.scoping import OrganisationManager


class DuoStatus(models.TextChoices):
    AGREEMENT_PENDING = "agreement_pending", _("Agreement pending")
    ACTIVE = "active", _("Active")
    ENDING = "ending", _("Ending")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = [DuoStatus.AGREEMENT_PENDING, DuoStatus.ACTIVE, DuoStatus.ENDING]
RUNNING_STATUSES = [DuoStatus.ACTIVE, DuoStatus.ENDING]


class Side(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    VOLUNTEER = "volunteer", _("Volunteer")


class Duo(models.Model):
    """A participant and a volunteer who meet under an agreement (duo, koppel)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="+",
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.PROTECT,
        related_name="duos",
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="duos",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DuoStatus.choices,
        default=DuoStatus.AGREEMENT_PENDING, db_index=True,
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_question_asked_on = models.DateField(_("end question asked on"), null=True, blank=True)
    # When the participant was last asked "how is it going?", and the volunteer last
    # reminded to log a meeting: each is sent at most once per interval.
    how_asked_on = models.DateField(_("last asked how it is going"), null=True, blank=True)
    log_reminder_sent_on = models.DateField(_("last reminded to log a meeting"), null=True,
                                            blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("duo")
        verbose_name_plural = _("duos")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A participant has at most one buddy at a time.
            models.UniqueConstraint(
                fields=["participant"], condition=~Q(status="closed"),
                name="duo_one_open_duo_per_participant",
            ),
        ]

    def __str__(self):
        return f"{self.participant.first_name} & {self.volunteer.first_name}"

    @property
    def participant_name_for_buddy(self) -> str:
        """The participant's name as the volunteer may see it: "a participant" when they
        withdrew consent to share their profile with a buddy (`volunteer_duos` annotates
        it; otherwise one query)."""
        shared = getattr(self, "participant_profile_shared", None)
        if shared is not None:
            self.participant.profile_shared = shared
        return name_for_buddy(self.participant)

    @property
    def is_open(self):
        return self.status != DuoStatus.CLOSED


class DurationKind(models.TextChoices):
    # A new duo's length is agreed at the introduction meeting, never assumed: until the
    # coordinator fills it in, nobody is asked to confirm the agreement.
    TO_AGREE = "to_agree", _("Not agreed yet")
    MONTHS = "months", _("A number of months")
    SCHOOL_YEAR = "school_year", _("A school year")
    OPEN_ENDED = "open_ended", _("As long as the duo wants")


# The lengths a duo can agree on (an extension, the end question): all but "not agreed yet".
AGREED_LENGTHS = [(value, label) for value, label in DurationKind.choices
                  if value != DurationKind.TO_AGREE]


class MeetingFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    TWO_WEEKS = "two_weeks", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")


FREQUENCY_DAYS = {MeetingFrequency.WEEKLY: 7, MeetingFrequency.TWO_WEEKS: 14,
                  MeetingFrequency.MONTHLY: 30}


class ConfirmationChannel(models.TextChoices):
    LINK = "link", _("Through a link")
    SMS_REPLY = "sms_reply", _("By SMS reply")
    PHONE = "phone_recorded_by_coordinator", _("By phone, recorded by the coordinator")


def school_year_end(start: datetime.date) -> datetime.date:
    """The 30 June that ends the (Belgian) school year a duo starting on `start` runs in."""
    year = start.year if (start.month, start.day) < (6, 30) else start.year + 1
    return datetime.date(year, 6, 30)


def agreement_end_date(start, kind, months=None):
    """The agreed end date, or None for an open-ended agreement."""
    if start is None:
        return None
    if kind == DurationKind.MONTHS:
        return add_months(start, months or 0)
    if kind == DurationKind.SCHOOL_YEAR:
        return school_year_end(start)
    return None


class Agreement(models.Model):
    """What the duo agreed with the coordinator: how long, how often, the buddy's role."""

    duo = models.OneToOneField(
        Duo, verbose_name=_("duo"), on_delete=models.CASCADE, related_name="agreement",
    )
    start_date = models.DateField(_("start date"))
    duration_kind = models.CharField(
        _("duration"), max_length=20, choices=DurationKind.choices,
        default=DurationKind.TO_AGREE,
    )
    duration_months = models.PositiveSmallIntegerField(
        _("number of months"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    # After an extension the current period starts on the old end date.
    extended_from = models.DateField(_("extended from"), null=True, blank=True,
                                     editable=False)
    # Stored (computed by the services from the fields above) so that lists and the end
    # question can filter on it.
    end_date = models.DateField(_("end date"), null=True, blank=True, editable=False)
    meeting_frequency = models.CharField(
        _("intended meeting frequency"), max_length=20, choices=MeetingFrequency.choices,
        default=MeetingFrequency.TWO_WEEKS,
    )
    buddy_roles = models.JSONField(_("what the buddy may do"), default=list, blank=True)
    buddy_roles_other = models.CharField(_("other roles"), max_length=300, blank=True)
    excluded_areas = models.JSONField(_("parts of life that stay out"), default=list, blank=True)
    excluded_areas_other = models.CharField(
        _("other parts of life that stay out"), max_length=300, blank=True,
    )
    expenses_reimbursed = models.CharField(
        _("which expenses are reimbursed"), max_length=300, blank=True,
    )
    expenses_monthly_max_cents = models.PositiveIntegerField(
        _("monthly maximum for expenses (cents)"), null=True, blank=True,
    )
    how_to_reach = models.CharField(
        _("how the two reach each other"), max_length=300, blank=True,
    )
    volunteer_confirmed_at = models.DateTimeField(_("volunteer confirmed at"), null=True,
                                                  blank=True)
    volunteer_confirmed_channel = models.CharField(
        _("volunteer confirmed"), max_length=40, choices=ConfirmationChannel.choices,
        blank=True,
    )
    volunteer_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("volunteer's confirmation recorded by"),
        on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    participant_confirmed_at = models.DateTimeField(_("participant confirmed at"), null=True,
                                                    blank=True)
    participant_confirmed_channel = models.CharField(
        _("participant confirmed"), max_length=40, choices=ConfirmationChannel.choices,
        blank=True,
    )
    participant_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("participant's confirmation recorded by"),
        on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = OrganisationManager("duo__organisation")

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=~Q(duration_kind="months") | Q(duration_months__gte=1),
                name="agreement_months_has_number",
            ),
        ]

    def __str__(self):
        return str(_("Agreement of %(duo)s") % {"duo": self.duo})

    @property
    def period_start(self):
        return self.extended_from or self.start_date

    def confirmed_by(self, side) -> bool:
        return getattr(self, f"{side}_confirmed_at") is not None

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_by(Side.VOLUNTEER) and self.confirmed_by(Side.PARTICIPANT)


class MeetingDuration(models.TextChoices):
    SHORT = "short", _("Less than an hour")
    ONE_TWO = "one_two", _("One to two hours")
    HALF_DAY = "half_day", _("Half a day")
    DAY = "day", _("A whole day")


class ActivityKind(models.TextChoices):
    WALK = "walk", _("A walk")
    COFFEE = "coffee", _("Coffee or a meal")
    CULTURE = "culture", _("Culture or an event")
    SPORT = "sport", _("Sport")
    PAPERWORK = "paperwork", _("Paperwork")
    LANGUAGE = "language", _("Language practice")
    OTHER = "other", _("Something else")


SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class MeetingLog(models.Model):
    """One meeting (or a week they did not meet), as the volunteer logged it."""

    duo = models.ForeignKey(Duo, verbose_name=_("duo"), on_delete=models.CASCADE,
                            related_name="meeting_logs")
    date = models.DateField(_("date"))
    did_not_meet = models.BooleanField(_("we did not meet"), default=False)
    not_met_reason = models.CharField(_("why not"), max_length=300, blank=True)
    duration = models.CharField(_("roughly how long"), max_length=10,
                                choices=MeetingDuration.choices, blank=True)
    activities = models.JSONField(_("what you did"), default=list, blank=True)
    activity_text = models.CharField(_("in your own words"), max_length=500, blank=True)
    how_it_went = models.PositiveSmallIntegerField(
        _("how it went"), null=True, blank=True, validators=SCORE_VALIDATORS,
    )
    note_to_coordinator = models.TextField(_("note to the coordinator"), blank=True)
    wants_to_talk = models.BooleanField(_("I would like to talk to the coordinator"),
                                        default=False)
    # The form's one-time key: a double click saves one log.
    client_key = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)

    objects = OrganisationManager("duo__organisation")

    class Meta:
        verbose_name = _("meeting log")
        verbose_name_plural = _("meeting logs")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(how_it_went__isnull=True)
                | Q(how_it_went__gte=1, how_it_went__lte=5),
                name="meeting_log_how_it_went_1_5",
            ),
            models.UniqueConstraint(
                fields=["duo", "client_key"], condition=~Q(client_key=""),
                name="meeting_log_client_key_unique",
            ),
        ]

    def __str__(self):
        return f"{self.duo} {self.date}"


class ExpenseKind(models.TextChoices):
    TRANSPORT = "transport", _("Transport")
    TICKETS = "tickets", _("Tickets and entrance")
    FOOD = "food", _("Food and drink")
    MATERIAL = "material", _("Material")
    OTHER = "other", _("Other")


class ExpenseStatus(models.TextChoices):
    CLAIMED = "claimed", _("Claimed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")


RECEIPT_TYPES = {"jpeg": ".jpg", "png": ".png", "pdf": ".pdf"}
RECEIPT_MAX_BYTES = 5 * 1024 * 1024


def receipt_upload_to(instance, filename):
    # A random name: the original name and the duo say nothing, and nobody can guess it.
    suffix = PurePath(filename).suffix.lower()
    return f"receipts/{uuid.uuid4().hex}{suffix if suffix in RECEIPT_TYPES.values() else ''}"


def receipt_storage():
    """Receipts live in the `receipts` storage (private, no URL) when configured."""
    try:
        return storages["receipts"]
    except InvalidStorageError:
        return storages["default"]


class Expense(models.Model):
    """Money a volunteer spent for the duo and claims back (onkostenvergoeding)."""

    duo = models.ForeignKey(Duo, verbose_name=_("duo"), on_delete=models.PROTECT,
                            related_name="expenses")
    meeting_log = models.ForeignKey(
        MeetingLog, verbose_name=_("meeting"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="expenses",
    )
    spent_on = models.DateField(_("date"))
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    kind = models.CharField(_("kind"), max_length=20, choices=ExpenseKind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    receipt = models.FileField(_("receipt"), upload_to=receipt_upload_to,
                               storage=receipt_storage, blank=True, max_length=200)
    receipt_type = models.CharField(max_length=10, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=ExpenseStatus.choices,
                              default=ExpenseStatus.CLAIMED, db_index=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("claimed by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved or rejected by"),
        on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    decided_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    objects = OrganisationManager("duo__organisation")

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-spent_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gte=1),
                                   name="expense_amount_positive"),
        ]

    def __str__(self):
        return f"{self.duo} {self.spent_on} {self.amount_cents / 100:.2f}"

    @property
    def amount(self):
        return Decimal(self.amount_cents) / 100


class With(models.TextChoices):
    VOLUNTEER = "volunteer", _("The volunteer")
    PARTICIPANT = "participant", _("The participant")
    BOTH = "both", _("Both")


class ContactHow(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Phone call")
    MESSAGE = "message", _("Message")


class CheckIn(models.Model):
    """A planned follow-up contact of the coordinator with the duo, and how it went."""

    duo = models.ForeignKey(Duo, verbose_name=_("duo"), on_delete=models.CASCADE,
                            related_name="checkins")
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    with_whom = models.CharField(_("with whom"), max_length=12, choices=With.choices,
                                 blank=True)
    how = models.CharField(_("how"), max_length=10, choices=ContactHow.choices, blank=True)
    note = models.CharField(_("short note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )

    objects = OrganisationManager("duo__organisation")

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["planned_on", "done_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_on__isnull=False) | Q(done_on__isnull=False),
                name="checkin_planned_or_done",
            ),
        ]

    def __str__(self):
        return f"{self.duo} {self.done_on or self.planned_on}"


class AnswerChannel(models.TextChoices):
    SMS_REPLY = "sms_reply", _("SMS reply")
    PHONE = "phone", _("By phone")


class ParticipantAnswer(models.Model):
    """The participant's answer to "how is it going?" (1 to 5)."""

    duo = models.ForeignKey(Duo, verbose_name=_("duo"), on_delete=models.CASCADE,
                            related_name="participant_answers")
    score = models.PositiveSmallIntegerField(_("how it is going"), validators=SCORE_VALIDATORS)
    channel = models.CharField(_("how"), max_length=10, choices=AnswerChannel.choices,
                               default=AnswerChannel.SMS_REPLY)
    received_at = models.DateTimeField(_("received at"))

    objects = OrganisationManager("duo__organisation")

    class Meta:
        verbose_name = _("participant's answer")
        verbose_name_plural = _("participant's answers")
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5),
                                   name="participant_answer_score_1_5"),
        ]

    def __str__(self):
        return f"{self.duo} {self.score}"


class AlertKind(models.TextChoices):
    NO_MEETING_LOGGED = "no_meeting_logged", _("No meeting logged")
    TALK_TO_ME = "talk_to_me", _("Volunteer wants to talk")
    LOW_ANSWER = "low_answer", _("Low answer of the participant")
    MISSED_CHECKIN = "missed_checkin", _("Check-in overdue")
    AGREEMENT_DECLINED = "agreement_declined", _("Participant said no to the agreement")
    END_ANSWERED = "end_answered", _("Both answered the end question")


class Alert(models.Model):
    """Something about a duo that needs the coordinator's attention, until resolved."""

    duo = models.ForeignKey(Duo, verbose_name=_("duo"), on_delete=models.CASCADE,
                            related_name="alerts")
    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    resolution_note = models.CharField(_("what was done"), max_length=300, blank=True)

    objects = OrganisationManager("duo__organisation")

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["duo", "kind"], condition=Q(resolved_at__isnull=True),
                name="alert_one_open_per_duo_and_kind",
            ),
        ]

    def __str__(self):
        return f"{self.duo}: {self.get_kind_display()}"


class EvaluationMoment(models.TextChoices):
    MID_TERM = "mid_term", _("Mid-term")
    END = "end", _("End")


class Evaluation(models.Model):
    """A mid-term or end evaluation with one party of the duo."""

    duo = models.ForeignKey(Duo, verbose_name=_("duo"), on_delete=models.CASCADE,
                            related_name="evaluations")
    moment = models.CharField(_("moment"), max_length=10, choices=EvaluationMoment.choices)
    party = models.CharField(_("with"), max_length=12, choices=Side.choices)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    free_text = models.TextField(_("in their own words"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    objects = OrganisationManager("duo__organisation")

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["duo", "moment", "party"],
                                    name="evaluation_once_per_moment_and_party"),
        ]

    def __str__(self):
        return f"{self.duo}: {self.get_moment_display()} ({self.get_party_display()})"


class EndChoice(models.TextChoices):
    EXTEND = "extend", _("Extend")
    CLOSE = "close", _("Close")
    FRIENDS = "friends", _("Go on as friends without the project")


class EndAnswer(models.Model):
    """One side's answer to the question asked before the agreed end."""

    duo = models.ForeignKey(Duo, verbose_name=_("duo"), on_delete=models.CASCADE,
                            related_name="end_answers")
    side = models.CharField(_("who"), max_length=12, choices=Side.choices)
    # The end date the question was about: after an extension the question comes again.
    for_end_date = models.DateField(_("for the end date"))
    answer = models.CharField(_("answer"), max_length=10, choices=EndChoice.choices)
    duration_kind = models.CharField(_("new duration"), max_length=20,
                                     choices=DurationKind.choices, blank=True)
    duration_months = models.PositiveSmallIntegerField(_("number of months"), null=True,
                                                       blank=True)
    answered_at = models.DateTimeField(_("answered at"))

    objects = OrganisationManager("duo__organisation")

    class Meta:
        verbose_name = _("answer to the end question")
        verbose_name_plural = _("answers to the end question")
        ordering = ["answered_at"]
        constraints = [
            models.UniqueConstraint(fields=["duo", "side", "for_end_date"],
                                    name="end_answer_once_per_side"),
        ]

    def __str__(self):
        return f"{self.duo}: {self.get_side_display()} {self.get_answer_display()}"


class EndedBy(models.TextChoices):
    PARTICIPANT = "participant", _("The participant")
    VOLUNTEER = "volunteer", _("The volunteer")
    COORDINATOR = "coordinator", _("The coordinator")
    PLANNED_END = "planned_end", _("The agreed end")


class EndReason(models.TextChoices):
    AGREED_END = "agreed_end", _("The agreed period is over")
    GOAL_REACHED = "goal_reached", _("Goal reached")
    NO_CLICK = "no_click", _("It did not click")
    NO_TIME = "no_time", _("No time any more")
    MOVED = "moved", _("Moved away")
    HEALTH = "health", _("Health")
    BOUNDARIES = "boundaries", _("Boundaries not respected")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    CLOSED = "closed", _("Closed")
    EXTENDED = "extended", _("Extended")
    FRIENDS = "friends_without_project", _("Friends without the project")


class VolunteerNext(models.TextChoices):
    POOL = "pool", _("Back to the pool of volunteers")
    PAUSE = "pause", _("Takes a break")
    LEAVE = "leave", _("Leaves the project")


class Ending(models.Model):
    """How a duo's agreed period ended: extended, closed, or going on as friends."""

    duo = models.ForeignKey(Duo, verbose_name=_("duo"), on_delete=models.CASCADE,
                            related_name="endings")
    ended_by = models.CharField(_("ended by"), max_length=12, choices=EndedBy.choices)
    planned = models.BooleanField(_("planned"), default=True)
    reason = models.CharField(_("reason"), max_length=20, choices=EndReason.choices)
    note = models.TextField(_("note"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices)
    exit_conversation_done = models.BooleanField(_("exit conversation done"), default=False)
    exit_conversation_notes = models.TextField(_("exit conversation notes"), blank=True)
    participant_wants_new_buddy = models.BooleanField(_("participant wants a new buddy"),
                                                      null=True, blank=True)
    volunteer_next = models.CharField(_("volunteer"), max_length=10,
                                      choices=VolunteerNext.choices, blank=True)
    volunteer_leave_reason = models.CharField(_("why the volunteer leaves"), max_length=300,
                                              blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    objects = OrganisationManager("duo__organisation")

    class Meta:
        verbose_name = _("ending")
        verbose_name_plural = _("endings")
        ordering = ["recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["duo"], condition=~Q(outcome="extended"),
                name="ending_one_final_per_duo",
            ),
        ]

    def __str__(self):
        return f"{self.duo}: {self.get_outcome_display()}"


def default_questions():
    return []


class DuoSettings(models.Model):
    """How an organisation follows up its duos (schedule, alert thresholds, questionnaire)."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="duo_settings",
    )
    first_month_checkins = models.PositiveSmallIntegerField(
        _("check-ins in the first month"), default=2,
        validators=[MinValueValidator(0), MaxValueValidator(8)],
    )
    checkin_every_weeks = models.PositiveSmallIntegerField(
        _("then a check-in every … weeks"), default=4,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
    )
    checkin_grace_days = models.PositiveSmallIntegerField(
        _("days before a planned check-in counts as missed"), default=7,
    )
    weeks_without_log = models.PositiveSmallIntegerField(
        _("weeks without a meeting before an alert"), default=3,
        validators=[MinValueValidator(1)],
    )
    weeks_before_end = models.PositiveSmallIntegerField(
        _("weeks before the end to ask what next"), default=4,
        validators=[MinValueValidator(1)],
    )
    ask_how_every_weeks = models.PositiveSmallIntegerField(
        _("ask the participant how it is going every … weeks"), default=6,
        help_text=_("0: never ask by SMS."),
    )
    low_answer_threshold = models.PositiveSmallIntegerField(
        _("an answer at or below this alerts"), default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    questions = models.JSONField(
        _("evaluation questions"), default=default_questions, blank=True,
        help_text=_("One question per line; empty for the standard questions."),
    )

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("duo settings")
        verbose_name_plural = _("duo settings")

    def __str__(self):
        return str(_("Duo settings"))
