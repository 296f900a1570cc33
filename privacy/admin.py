from django.contrib import admin

from organisations.admin import ScopedAdmin

from .models import AnonymisationRecord, RetentionSettings


@admin.register(RetentionSettings)
class RetentionSettingsAdmin(ScopedAdmin):
    list_display = ["organisation", "retention_months"]


@admin.register(AnonymisationRecord)
class AnonymisationRecordAdmin(ScopedAdmin):
    """Read-only: the record of what was anonymised is written by the service only."""

    list_display = ["subject_ref", "kind", "reason", "done_at", "done_by"]
    list_filter = ["kind", "reason"]
    readonly_fields = ["kind", "subject_ref", "reason", "done_at", "done_by", "counts"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
