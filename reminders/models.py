from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.scoping import OrganisationManager


class Outcome(models.TextChoices):
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Nothing to send any more")


class SentReminder(models.Model):
    """One reminder that went out (or was found moot), claimed before it was sent: the
    unique (kind, subject, period) makes a second run, a retry or a second beat a no-op."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("organisation"))
    kind = models.CharField(_("kind"), max_length=60)
    subject_ref = models.CharField(_("subject"), max_length=80)
    period_key = models.CharField(_("period"), max_length=40)
    recipient_key = models.CharField(_("person"), max_length=80, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices,
                               default=Outcome.SENT)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    objects = OrganisationManager()

    class Meta:
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
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self):
        return str(self.organisation)
