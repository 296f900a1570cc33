"""Coaching: group intervision sessions (series, invitations, attendance, notes), one-to-one
coaching contacts, training modules and their completions, and per-organisation settings.

An invitee is a volunteer or a participant: two nullable foreign keys with a check
constraint that exactly one is set (Invitation, Attendance).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from buddy.i18n import in_reader_language
from matching.intake.models import Participant, Volunteer
from organisations.models import Organisation
from organisations.scoping import OrganisationManager


def _one_invitee(prefix):
    return models.CheckConstraint(
        condition=(Q(volunteer__isnull=False, participant__isnull=True)
                   | Q(volunteer__isnull=True, participant__isnull=False)),
        name=f"{prefix}_exactly_one_invitee",
    )


def _unique_invitee(prefix):
    return [
        models.UniqueConstraint(fields=["session", "volunteer"],
                                condition=Q(volunteer__isnull=False),
                                name=f"{prefix}_one_per_volunteer"),
        models.UniqueConstraint(fields=["session", "participant"],
                                condition=Q(participant__isnull=False),
                                name=f"{prefix}_one_per_participant"),
    ]


class InviteeMixin:
    @property
    def invitee(self):
        return self.volunteer if self.volunteer_id else self.participant

    @property
    def is_volunteer(self):
        return bool(self.volunteer_id)


class SessionSeries(models.Model):
    """Intervision sessions that repeat every N weeks, until a date or for a number of times."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+",
    )
    topic = models.CharField(_("topic"), max_length=200)
    interval_weeks = models.PositiveSmallIntegerField(_("every how many weeks"), default=6)
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("number of sessions"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("series of sessions")
        verbose_name_plural = _("series of sessions")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(interval_weeks__gte=1),
                                   name="series_interval_at_least_one_week"),
            models.CheckConstraint(condition=Q(until__isnull=False) | Q(count__isnull=False),
                                   name="series_has_an_end"),
        ]

    def __str__(self):
        return self.topic


class Audience(models.TextChoices):
    VOLUNTEERS = "volunteers", _("Volunteers")
    PARTICIPANTS = "participants", _("Participants")
    BOTH = "both", _("Volunteers and participants")
    CHOSEN = "chosen", _("Chosen duos")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CANCELLED = "cancelled", _("Cancelled")


class IntervisionSession(models.Model):
    """One group intervision session: when, where, for whom, and how many seats."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+",
    )
    series = models.ForeignKey(
        SessionSeries, verbose_name=_("series"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="sessions",
    )
    topic = models.CharField(_("topic"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("address"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitator"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices,
                                default=Audience.VOLUNTEERS)
    # Until duos exist, "chosen duos" are stored as the chosen people themselves.
    chosen_volunteers = models.ManyToManyField(
        Volunteer, verbose_name=_("chosen volunteers"), blank=True, related_name="+",
    )
    chosen_participants = models.ManyToManyField(
        Participant, verbose_name=_("chosen participants"), blank=True, related_name="+",
    )
    capacity = models.PositiveSmallIntegerField(
        _("seats"), null=True, blank=True, help_text=_("Leave empty for no limit."),
    )
    theme_description = models.TextField(_("theme"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=SessionStatus.choices,
                              default=SessionStatus.PLANNED)
    # Calendar identity: the UID stays, the sequence goes up with every change (RFC 5545).
    uid = models.UUIDField(_("calendar id"), default=uuid.uuid4, editable=False, unique=True)
    sequence = models.PositiveIntegerField(_("version"), default=0, editable=False)
    cancellation_reason = models.CharField(_("reason for cancelling"), max_length=300,
                                           blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("intervision session")
        verbose_name_plural = _("intervision sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                                   name="session_capacity_at_least_one"),
        ]
        indexes = [models.Index(fields=["organisation", "starts_at"])]

    def __str__(self):
        return self.topic

    @property
    def is_cancelled(self):
        return self.status == SessionStatus.CANCELLED


class Answer(models.TextChoices):
    NONE = "none", _("No answer yet")
    YES = "yes", _("Yes")
    NO = "no", _("No")
    MAYBE = "maybe", _("Maybe")


class AnswerChannel(models.TextChoices):
    LINK = "link", _("Link")
    SMS = "sms", _("SMS reply")
    COORDINATOR = "coordinator", _("Recorded by the coordinator")
    API = "api", _("API")


class Invitation(InviteeMixin, models.Model):
    """A volunteer or participant invited to a session, and their answer.

    A yes beyond the session's seats goes on the waiting list: `waiting_position` is set
    (1 is first) and the seat is given when one frees up.
    """

    session = models.ForeignKey(
        IntervisionSession, verbose_name=_("session"), on_delete=models.CASCADE,
        related_name="invitations",
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="+",
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="+",
    )
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices,
                              default=Answer.NONE)
    waiting_position = models.PositiveIntegerField(_("place on the waiting list"), null=True,
                                                   blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    channel = models.CharField(_("answered by"), max_length=12, choices=AnswerChannel.choices,
                               blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    objects = OrganisationManager("session__organisation")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["session", "id"]
        constraints = [
            _one_invitee("invitation"),
            *_unique_invitee("invitation"),
            models.CheckConstraint(
                condition=Q(waiting_position__isnull=True) | Q(answer="yes"),
                name="invitation_only_yes_waits",
            ),
        ]

    def __str__(self):
        return str(self.invitee)

    @property
    def is_waiting(self):
        return self.waiting_position is not None


class Attendance(InviteeMixin, models.Model):
    """Whether an invitee was there, recorded on the day."""

    session = models.ForeignKey(
        IntervisionSession, verbose_name=_("session"), on_delete=models.CASCADE,
        related_name="attendances",
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="+",
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="+",
    )
    present = models.BooleanField(_("present"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    objects = OrganisationManager("session__organisation")

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["session", "id"]
        constraints = [_one_invitee("attendance"), *_unique_invitee("attendance")]

    def __str__(self):
        return str(self.invitee)


class SessionNote(models.Model):
    """What was shared at a session, without any participant's personal details."""

    session = models.OneToOneField(
        IntervisionSession, verbose_name=_("session"), on_delete=models.CASCADE,
        related_name="note",
    )
    themes = models.TextField(_("themes raised"), blank=True)
    successes = models.TextField(_("successes shared"), blank=True)
    pitfalls = models.TextField(_("pitfalls shared"), blank=True)
    follow_up = models.TextField(_("follow-up actions"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = OrganisationManager("session__organisation")

    class Meta:
        verbose_name = _("session note")
        verbose_name_plural = _("session notes")

    def __str__(self):
        return str(self.session)


class ContactForm(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Call")
    MESSAGE = "message", _("Message")


class CoachingContact(models.Model):
    """A one-to-one coaching contact of a coordinator with a volunteer, or with a duo
    (the volunteer and the participant together)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+",
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("coordinator"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="+",
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant (for a duo)"), on_delete=models.CASCADE,
        null=True, blank=True, related_name="+",
    )
    happened_on = models.DateField(_("date"))
    form = models.CharField(_("form"), max_length=10, choices=ContactForm.choices)
    note = models.CharField(_("short note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("coaching contact")
        verbose_name_plural = _("coaching contacts")
        ordering = ["-happened_on", "-id"]

    def __str__(self):
        return f"{self.happened_on} {self.volunteer}"


class TrainingModule(models.Model):
    """A training ("vorming") of the organisation; the one marked basic counts toward a
    volunteer's readiness for matching."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+",
    )
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    is_basic = models.BooleanField(
        _("basic training"), default=False,
        help_text=_("Completing it counts toward the volunteer's readiness for matching."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")
        ordering = ["-is_basic", "name_nl", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation"], condition=Q(is_basic=True),
                                    name="training_one_basic_module_per_organisation"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return in_reader_language(self, "name")


class TrainingCompletion(models.Model):
    """A volunteer completed a training module on a date."""

    module = models.ForeignKey(
        TrainingModule, verbose_name=_("training module"), on_delete=models.CASCADE,
        related_name="completions",
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="+",
    )
    completed_on = models.DateField(_("completed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )

    objects = OrganisationManager("module__organisation")

    class Meta:
        verbose_name = _("training completion")
        verbose_name_plural = _("training completions")
        ordering = ["-completed_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["module", "volunteer"],
                                    name="training_completion_once_per_volunteer"),
        ]

    def __str__(self):
        return f"{self.volunteer}: {self.module}"


class CoachingSettings(models.Model):
    """How coaching works in one organisation."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+",
    )
    months_without_intervision = models.PositiveSmallIntegerField(
        _("months without intervision"), default=3,
        help_text=_("A volunteer not at any intervision for this long may need support."),
    )
    reminder_lead_days = models.PositiveSmallIntegerField(
        _("reminder days before a session"), default=3,
    )

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("coaching settings")
        verbose_name_plural = _("coaching settings")
        constraints = [
            models.CheckConstraint(condition=Q(months_without_intervision__gte=1),
                                   name="coaching_settings_months_at_least_one"),
        ]

    def __str__(self):
        return str(self.organisation)
