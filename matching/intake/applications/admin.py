from django.contrib import admin

from organisations.admin import ScopedAdmin

from .models import Application


@admin.register(Application)
class ApplicationAdmin(ScopedAdmin):
    """Read-only: applications change only through the coordinator's list (merge, put
    aside), where the services keep the person and the task in step."""

    list_display = ["created_at", "kind", "status"]
    list_filter = ["kind", "status"]
    readonly_fields = ["kind", "status", "volunteer", "participant", "data", "consents",
                       "language", "created_at", "decided_at", "decided_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
