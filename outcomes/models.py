"""Outcomes: questionnaires as data, the surveys sent from them, and the answers.

A questionnaire is a list of questions, each with an answer type and its words in Dutch,
French and English. A survey is one questionnaire put to one person at one moment (the
participant's intake, three months into a duo, its end; a volunteer's first month and every
three months after); it is unique per person, duo, moment and period, so scheduling it twice
makes one. Answers come by SMS reply (one question at a time), by a signed link (all
questions) or from a coordinator on the phone; an answer after the survey closed is kept and
marked late. Answers are read by staff only, never by the other side of the duo.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation
from organisations.scoping import OrganisationManager

LANGUAGES = ("nl", "fr", "en")


class Audience(models.TextChoices):
    PARTICIPANT = "participant", _("Participants")
    VOLUNTEER = "volunteer", _("Volunteers")


class AnswerType(models.TextChoices):
    SCALE = "scale", _("A number on a scale")
    YES_NO = "yes_no", _("Yes or no")
    COUNT = "count", _("A count")
    TEXT = "text", _("Short text")


class Moment(models.TextChoices):
    INTAKE = "intake", _("At intake")
    FOLLOW_UP = "follow_up", _("During the duo")
    END = "end", _("At the end of the duo")
    AFTER_END = "after_end", _("After the end")
    VOLUNTEER = "volunteer", _("Volunteer's check")


class Questionnaire(models.Model):
    """A list of questions an organisation puts to participants or volunteers. `key` names
    the shipped defaults ("participant", "volunteer", "after_end"); an organisation's own
    questionnaire may carry a validated scale it holds a licence for (`licence`)."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"),
                                     on_delete=models.CASCADE, related_name="questionnaires")
    key = models.SlugField(_("key"), max_length=40)
    audience = models.CharField(_("for"), max_length=12, choices=Audience.choices)
    title_nl = models.CharField(_("title (Dutch)"), max_length=120)
    title_fr = models.CharField(_("title (French)"), max_length=120, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=120, blank=True)
    licence = models.CharField(
        _("licence"), max_length=300, blank=True,
        help_text=_("For a validated scale: the licence under which the organisation uses "
                    "its wording."))
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["audience", "key"]
        constraints = [models.UniqueConstraint(fields=["organisation", "key"],
                                               name="questionnaire_key_unique")]

    def __str__(self):
        return self.title_nl

    def title(self, language: str) -> str:
        return getattr(self, f"title_{language}", "") or self.title_nl


class Question(models.Model):
    """One question of a questionnaire. `measure` names what it measures across
    questionnaires and moments ("people_to_count_on"): the outcome report compares the
    answers to one measure over time. A scale runs from 1 to `scale_max`, its words
    ("1 never, 2 sometimes, 3 often") written per language; a count is 0 or more."""

    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("questionnaire"),
                                      on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    measure = models.SlugField(_("measure"), max_length=40)
    answer_type = models.CharField(_("answer type"), max_length=8, choices=AnswerType.choices)
    text_nl = models.CharField(_("question (Dutch)"), max_length=200)
    text_fr = models.CharField(_("question (French)"), max_length=200, blank=True)
    text_en = models.CharField(_("question (English)"), max_length=200, blank=True)
    scale_max = models.PositiveSmallIntegerField(
        _("highest number on the scale"), null=True, blank=True,
        validators=[MinValueValidator(2), MaxValueValidator(9)])
    words_nl = models.CharField(_("scale words (Dutch)"), max_length=120, blank=True)
    words_fr = models.CharField(_("scale words (French)"), max_length=120, blank=True)
    words_en = models.CharField(_("scale words (English)"), max_length=120, blank=True)
    # Whether a higher number is better (people to count on) or worse (feeling alone): the
    # report says "improved" the right way round.
    higher_is_better = models.BooleanField(_("a higher answer is better"), default=True)

    objects = OrganisationManager("questionnaire__organisation")

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "position"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "position"],
                                               name="question_position_unique")]

    def __str__(self):
        return self.text_nl

    def clean(self):
        if self.answer_type == AnswerType.SCALE and not self.scale_max:
            raise ValidationError({"scale_max": _("A scale needs its highest number.")})

    def text(self, language: str) -> str:
        return getattr(self, f"text_{language}", "") or self.text_nl

    def words(self, language: str) -> str:
        return getattr(self, f"words_{language}", "") or self.words_nl


class SurveySettings(models.Model):
    """When an organisation asks its questions (the defaults until it saves its own)."""

    organisation = models.OneToOneField(Organisation, verbose_name=_("organisation"),
                                        on_delete=models.CASCADE,
                                        related_name="survey_settings")
    enabled = models.BooleanField(_("send surveys"), default=True)
    participant_after_months = models.PositiveSmallIntegerField(
        _("participant: months after the start of the duo"), default=3,
        validators=[MinValueValidator(1)])
    participant_at_end = models.BooleanField(_("participant: at the end of the duo"),
                                             default=True)
    after_end_months = models.PositiveSmallIntegerField(
        _("participant: months after the end (still in contact?), 0 for never"), default=3)
    volunteer_first_after_days = models.PositiveSmallIntegerField(
        _("volunteer: days after the start of the duo"), default=30,
        validators=[MinValueValidator(1)])
    volunteer_every_months = models.PositiveSmallIntegerField(
        _("volunteer: then every so many months, 0 for never"), default=3)
    reminder_after_days = models.PositiveSmallIntegerField(
        _("one reminder after so many days without an answer"), default=7,
        validators=[MinValueValidator(7)])
    open_days = models.PositiveSmallIntegerField(
        _("days a survey stays open (later answers are marked late)"), default=28,
        validators=[MinValueValidator(7)])

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")

    def __str__(self):
        return str(self.organisation)


class Channel(models.TextChoices):
    SMS = "sms", _("SMS reply")
    LINK = "link", _("Link page")
    PHONE = "phone", _("By phone, recorded by the coordinator")


class Survey(models.Model):
    """One questionnaire put to one person at one moment. `position` is the question the
    SMS conversation is at; `bad_replies` counts replies that were not an answer to it."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"),
                                     on_delete=models.CASCADE, related_name="surveys")
    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("questionnaire"),
                                      on_delete=models.PROTECT, related_name="surveys")
    person_key = models.CharField(_("person"), max_length=40, db_index=True)
    duo = models.ForeignKey("duos.Duo", verbose_name=_("duo"), on_delete=models.CASCADE,
                            related_name="surveys", null=True, blank=True)
    moment = models.CharField(_("moment"), max_length=12, choices=Moment.choices)
    # Which one of its moment: "duo:12" for a duo's moments, "duo:12:2" for a volunteer's
    # second check in duo 12, "" for the intake.
    period = models.CharField(_("period"), max_length=30, default="", blank=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes"))
    asked_at = models.DateTimeField(_("asked"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("SMS at question"), default=0)
    bad_replies = models.PositiveSmallIntegerField(_("replies not understood"), default=0)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opened_at", "-pk"]
        constraints = [models.UniqueConstraint(
            fields=["organisation", "person_key", "moment", "period"],
            name="survey_once_per_moment")]
        indexes = [models.Index(fields=["organisation", "asked_at"], name="survey_to_ask",
                                condition=models.Q(completed_at__isnull=True))]

    def __str__(self):
        return f"{self.questionnaire} · {self.person_key} · {self.moment}"

    def is_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at


class Answer(models.Model):
    """One answer to one question of a survey (the first one counts: a second reply,
    link or call for the same question changes nothing)."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE,
                               related_name="answers")
    question = models.ForeignKey(Question, verbose_name=_("question"),
                                 on_delete=models.PROTECT, related_name="answers")
    number = models.SmallIntegerField(_("number"), null=True, blank=True)
    text = models.CharField(_("text"), max_length=300, blank=True)
    channel = models.CharField(_("how"), max_length=8, choices=Channel.choices)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    late = models.BooleanField(_("late"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    objects = OrganisationManager("survey__organisation")

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["survey", "question__position"]
        constraints = [models.UniqueConstraint(fields=["survey", "question"],
                                               name="answer_once_per_question")]

    def __str__(self):
        return f"{self.question} · {self.number if self.number is not None else self.text}"


class SurveyStop(models.Model):
    """A person who stopped the surveys (STOP to a survey question, or told the
    coordinator): no more questions, the duo's other messages go on."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"),
                                     on_delete=models.CASCADE, related_name="survey_stops")
    person_key = models.CharField(_("person"), max_length=40)
    stopped_at = models.DateTimeField(_("since"), default=timezone.now)
    via = models.CharField(_("how"), max_length=8, choices=Channel.choices)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("survey stop")
        verbose_name_plural = _("survey stops")
        constraints = [models.UniqueConstraint(fields=["organisation", "person_key"],
                                               name="survey_stop_once")]

    def __str__(self):
        return self.person_key


class UmbrellaSharing(models.Model):
    """A member organisation shares its outcome figures with an umbrella (a regional network
    of buddy projects): aggregated, small groups hidden, never a person. Opt-in by the
    member's admin; deleting the row stops it."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("member organisation"),
                                     on_delete=models.CASCADE, related_name="umbrella_sharing")
    umbrella = models.ForeignKey(Organisation, verbose_name=_("umbrella organisation"),
                                 on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(_("since"), default=timezone.now)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("sharing with an umbrella")
        verbose_name_plural = _("sharing with umbrellas")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "umbrella"],
                                    name="umbrella_sharing_once"),
            models.CheckConstraint(condition=~models.Q(organisation=models.F("umbrella")),
                                   name="umbrella_is_another_organisation"),
        ]

    def __str__(self):
        return f"{self.organisation} → {self.umbrella}"
