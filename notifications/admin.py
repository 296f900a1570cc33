from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from organisations.admin import ScopedAdmin

from . import services
from .models import (
    CoordinatorTask,
    Message,
    MessagingSettings,
    OptOut,
    Question,
    ReminderSettings,
    SentReminder,
    SignedLink,
    TemplateOverride,
)


class ReadOnlyScopedAdmin(ScopedAdmin):
    """A log: staff read it, nobody edits it by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(MessagingSettings)
class MessagingSettingsAdmin(ScopedAdmin):
    list_display = ["organisation", "quiet_hours_start", "quiet_hours_end", "sms_daily_limit",
                    "sms_number"]


@admin.register(TemplateOverride)
class TemplateOverrideAdmin(ScopedAdmin):
    list_display = ["kind", "language", "text"]
    list_filter = ["language"]
    search_fields = ["kind", "text"]


@admin.register(Message)
class MessageAdmin(ReadOnlyScopedAdmin):
    list_display = ["created_at", "channel", "direction", "template", "first_name", "status",
                    "segments", "cost"]
    list_filter = ["channel", "direction", "status"]
    search_fields = ["recipient_key", "first_name", "template"]
    date_hierarchy = "created_at"
    exclude = ["context", "link_spec"]


@admin.register(SignedLink)
class SignedLinkAdmin(ReadOnlyScopedAdmin):
    list_display = ["purpose", "subject", "recipient_key", "created_at", "expires_at",
                    "used_at", "revoked_at"]
    list_filter = ["purpose"]
    search_fields = ["recipient_key", "subject"]
    actions = ["revoke"]

    @admin.action(description=_("Stop the selected links"))
    def revoke(self, request, queryset):
        for link in queryset:
            services.link_revoke(link=link)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self._staff(request) and not request.user.is_superuser:
            actions.pop("revoke", None)
        return actions


@admin.register(Question)
class QuestionAdmin(ReadOnlyScopedAdmin):
    list_display = ["purpose", "subject", "recipient_key", "created_at", "expires_at",
                    "answered_at", "answer"]
    list_filter = ["purpose"]


@admin.register(CoordinatorTask)
class CoordinatorTaskAdmin(ReadOnlyScopedAdmin):
    list_display = ["created_at", "kind", "first_name", "phone", "detail", "done_at"]
    list_filter = ["kind"]


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    """Numbers that replied STOP, across organisations: superusers only."""

    list_display = ["phone", "created_at", "keyword"]
    search_fields = ["phone"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(SentReminder)
class SentReminderAdmin(ScopedAdmin):
    list_display = ["kind", "subject_ref", "period_key", "recipient_key", "outcome", "made",
                    "sent_at"]
    list_filter = ["kind", "outcome"]
    search_fields = ["subject_ref", "recipient_key"]


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(ScopedAdmin):
    list_display = ["organisation", "keep_in_touch_months", "keep_in_touch_answer_days",
                    "availability_notice_days", "digest_hour"]
