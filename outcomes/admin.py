"""Questionnaires and survey settings are edited here (an organisation adds its own
questionnaire, or a validated scale under its licence); surveys and answers are read here
and change only through the services."""

from django.contrib import admin

from organisations.admin import ScopedAdmin

from .models import (
    Answer,
    Question,
    Questionnaire,
    Survey,
    SurveySettings,
    SurveyStop,
    UmbrellaSharing,
)


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "measure", "answer_type", "text_nl", "text_fr", "text_en",
              "scale_max", "words_nl", "words_fr", "words_en", "higher_is_better"]


@admin.register(Questionnaire)
class QuestionnaireAdmin(ScopedAdmin):
    list_display = ["title_nl", "key", "audience", "active"]
    inlines = [QuestionInline]


@admin.register(SurveySettings)
class SurveySettingsAdmin(ScopedAdmin):
    list_display = ["__str__", "enabled", "participant_after_months",
                    "volunteer_every_months"]


class _ReadOnly(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Survey)
class SurveyAdmin(_ReadOnly):
    list_display = ["__str__", "moment", "opened_at", "asked_at", "completed_at"]
    list_filter = ["moment"]


@admin.register(Answer)
class AnswerAdmin(_ReadOnly):
    organisation_field = "survey__organisation"
    list_display = ["__str__", "channel", "received_at", "late"]


@admin.register(SurveyStop)
class SurveyStopAdmin(_ReadOnly):
    list_display = ["person_key", "stopped_at", "via"]


@admin.register(Question)
class QuestionAdmin(ScopedAdmin):
    organisation_field = "questionnaire__organisation"
    list_display = ["__str__", "questionnaire", "position", "answer_type"]


@admin.register(UmbrellaSharing)
class UmbrellaSharingAdmin(_ReadOnly):
    """Started and stopped on the sharing page (outcomes:umbrella_sharing)."""

    list_display = ["__str__", "since"]
