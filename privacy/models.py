from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation
from organisations.scoping import OrganisationManager


class RetentionSettings(models.Model):
    """How long one organisation keeps the data of people who left."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+",
    )
    retention_months = models.PositiveSmallIntegerField(
        _("months kept after leaving"), default=24,
        help_text=_("After a participant withdrew or a volunteer stopped, and their duos "
                    "ended, their personal data is anonymised after this many months."),
    )

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("retention settings")
        verbose_name_plural = _("retention settings")
        constraints = [
            models.CheckConstraint(condition=Q(retention_months__gte=1),
                                   name="retention_months_at_least_one"),
        ]

    def __str__(self):
        return str(self.organisation)


class PersonKind(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    VOLUNTEER = "volunteer", _("Volunteer")


class AnonymisationReason(models.TextChoices):
    RETENTION = "retention", _("Retention period over")
    ERASURE = "erasure", _("Erasure on request")


class AnonymisationRecord(models.Model):
    """That one person's data was anonymised: what kind, which record, when, why, by whom.
    Holds no personal data (the record id only); one per person, which makes the job
    idempotent."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PersonKind.choices)
    subject_ref = models.CharField(_("record"), max_length=100)
    reason = models.CharField(_("why"), max_length=12, choices=AnonymisationReason.choices)
    done_at = models.DateTimeField(_("done at"), default=timezone.now)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    counts = models.JSONField(_("what was changed"), default=dict, blank=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")
        ordering = ["-done_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["subject_ref"], name="anonymised_once"),
        ]

    def __str__(self):
        return self.subject_ref
