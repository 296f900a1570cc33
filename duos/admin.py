from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from organisations.admin import ScopedAdmin

from .models import (
    Agreement,
    Alert,
    CheckIn,
    Duo,
    DuoSettings,
    EndAnswer,
    Ending,
    Evaluation,
    Expense,
    MeetingLog,
    ParticipantAnswer,
)


class DuoPartAdmin(ScopedAdmin):
    """Rows that belong to a duo: scoped through the duo, which cannot be changed here."""

    organisation_field = "duo__organisation"
    raw_id_fields = ["duo"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "duo"] if obj is not None else readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "duo":
            kwargs["queryset"] = Duo.objects.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Duo)
class DuoAdmin(ScopedAdmin):
    """The status changes only through the duo pages (the services), never here."""

    list_display = ["__str__", "status", "started_on", "end_date", "ended_on"]
    list_filter = ["status"]
    list_select_related = ["participant", "volunteer", "agreement"]
    raw_id_fields = ["participant", "volunteer"]
    readonly_fields = ["status", "started_on", "ended_on", "end_question_asked_on",
                       "how_asked_on", "log_reminder_sent_on", "created_by"]

    @admin.display(description=_("end date"), ordering="agreement__end_date")
    def end_date(self, obj):
        agreement = getattr(obj, "agreement", None)
        return agreement.end_date if agreement else None


@admin.register(Agreement)
class AgreementAdmin(DuoPartAdmin):
    list_display = ["duo", "start_date", "duration_kind", "end_date", "meeting_frequency"]
    readonly_fields = ["end_date", "volunteer_confirmed_by", "participant_confirmed_by"]


@admin.register(MeetingLog)
class MeetingLogAdmin(DuoPartAdmin):
    list_display = ["duo", "date", "did_not_meet", "how_it_went", "wants_to_talk"]
    list_filter = ["did_not_meet", "wants_to_talk"]


@admin.register(Expense)
class ExpenseAdmin(DuoPartAdmin):
    list_display = ["duo", "spent_on", "amount_cents", "kind", "status"]
    list_filter = ["status", "kind"]
    # The receipt is shown only through the permission-checked receipt page.
    exclude = ["receipt"]
    raw_id_fields = ["duo", "meeting_log"]


@admin.register(CheckIn)
class CheckInAdmin(DuoPartAdmin):
    list_display = ["duo", "planned_on", "done_on", "with_whom", "how"]


@admin.register(ParticipantAnswer)
class ParticipantAnswerAdmin(DuoPartAdmin):
    list_display = ["duo", "score", "channel", "received_at"]


@admin.register(Alert)
class AlertAdmin(DuoPartAdmin):
    list_display = ["duo", "kind", "created_at", "resolved_at"]
    list_filter = ["kind"]


@admin.register(Evaluation)
class EvaluationAdmin(DuoPartAdmin):
    list_display = ["duo", "moment", "party", "recorded_at"]


@admin.register(EndAnswer)
class EndAnswerAdmin(DuoPartAdmin):
    list_display = ["duo", "side", "answer", "for_end_date", "answered_at"]


@admin.register(Ending)
class EndingAdmin(DuoPartAdmin):
    list_display = ["duo", "ended_by", "planned", "reason", "outcome", "recorded_at"]
    list_filter = ["outcome", "reason"]


@admin.register(DuoSettings)
class DuoSettingsAdmin(ScopedAdmin):
    list_display = ["__str__", "weeks_without_log", "weeks_before_end", "low_answer_threshold"]
