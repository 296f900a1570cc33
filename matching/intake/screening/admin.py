from django.contrib import admin

from organisations.admin import ScopedAdmin

from .models import ScreeningStage, ScreeningStep


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
