from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from organisations.admin import ScopedAdmin

from .models import Partner, Referral


@admin.register(Partner)
class PartnerAdmin(ScopedAdmin):
    """Partners and their referral links (give a partner its link; untick "link works" to
    stop it)."""

    list_display = ["name", "kind", "is_active", "referral_link"]
    readonly_fields = ["referral_link"]

    @admin.display(description=_("referral link"))
    def referral_link(self, partner):
        if not partner.pk:
            return ""
        return settings.SITE_URL + reverse("matching:refer", kwargs={"key": partner.token})


@admin.register(Referral)
class ReferralAdmin(ScopedAdmin):
    """Read-only: referrals come through the partner's link."""

    list_display = ["partner", "referred_on", "status"]
    list_filter = ["status"]
    raw_id_fields = ["participant"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
