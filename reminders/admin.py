from django.contrib import admin

from organisations.admin import ScopedAdmin

from .models import ReminderSettings, SentReminder


@admin.register(SentReminder)
class SentReminderAdmin(ScopedAdmin):
    list_display = ["kind", "subject_ref", "period_key", "recipient_key", "outcome", "sent_at"]
    list_filter = ["kind", "outcome"]
    search_fields = ["subject_ref", "recipient_key"]


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(ScopedAdmin):
    list_display = ["organisation", "keep_in_touch_months", "keep_in_touch_answer_days",
                    "availability_notice_days", "digest_hour"]
