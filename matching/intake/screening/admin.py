from django.contrib import admin

from organisations.admin import ScopedAdmin

from .models import (
    CertificateCopy,
    ReferenceRequest,
    ScreeningSettings,
    ScreeningStage,
    ScreeningStep,
)


@admin.register(ScreeningStage)
class ScreeningStageAdmin(ScopedAdmin):
    """Rename, order and time the stages (the kind says what reaching one means)."""

    list_display = ["position", "label_nl", "label_fr", "label_en", "kind", "max_days"]
    list_display_links = ["label_nl"]
    list_editable = ["position", "max_days"]


@admin.register(ScreeningStep)
class ScreeningStepAdmin(ScopedAdmin):
    """Read-only: steps are recorded on the volunteer's screening page."""

    list_display = ["volunteer", "stage", "entered_on", "done_by", "is_current"]
    raw_id_fields = ["volunteer", "done_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScreeningSettings)
class ScreeningSettingsAdmin(ScopedAdmin):
    """How long a certificate counts, and when a new one is asked."""

    list_display = ["organisation", "certificate_valid_months", "certificate_notice_days",
                    "certificate_copy_kept", "certificate_copy_days"]


@admin.register(ReferenceRequest)
class ReferenceRequestAdmin(ScopedAdmin):
    """Read-only: asked and answered through the screening page and the referee's link."""

    list_display = ["volunteer", "referee_name", "asked_at", "answered_at", "recommends"]
    raw_id_fields = ["volunteer", "asked_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CertificateCopy)
class CertificateCopyAdmin(ScopedAdmin):
    """Read-only list (no file link): copies are opened on the screening page."""

    list_display = ["volunteer", "uploaded_at", "delete_on"]
    exclude = ["file"]
    raw_id_fields = ["volunteer", "uploaded_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
