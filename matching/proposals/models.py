"""Proposals: the organisation's matching settings, proposal rounds, the proposals a
participant chooses from, the chosen volunteer's answer, the introduction meeting and the
confirmed match. Imported at the end of `matching.models`.

Invariants held by the database (work on PostgreSQL and SQLite):
- a volunteer is in at most one open proposal candidate at a time (`is_open`: offered in a
  sent proposal, or chosen and not yet confirmed or declined);
- a participant has at most one proposal in progress (open, call me, call task, chosen).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from matching.intake.models import Participant, Volunteer
from organisations.models import Organisation
from organisations.scoping import OrganisationManager


class MatchingSettings(models.Model):
    """How an organisation matches: list length, weights, distance, reminder days."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="matching_settings",
    )
    shortlist_size = models.PositiveSmallIntegerField(
        _("candidates per proposal"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    weight_interests = models.FloatField(_("weight of shared interests"), default=40.0,
                                         validators=[MinValueValidator(0)])
    weight_availability = models.FloatField(_("weight of common free time"), default=20.0,
                                            validators=[MinValueValidator(0)])
    weight_proximity = models.FloatField(_("weight of living close by"), default=20.0,
                                         validators=[MinValueValidator(0)])
    weight_participant_wishes = models.FloatField(
        _("weight of the participant's wishes"), default=10.0, validators=[MinValueValidator(0)])
    weight_volunteer_wishes = models.FloatField(
        _("weight of the volunteer's wishes"), default=10.0, validators=[MinValueValidator(0)])
    max_distance_km = models.FloatField(
        _("distance limit (km)"), default=15.0,
        validators=[MinValueValidator(0.5), MaxValueValidator(200)],
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        _("days before a reminder"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    call_task_after_days = models.PositiveSmallIntegerField(
        _("days before the coordinator calls"), default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    link_valid_days = models.PositiveSmallIntegerField(
        _("days a link stays valid"), default=21,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    second_meeting_required = models.BooleanField(
        _("a second meeting before both decide"), default=False,
    )

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("matching settings")
        verbose_name_plural = _("matching settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(call_task_after_days__gt=models.F("reminder_after_days")),
                name="matching_settings_call_after_reminder",
            ),
        ]

    def __str__(self):
        return str(_("Matching settings"))


class RoundStatus(models.TextChoices):
    PREPARING = "preparing", _("Being prepared")
    DRAFT = "draft", _("Draft, to review")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")


class RoundStage(models.TextChoices):
    """What a round being prepared is doing (the background job's progress)."""

    WAITING = "waiting", _("Waiting for the background worker")
    READING = "reading", _("Reading the waiting list and the volunteers")
    SCORING = "scoring", _("Scoring the pairs")
    ASSIGNING = "assigning", _("Assigning volunteers")
    WRITING = "writing", _("Writing the proposals")
    DONE = "done", _("Done")


class ProposalRound(models.Model):
    """A proposal round for the whole waiting list, reviewed by a coordinator, then sent."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices,
                              default=RoundStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    waiting_count = models.PositiveIntegerField(_("participants waiting"), default=0)
    volunteer_count = models.PositiveIntegerField(_("volunteers free"), default=0)
    total_score = models.FloatField(_("total score"), default=0.0)
    # The background job that prepares the round: where it is, and how far (0 to 100).
    stage = models.CharField(_("stage"), max_length=10, choices=RoundStage.choices,
                             default=RoundStage.DONE)
    progress = models.FloatField(_("progress"), default=100.0)
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    prepared_at = models.DateTimeField(_("prepared"), null=True, blank=True)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    error = models.TextField(_("error"), blank=True)
    # Figures of the computation (allowed pairs, the proof of the waiting-order rule, time).
    figures = models.JSONField(_("figures"), default=dict, blank=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("proposal round")
        verbose_name_plural = _("proposal rounds")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One round at a time per organisation: a second coordinator's click is refused.
            models.UniqueConstraint(fields=["organisation"],
                                    condition=Q(status="preparing"),
                                    name="one_round_prepared_at_a_time"),
        ]

    def __str__(self):
        return _("Proposal round") + f" {self.pk}"


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Waiting for an answer")
    CALL_ME = "call_me", _("Asked to be called")
    CALL_TASK = "call_task", _("No answer: coordinator calls")
    CHOSEN = "chosen", _("Chosen")
    NONE_OF_THESE = "none_of_these", _("None of these")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MATCHED = "matched", _("Matched")


# The participant can still answer (by link, SMS or phone).
ANSWERABLE = [ProposalStatus.OPEN, ProposalStatus.CALL_ME, ProposalStatus.CALL_TASK]
# In progress for the participant: at most one at a time.
IN_PROGRESS = [*ANSWERABLE, ProposalStatus.CHOSEN]


class AnswerChannel(models.TextChoices):
    LINK = "link", _("Link")
    SMS = "sms", _("SMS reply")
    PHONE = "phone", _("Phone call, recorded by the coordinator")
    STAFF = "staff", _("Recorded by the coordinator")


class Proposal(models.Model):
    """A short list of volunteers proposed to one participant, who chooses one or none."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+",
    )
    round = models.ForeignKey(
        ProposalRound, verbose_name=_("round"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="proposals",
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE,
        related_name="proposals",
    )
    status = models.CharField(_("status"), max_length=16, choices=ProposalStatus.choices,
                              default=ProposalStatus.DRAFT, db_index=True)
    expires_at = models.DateTimeField(_("link valid until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    channel = models.CharField(_("answered through"), max_length=10,
                               choices=AnswerChannel.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"], condition=Q(status__in=IN_PROGRESS),
                name="proposal_one_in_progress_per_participant",
            ),
        ]

    def __str__(self):
        return _("Proposal") + f" {self.pk}"

    @property
    def is_answerable(self):
        return self.status in ANSWERABLE


class CandidateStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    CHOSEN = "chosen", _("Chosen")
    NOT_CHOSEN = "not_chosen", _("Not chosen")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ProposalCandidate(models.Model):
    """One volunteer on a proposal's short list, with the score and the reasons."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE,
        related_name="candidates",
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("number"))
    score = models.FloatField(_("score"))
    # {"nl": [...], "fr": [...], "en": [...]}: the reasons in plain words per language.
    reasons = models.JSONField(_("reasons"), default=dict, blank=True)
    # Each soft part of the score (0..1: "interests", "availability", "proximity",
    # "participant_wishes", "volunteer_wishes") when it was proposed: what "what makes a duo
    # last" relates to how long the duo lasted.
    parts = models.JSONField(_("parts of the score"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=CandidateStatus.choices,
                              default=CandidateStatus.OFFERED)
    # Offered in a sent proposal, or chosen and not yet confirmed or declined.
    is_open = models.BooleanField(_("open"), default=False)

    objects = OrganisationManager("proposal__organisation")

    class Meta:
        verbose_name = _("proposed volunteer")
        verbose_name_plural = _("proposed volunteers")
        ordering = ["proposal", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer"], condition=Q(is_open=True),
                name="candidate_volunteer_in_one_open_proposal",
            ),
            models.UniqueConstraint(fields=["proposal", "position"],
                                    name="candidate_position_unique"),
            models.UniqueConstraint(fields=["proposal", "volunteer"],
                                    name="candidate_volunteer_once_per_proposal"),
            models.CheckConstraint(condition=Q(position__gte=1),
                                   name="candidate_position_from_1"),
        ]

    def __str__(self):
        return f"{self.position}. {self.volunteer}"

    def reasons_in(self, language):
        return self.reasons.get(language) or self.reasons.get("nl") or []


class OfferStatus(models.TextChoices):
    ASKED = "asked", _("Asked")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class VolunteerOffer(models.Model):
    """The chosen volunteer is asked to accept the participant who chose them."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+",
    )
    candidate = models.OneToOneField(
        ProposalCandidate, verbose_name=_("chosen candidate"), on_delete=models.CASCADE,
        related_name="offer",
    )
    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"),
                                 on_delete=models.CASCADE, related_name="offers")
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("volunteer"),
                                  on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=OfferStatus.choices,
                              default=OfferStatus.ASKED)
    expires_at = models.DateTimeField(_("link valid until"), null=True, blank=True)
    asked_at = models.DateTimeField(_("asked"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    channel = models.CharField(_("answered through"), max_length=10,
                               choices=AnswerChannel.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("question to the volunteer")
        verbose_name_plural = _("questions to volunteers")
        ordering = ["-asked_at", "-id"]

    def __str__(self):
        return _("Question to %(name)s") % {"name": self.volunteer}


class GoOn(models.TextChoices):
    UNKNOWN = "", _("Not said yet")
    YES = "yes", _("Yes, go on")
    NO = "no", _("No")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CONFIRMED = "confirmed", _("Both go on")
    STOPPED = "stopped", _("Not going on")


class IntroductionMeeting(models.Model):
    """The introduction meeting with the coordinator, after which both say whether they go on."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+",
    )
    offer = models.OneToOneField(VolunteerOffer, verbose_name=_("accepted question"),
                                 on_delete=models.CASCADE, related_name="meeting")
    participant = models.ForeignKey(Participant, verbose_name=_("participant"),
                                    on_delete=models.CASCADE, related_name="+")
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("volunteer"),
                                  on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices,
                              default=MeetingStatus.PLANNED)
    planned_at = models.DateTimeField(_("planned at"))
    place = models.CharField(_("place"), max_length=200)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    second_meeting_needed = models.BooleanField(_("second meeting needed"), default=False)
    second_planned_at = models.DateTimeField(_("second meeting planned at"), null=True,
                                             blank=True)
    second_held_on = models.DateField(_("second meeting held on"), null=True, blank=True)
    participant_goes_on = models.CharField(_("participant goes on"), max_length=3,
                                           choices=GoOn.choices, blank=True)
    volunteer_goes_on = models.CharField(_("volunteer goes on"), max_length=3,
                                         choices=GoOn.choices, blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("introduction meeting")
        verbose_name_plural = _("introduction meetings")
        ordering = ["planned_at", "id"]

    def __str__(self):
        return _("Introduction meeting") + f" {self.pk}"

    @property
    def ready_to_decide(self):
        if self.held_on is None:
            return False
        return not self.second_meeting_needed or self.second_held_on is not None


class MatchStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    HANDED_OVER = "handed_over", _("Handed over to the duo")


class Match(models.Model):
    """Both said yes after the introduction meeting: a match, handed over to duos."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+",
    )
    participant = models.ForeignKey(Participant, verbose_name=_("participant"),
                                    on_delete=models.CASCADE, related_name="+")
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("volunteer"),
                                  on_delete=models.CASCADE, related_name="+")
    proposal = models.OneToOneField(Proposal, verbose_name=_("proposal"),
                                    on_delete=models.CASCADE, related_name="match")
    status = models.CharField(_("status"), max_length=12, choices=MatchStatus.choices,
                              default=MatchStatus.CONFIRMED)
    confirmed_at = models.DateTimeField(_("confirmed"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    # The duo's id in the duos app (no foreign key: matching does not depend on duos).
    duo_id = models.PositiveIntegerField(_("duo"), null=True, blank=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-confirmed_at", "-id"]

    def __str__(self):
        return f"{self.participant} – {self.volunteer}"


class CallTaskStatus(models.TextChoices):
    OPEN = "open", _("To call")
    DONE = "done", _("Done")


class CallTaskReason(models.TextChoices):
    NO_ANSWER = "no_answer", _("No answer to the proposal")
    CALL_ME = "call_me", _("Asked to be called")


class ProposalCallTask(models.Model):
    """A coordinator's task: call the participant about their proposal."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+",
    )
    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"),
                                 on_delete=models.CASCADE, related_name="call_tasks")
    reason = models.CharField(_("why"), max_length=12, choices=CallTaskReason.choices)
    status = models.CharField(_("status"), max_length=6, choices=CallTaskStatus.choices,
                              default=CallTaskStatus.OPEN)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("call task")
        verbose_name_plural = _("call tasks")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal"], condition=Q(status="open"),
                                    name="call_task_one_open_per_proposal"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.proposal.participant}"
