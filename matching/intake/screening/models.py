"""Screening of volunteers before they are proposed (MENTOR: screening and training before a
match, documented steps): stages the organisation names and orders, and each volunteer's
steps through them, with the date, who did it and a note.

A stage's kind says what reaching it means for matching: "intake talk held", "certificate"
and "training" fill the volunteer's readiness dates; "ready" makes an applicant active, so
they can be proposed. Kinds "applied", "intake talk planned", "references" and "other"
only record the step.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import InvalidStorageError, storages
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buddy.i18n import in_reader_language
from organisations.models import Organisation
from organisations.scoping import OrganisationManager

from ..models import Volunteer


class ScreeningSettings(models.Model):
    """How long a certificate of good conduct counts, and when to ask for a new one."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="+",
    )
    certificate_valid_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"), default=36,
        help_text=_("A volunteer whose certificate is older is not proposed until they bring "
                    "a new one (0: it never expires)."),
    )
    certificate_notice_days = models.PositiveSmallIntegerField(
        _("ask for a new certificate (days before)"), default=42,
    )
    # By default only the date is kept ("seen on"), never a copy.
    certificate_copy_kept = models.BooleanField(
        _("keep an uploaded copy of the certificate"), default=False,
        help_text=_("In private storage, deleted once the certificate is marked seen, or "
                    "after the days below."),
    )
    certificate_copy_days = models.PositiveSmallIntegerField(
        _("delete a copy after (days)"), default=30,
    )

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("screening settings")
        verbose_name_plural = _("screening settings")

    def __str__(self):
        return str(self._meta.verbose_name)


class StageKind(models.TextChoices):
    APPLIED = "applied", _("Applied")
    INTAKE_PLANNED = "intake_planned", _("Intake talk planned")
    INTAKE_HELD = "intake_held", _("Intake talk held")
    CERTIFICATE = "certificate", _("Certificate of good conduct (model 2)")
    REFERENCES = "references", _("References")
    TRAINING = "training", _("Basic training")
    READY = "ready", _("Ready")
    OTHER = "other", _("Other step")


class ScreeningStage(models.Model):
    """One stage of an organisation's screening (rename and order them in the admin)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("what it means"), max_length=20, choices=StageKind.choices)
    label_nl = models.CharField(_("label (Dutch)"), max_length=100)
    label_fr = models.CharField(_("label (French)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    max_days = models.PositiveSmallIntegerField(
        _("days before a reminder"), default=14,
        help_text=_("The coordinator gets a task when someone waits longer in this stage "
                    "(0: never)."),
    )

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("screening stage")
        verbose_name_plural = _("screening stages")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return in_reader_language(self, "label")


class ScreeningStep(models.Model):
    """A volunteer reached a stage: when, by whom, with a note. The latest is current."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="+",
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE,
        related_name="screening_steps",
    )
    stage = models.ForeignKey(
        ScreeningStage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="+",
    )
    entered_on = models.DateField(_("date"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("screening step")
        verbose_name_plural = _("screening steps")
        ordering = ["entered_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer"], condition=Q(is_current=True),
                                    name="screening_one_current_step"),
        ]

    def __str__(self):
        return f"{self.stage} · {self.entered_on}"


class ReferenceRequest(models.Model):
    """A reference the coordinator asked by e-mail link about an applicant, and the short
    answer the referee gave (kept with the screening; only staff read it)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="+",
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE,
        related_name="reference_requests",
    )
    referee_name = models.CharField(_("name of the referee"), max_length=100)
    referee_email = models.EmailField(_("e-mail of the referee"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    recommends = models.BooleanField(_("recommends them"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("reference")
        verbose_name_plural = _("references")
        ordering = ["asked_at", "pk"]

    def __str__(self):
        return self.referee_name


COPY_SUFFIXES = {"jpeg": ".jpg", "png": ".png", "pdf": ".pdf"}


def certificate_storage():
    """Copies live in the `certificates` storage (private, no URL) when configured."""
    try:
        return storages["certificates"]
    except InvalidStorageError:
        return storages["default"]


def certificate_upload_to(instance, filename):
    # A random name: nothing about the person, and nobody can guess it.
    suffix = PurePath(filename).suffix.lower()
    return f"certificates/{uuid.uuid4().hex}{suffix if suffix in COPY_SUFFIXES.values() else ''}"


class CertificateCopy(models.Model):
    """An uploaded copy of a volunteer's certificate of good conduct, when the organisation
    keeps copies: private, served only to its staff, deleted on schedule."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="+",
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE,
        related_name="certificate_copies",
    )
    file = models.FileField(_("copy"), upload_to=certificate_upload_to,
                            storage=certificate_storage, max_length=200)
    kind = models.CharField(max_length=10, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    delete_on = models.DateField(_("deleted on"))

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("certificate copy")
        verbose_name_plural = _("certificate copies")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return f"{self.volunteer_id} · {self.uploaded_at:%Y-%m-%d}"


def delete_copies(copies) -> int:
    """Deletes certificate copies: each row, then its file once the row is gone for good
    (after the commit, so a rolled-back deletion keeps the file)."""
    count = 0
    for copy in copies:
        name, storage = copy.file.name, copy.file.storage
        copy.delete()
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        count += 1
    return count
