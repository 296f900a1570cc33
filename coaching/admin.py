from django.contrib import admin
from django.db import models

from organisations.admin import ScopedAdmin

from .models import (
    Attendance,
    CoachingContact,
    CoachingSettings,
    IntervisionSession,
    Invitation,
    SessionNote,
    SessionSeries,
    TrainingCompletion,
    TrainingModule,
)


@admin.register(SessionSeries)
class SessionSeriesAdmin(ScopedAdmin):
    list_display = ["topic", "interval_weeks", "until", "count"]
    raw_id_fields = ["created_by"]


@admin.register(IntervisionSession)
class IntervisionSessionAdmin(ScopedAdmin):
    list_display = ["topic", "starts_at", "audience", "capacity", "status"]
    list_filter = ["status", "audience"]
    search_fields = ["topic"]
    raw_id_fields = ["series", "facilitator", "chosen_volunteers", "chosen_participants"]
    date_hierarchy = "starts_at"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Invitation)
class InvitationAdmin(ScopedAdmin):
    list_display = ["session", "volunteer", "participant", "answer", "waiting_position",
                    "channel"]
    list_filter = ["answer", "channel"]
    raw_id_fields = ["session", "volunteer", "participant", "recorded_by"]
    list_select_related = ["session", "volunteer", "participant"]


@admin.register(Attendance)
class AttendanceAdmin(ScopedAdmin):
    list_display = ["session", "volunteer", "participant", "present"]
    raw_id_fields = ["session", "volunteer", "participant", "recorded_by"]
    list_select_related = ["session", "volunteer", "participant"]


@admin.register(SessionNote)
class SessionNoteAdmin(ScopedAdmin):
    list_display = ["session", "updated_at"]
    raw_id_fields = ["session", "written_by"]
    list_select_related = ["session"]


@admin.register(CoachingContact)
class CoachingContactAdmin(ScopedAdmin):
    list_display = ["happened_on", "volunteer", "participant", "form", "coordinator"]
    list_filter = ["form"]
    raw_id_fields = ["coordinator", "volunteer", "participant"]
    list_select_related = ["volunteer", "participant", "coordinator"]


@admin.register(TrainingModule)
class TrainingModuleAdmin(ScopedAdmin):
    list_display = ["name_nl", "is_basic"]


@admin.register(TrainingCompletion)
class TrainingCompletionAdmin(ScopedAdmin):
    list_display = ["volunteer", "module", "completed_on"]
    raw_id_fields = ["module", "volunteer", "recorded_by"]
    list_select_related = ["volunteer", "module"]


@admin.register(CoachingSettings)
class CoachingSettingsAdmin(ScopedAdmin):
    list_display = ["organisation", "months_without_intervision", "reminder_lead_days"]
