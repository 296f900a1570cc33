"""Applications through the public pages: a volunteer's (/apply/<slug>/) and a participant's
own (/ask/<slug>/). An application registers the person at once (a volunteer as
"applicant", a participant "to confirm"), unless they look registered already: then it
keeps what they typed until a coordinator merges it into that person or discards it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation
from organisations.scoping import OrganisationManager

from ..models import Participant, Volunteer


class ApplicationKind(models.TextChoices):
    VOLUNTEER = "volunteer", _("Volunteer")
    PARTICIPANT = "participant", _("Participant")


class ApplicationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    DUPLICATE = "duplicate", _("Already registered: to merge")
    MERGED = "merged", _("Merged")
    DISCARDED = "discarded", _("Discarded")


class VolunteerConsent(models.TextChoices):
    """What a volunteer agrees to on the application page (the first one is required)."""

    DATA = "data", _("Keeping my data for the buddy project")
    MESSAGES = "messages", _("Receiving SMS and e-mail from the project")
    SHARE_PROFILE = "share_profile", _(
        "Showing my first name, interests and introduction to participants")


class Application(models.Model):
    """One sent application form, kept once per form (its one-time key)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("who"), max_length=12, choices=ApplicationKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=ApplicationStatus.choices)
    # The person it registered, or the registered person it seems to be (a duplicate).
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="applications",
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="applications",
    )
    # What a duplicate's form said (the services' arguments), until merged or discarded;
    # emptied then: nothing is kept longer than needed.
    data = models.JSONField(_("what they filled in"), default=dict, blank=True)
    consents = models.JSONField(_("agreed to"), default=list, blank=True)
    language = models.CharField(_("language of the page"), max_length=8, default="nl")
    form_key = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "form_key"],
                                    name="application_once_per_form"),
            models.CheckConstraint(
                condition=Q(volunteer__isnull=True) | Q(participant__isnull=True),
                name="application_one_person"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d}"

    @property
    def person(self):
        return self.volunteer if self.kind == ApplicationKind.VOLUNTEER else self.participant

    @property
    def first_name(self):
        return self.data.get("first_name") or (self.person.first_name if self.person else "")
