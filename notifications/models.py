"""The message log, signed links, open questions, opt-outs and the coordinator's follow-up items.

Every row that belongs to an organisation uses the organisation scope. Two tables are
deliberately not scoped: an opt-out belongs to a phone number, not to an organisation (STOP
stops every SMS to that number, whoever sends it), and an inbound SMS from an unknown number
has no organisation until a coordinator looks at it (superusers see those in the admin).
"""

from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from organisations.models import LANGUAGE_CHOICES, Organisation
from organisations.scoping import OrganisationManager

from .texts import validate_override


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")
    # A phone call the coordinator recorded in the person's conversation.
    PHONE = "phone", _("Phone call")


class Direction(models.TextChoices):
    OUT = "out", _("sent to the person")
    IN = "in", _("received from the person")


class Status(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENDING = "sending", _("being sent")
    QUEUED = "queued", _("queued at the provider")
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")
    SUPPRESSED = "suppressed", _("not sent (opted out)")
    NO_CONSENT = "no_consent", _("not sent: no consent")
    RECEIVED = "received", _("received")
    CANCELLED = "cancelled", _("not sent: cancelled")


# How far a status is along its way: a late callback never moves a message back.
STATUS_RANK = {
    Status.PENDING: 0, Status.SENDING: 1, Status.QUEUED: 2, Status.SENT: 3,
    Status.DELIVERED: 4, Status.FAILED: 4, Status.SUPPRESSED: 4, Status.NO_CONSENT: 4,
    Status.RECEIVED: 4, Status.CANCELLED: 4,
}


class RecipientRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    VOLUNTEER = "volunteer", _("Volunteer")
    COORDINATOR = "coordinator", _("Coordinator")


# Callables, not fixed times: Django warns (fields.W161) about a fixed time default when
# the checks happen to run within seconds of it.
def default_quiet_hours_start():
    return time(21, 0)


def default_quiet_hours_end():
    return time(9, 0)


class MessagingSettings(models.Model):
    """An organisation's rules for SMS: quiet hours, a daily limit per person, its number."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="messaging_settings",
    )
    quiet_hours_start = models.TimeField(
        _("quiet hours start"), default=default_quiet_hours_start,
        help_text=_("No SMS is sent from this time on (Europe/Brussels)."),
    )
    quiet_hours_end = models.TimeField(
        _("quiet hours end"), default=default_quiet_hours_end,
        help_text=_("SMS held during the night are sent from this time on."),
    )
    sms_daily_limit = models.PositiveSmallIntegerField(
        _("SMS per person per day"), default=3,
        help_text=_("Further messages wait for the next day."),
    )
    gsm_names = models.BooleanField(
        _("write names in plain SMS letters"), default=True,
        help_text=_("An SMS with a letter such as ï, ç, ğ or ł in a name or a place costs "
                    "two or three times as much: such letters are written as i, c, g, l "
                    "instead. The fixed words of each text stay as they are."),
    )
    sms_number = PhoneNumberField(
        _("SMS number"), blank=True,
        help_text=_("The number messages come from and replies go to; empty for the "
                    "service's default number."),
    )

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("messaging settings")
        verbose_name_plural = _("messaging settings")

    def __str__(self):
        return str(self.organisation)


class TemplateOverride(models.Model):
    """An organisation's own wording of one SMS kind in one language."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="template_overrides",
    )
    kind = models.CharField(_("message kind"), max_length=80)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    text = models.TextField(
        _("text"),
        help_text=_("Use the same {placeholders} as the standard text; {organisation} and "
                    "{coordinator_phone} are required."),
    )

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("own message text")
        verbose_name_plural = _("own message texts")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "language"], name="one_override_per_kind_language"
            ),
        ]

    def __str__(self):
        return f"{self.kind} ({self.language})"

    def clean(self):
        validate_override(self.kind, self.language, self.text)


class SignedLink(models.Model):
    """A short link for one person and one purpose; only the hash of its secret is kept."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="signed_links",
    )
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    purpose = models.CharField(_("purpose"), max_length=80)
    subject = models.CharField(
        _("subject"), max_length=80, help_text=_("What the link is about, for the owning app."),
    )
    recipient_key = models.CharField(_("person"), max_length=80, db_index=True)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    single_use = models.BooleanField(_("single use"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    message = models.ForeignKey(
        "Message", verbose_name=_("message"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="links",
    )

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("signed link")
        verbose_name_plural = _("signed links")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.purpose} · {self.subject}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.revoked_at is None and self.expires_at > now
            and not (self.single_use and self.used_at is not None)
        )


class Message(models.Model):
    """One message in or out, on one channel: the log the coordinator and the admin read."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="messages", null=True, blank=True,
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    template = models.CharField(_("template"), max_length=80, blank=True)
    recipient_key = models.CharField(_("person"), max_length=80, blank=True, db_index=True)
    recipient_role = models.CharField(
        _("role"), max_length=20, choices=RecipientRole.choices, blank=True,
    )
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES,
                                default="nl")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    # For SMS: the text as sent, with the secret of a link replaced by stars.
    body = models.TextField(_("text"), blank=True)
    segments = models.PositiveSmallIntegerField(_("segments"), default=0)
    encoding = models.CharField(_("encoding"), max_length=8, blank=True)
    cost = models.DecimalField(_("estimated cost"), max_digits=8, decimal_places=4,
                               default=Decimal("0"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    # Unique per organisation: the same key twice is the same message, sent once.
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, blank=True)
    not_before = models.DateTimeField(_("not before"), default=timezone.now, db_index=True)
    link_spec = models.JSONField(default=dict, blank=True, editable=False)
    context = models.JSONField(default=dict, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    backend = models.CharField(_("provider"), max_length=40, blank=True)
    provider_id = models.CharField(_("provider reference"), max_length=100, blank=True,
                                   db_index=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    status_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    # Conversations: who wrote an answer or recorded a call, and whether a coordinator
    # chose to send it during quiet hours.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"),
                               on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    during_quiet_hours = models.BooleanField(_("sent during quiet hours on purpose"),
                                             default=False)
    # An inbound message that answers no question waits in the inbox until a coordinator
    # answers or closes it; one the owning app understood is handled when it arrives.
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    group = models.ForeignKey("GroupMessage", verbose_name=_("group message"),
                              on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="messages")

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="message_idempotency_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "channel", "created_at"]),
            models.Index(fields=["organisation", "recipient_key", "created_at"],
                         name="message_thread"),
            models.Index(fields=["organisation", "created_at"], name="message_inbox",
                         condition=models.Q(direction="in", handled_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.get_direction_display()} · {self.template}"


class Question(models.Model):
    """An open question asked by SMS, so that a reply from that number finds its owner."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="sms_questions",
    )
    phone = PhoneNumberField(_("phone"), db_index=True)
    recipient_key = models.CharField(_("person"), max_length=80)
    purpose = models.CharField(_("purpose"), max_length=80)
    subject = models.CharField(_("subject"), max_length=80)
    # The kinds of answer it takes: "yes", "no", "maybe", "none", "call", and digits up to
    # `choices` when it is above zero.
    accepts = models.JSONField(_("accepted answers"), default=list)
    choices = models.PositiveSmallIntegerField(_("numbered choices"), default=0)
    message = models.ForeignKey(Message, verbose_name=_("message"), on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="questions")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=20, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("SMS question")
        verbose_name_plural = _("SMS questions")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.purpose} · {self.subject}"


class OptOut(models.Model):
    """A number that replied STOP: no SMS goes to it from any organisation."""

    phone = PhoneNumberField(_("phone"), unique=True)
    created_at = models.DateTimeField(_("since"), default=timezone.now)
    keyword = models.CharField(_("word sent"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("SMS opt-out")
        verbose_name_plural = _("SMS opt-outs")

    def __str__(self):
        return str(self.phone)


class TaskKind(models.TextChoices):
    CALL_UNDELIVERED = "call_undelivered", _("SMS not delivered: call this person")
    CALL_OPTED_OUT = "call_opted_out", _("Stopped SMS: phone instead")
    CALL_NO_CONSENT = "call_no_consent", _("No consent to messages: phone instead")
    HELP = "help", _("Asked for help by SMS")
    UNEXPECTED_REPLY = "unexpected_reply", _("Reply not understood")
    UNKNOWN_SENDER = "unknown_sender", _("SMS from an unknown number")
    CALL_PREFERRED = "call_preferred", _("Prefers a phone call: call this person")
    SHARED_NUMBER = "shared_number", _(
        "Reply from a number another organisation also asked: call to check")
    # The rooms' own follow-up items (opened through matching.intake.reach.open_task).
    KEEP_IN_TOUCH = "keep_in_touch", _("Still waiting? Check with this person")
    CHECK_BACK = "check_back", _("Pause over: ask whether they want a buddy again")
    AVAILABILITY = "availability", _("Volunteer's availability ends")
    OFFER_UNANSWERED = "offer_unanswered", _("Volunteer did not answer: call them")
    MERGE_APPLICATION = "merge_application", _(
        "An application from someone already registered: merge it")
    SCREENING_STUCK = "screening_stuck", _("Applicant waiting long in a screening stage")
    CERTIFICATE_RENEWAL = "certificate_renewal", _("Certificate of good conduct ends soon")
    CERTIFICATE_EXPIRED = "certificate_expired", _(
        "Certificate of good conduct expired: not proposed until renewed")


class CoordinatorTask(models.Model):
    """Something a coordinator has to do because a message did not get through or back."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="coordinator_tasks", null=True, blank=True,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices)
    recipient_key = models.CharField(_("person"), max_length=80, blank=True)
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    message = models.ForeignKey(Message, verbose_name=_("message"), on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="coordinator_tasks")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"),
                                on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("coordinator task")
        verbose_name_plural = _("coordinator tasks")
        ordering = ["done_at", "-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.first_name or self.phone}"


class GroupStatus(models.TextChoices):
    QUEUED = "queued", _("waiting to start")
    SENDING = "sending", _("being sent")
    DONE = "done", _("sent")
    CANCELLED = "cancelled", _("cancelled")


class GroupMessage(models.Model):
    """One message a coordinator wrote for a group (a text per language), sent in the
    background to the people it had when it was confirmed, each at most once."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="group_messages",
    )
    group_kind = models.CharField(_("group"), max_length=60)
    group_value = models.CharField(_("choice"), max_length=80, blank=True)
    group_label = models.CharField(_("group"), max_length=200)
    texts = models.JSONField(_("texts per language"), default=dict)
    # The people the coordinator confirmed (keys), and who was left out and why.
    recipient_keys = models.JSONField(default=list, editable=False)
    left_out = models.JSONField(default=dict, editable=False)
    total = models.PositiveIntegerField(_("recipients"), default=0)
    processed = models.PositiveIntegerField(_("handled so far"), default=0)
    estimated_cost = models.DecimalField(_("estimated cost"), max_digits=10,
                                         decimal_places=4, default=Decimal("0"))
    status = models.CharField(_("status"), max_length=10, choices=GroupStatus.choices,
                              default=GroupStatus.QUEUED)
    token = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"),
                                   on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("group message")
        verbose_name_plural = _("group messages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "token"],
                                    name="group_message_once_per_form"),
        ]

    def __str__(self):
        return self.group_label


class SimulatedSms(models.Model):
    """One SMS as the phone simulator shows it (`SMS_SIMULATOR`, never in production): the
    whole text sent, its link included, or a reply typed in the simulator."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="+", null=True, blank=True,
    )
    message = models.ForeignKey(Message, verbose_name=_("message"), on_delete=models.CASCADE,
                                null=True, blank=True, related_name="+")
    phone = PhoneNumberField(_("phone"), db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("simulated SMS")
        verbose_name_plural = _("simulated SMS")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.phone} {self.direction}"


# Reminders (notifications/reminders.py) ------------------------------------------------


class ReminderOutcome(models.TextChoices):
    # Sent: a new message or task was made. The staff page says so only then.
    SENT = "sent", _("Sent")
    DUPLICATE = "duplicate", _("Nothing sent: duplicate of an earlier message or task")
    NOTHING = "nothing", _("Nothing sent: no message or task was recorded")
    SKIPPED = "skipped", _("Nothing to send any more")


class SentReminder(models.Model):
    """One reminder claimed, and what came of it (sent, a duplicate, nothing, moot): the
    unique (kind, subject, period) makes a second run, a retry or a second beat a no-op."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("organisation"))
    kind = models.CharField(_("kind"), max_length=60)
    subject_ref = models.CharField(_("subject"), max_length=80)
    period_key = models.CharField(_("period"), max_length=40)
    recipient_key = models.CharField(_("person"), max_length=80, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReminderOutcome.choices,
                               default=ReminderOutcome.SENT)
    # What it made ("message:12", "task:7", a room's own item), or the earlier message or
    # task it turned out to duplicate (notifications.journal).
    made = models.CharField(_("made"), max_length=80, blank=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    objects = OrganisationManager()

    class Meta:
        # The table of the former `reminders` app, kept (migration 0006 adopts it).
        db_table = "reminders_sentreminder"
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject_ref", "period_key"],
                                    name="reminder_once_per_period"),
        ]
        indexes = [models.Index(fields=["organisation", "-sent_at"])]

    def __str__(self):
        return f"{self.kind} {self.subject_ref} {self.period_key}"


class ReminderSettings(models.Model):
    """The organisation's cadences of the reminders that belong to no single room (the
    others read their room's settings); defaults apply until an admin saves a row."""

    organisation = models.OneToOneField("organisations.Organisation", on_delete=models.CASCADE,
                                        related_name="+", verbose_name=_("organisation"))
    keep_in_touch_months = models.PositiveSmallIntegerField(
        _("months between keep-in-touch SMS to the waiting list"), default=3,
        help_text=_("0: no keep-in-touch SMS."))
    keep_in_touch_answer_days = models.PositiveSmallIntegerField(
        _("days to answer a keep-in-touch SMS before the coordinator calls"), default=10)
    availability_notice_days = models.PositiveSmallIntegerField(
        _("days before a volunteer's availability ends to tell them"), default=14)
    agreement_reminder_days = models.PositiveSmallIntegerField(
        _("days before an unconfirmed agreement is asked again"), default=3,
        validators=[MinValueValidator(1)])
    digest_hour = models.PositiveSmallIntegerField(
        _("hour of the coordinators' morning e-mail"), default=8)

    objects = OrganisationManager()

    class Meta:
        db_table = "reminders_remindersettings"
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self):
        return str(self.organisation)
