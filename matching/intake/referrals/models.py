"""Referrals by partner organisations (OCMW, CAW, buurtwerk, a GP): each partner has a
referral link of its own; a referral registers the participant "to confirm", and only the
participant's own YES (by SMS reply, or to the coordinator on the phone) puts them on the
waiting list, with the referral date as their waiting date."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation
from organisations.scoping import OrganisationManager

from ..models import Participant, Referrer


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Partner(models.Model):
    """An organisation that refers participants, with its own secret referral link."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=Referrer.choices,
                            default=Referrer.OTHER)
    token = models.CharField(_("link key"), max_length=64, unique=True, default=new_token,
                             editable=False)
    is_active = models.BooleanField(_("link works"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ReferralStatus(models.TextChoices):
    ASKED = "asked", _("Waiting for the participant's YES")
    CONFIRMED = "confirmed", _("Agreed: on the waiting list")
    DECLINED = "declined", _("Did not want it")


class Referral(models.Model):
    """One participant a partner referred, and whether the participant agreed."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="+",
    )
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT,
                                related_name="referrals")
    participant = models.OneToOneField(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE,
        related_name="referral",
    )
    referred_by = models.CharField(_("referred by (person)"), max_length=100, blank=True)
    referred_on = models.DateField(_("referred on"))
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices,
                              default=ReferralStatus.ASKED)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    form_key = models.CharField(max_length=64, editable=False)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "form_key"],
                                    name="referral_once_per_form"),
        ]

    def __str__(self):
        return f"{self.partner} · {self.referred_on}"
