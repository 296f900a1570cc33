from django.contrib import admin

from organisations.admin import ScopedAdmin

from . import blocks
from .models import (
    ConsentRecord,
    ImportJob,
    Interest,
    InterestCategory,
    Participant,
    Postcode,
    Volunteer,
)


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin):
    """Reference data for everyone to look up; changed only by loading the data file."""

    list_display = ["code", "municipality", "municipality_fr", "locality"]
    search_fields = ["code", "municipality", "municipality_fr", "locality"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and (request.user.is_superuser
                                           or request.user.is_organisation_staff)

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(InterestCategory)
class InterestCategoryAdmin(ScopedAdmin):
    list_display = ["label_nl", "label_fr", "label_en", "position"]


@admin.register(Interest)
class InterestAdmin(ScopedAdmin):
    list_display = ["label_nl", "label_fr", "label_en", "category", "is_active"]
    list_filter = ["is_active"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = InterestCategory.objects.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    fields = ["purpose", "given", "recorded_at", "recorded_by", "note"]
    readonly_fields = ["recorded_by"]


class ShortlistDataAdmin(ScopedAdmin):
    """An edit in the admin (the profile and then its interests) changes short lists."""

    changed = staticmethod(blocks.volunteers_changed)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.changed(form.instance.organisation_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.changed(obj.organisation_id)

    def delete_queryset(self, request, queryset):
        organisations = set(queryset.values_list("organisation_id", flat=True))
        super().delete_queryset(request, queryset)
        for organisation_id in organisations:
            self.changed(organisation_id)


@admin.register(Participant)
class ParticipantAdmin(ShortlistDataAdmin):
    changed = staticmethod(blocks.participants_changed)
    list_display = ["first_name", "last_name", "status", "waiting_since", "postcode"]
    list_filter = ["status"]
    search_fields = ["first_name", "last_name", "preferred_name"]
    raw_id_fields = ["postcode"]
    filter_horizontal = ["interests"]
    inlines = [ConsentInline]


@admin.register(Volunteer)
class VolunteerAdmin(ShortlistDataAdmin):
    list_display = ["first_name", "last_name", "status", "capacity", "training_done_on"]
    list_filter = ["status"]
    search_fields = ["first_name", "last_name"]
    raw_id_fields = ["postcode", "user"]
    filter_horizontal = ["interests"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ScopedAdmin):
    list_display = ["participant", "purpose", "given", "recorded_at", "recorded_by"]
    raw_id_fields = ["participant", "recorded_by"]


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdmin):
    list_display = ["filename", "kind", "status", "processed_rows", "total_rows", "created_at"]
    exclude = ["content"]
    readonly_fields = ["headers", "report", "processed_rows", "total_rows", "created_count"]


# Proposals (matching/proposal_models.py) ---------------------------------------------------
from .proposal_models import (  # noqa: E402
    IntroductionMeeting,
    Match,
    MatchingSettings,
    Proposal,
    ProposalCallTask,
    ProposalCandidate,
    ProposalRound,
    VolunteerOffer,
)


@admin.register(MatchingSettings)
class MatchingSettingsAdmin(ScopedAdmin):
    list_display = ["organisation", "shortlist_size", "max_distance_km", "reminder_after_days",
                    "call_task_after_days", "second_meeting_required"]


@admin.register(ProposalRound)
class ProposalRoundAdmin(ScopedAdmin):
    list_display = ["id", "status", "created_at", "sent_at", "waiting_count", "volunteer_count"]
    list_filter = ["status"]
    readonly_fields = ["created_at", "sent_at"]


class CandidateInline(admin.TabularInline):
    model = ProposalCandidate
    extra = 0
    fields = ["position", "volunteer", "score", "status", "is_open"]
    readonly_fields = fields
    can_delete = False


@admin.register(Proposal)
class ProposalAdmin(ScopedAdmin):
    list_display = ["id", "participant", "status", "sent_at", "answered_at", "channel"]
    list_filter = ["status", "channel"]
    readonly_fields = ["round", "participant", "sent_at", "reminded_at", "answered_at",
                       "expires_at", "recorded_by", "created_by"]
    inlines = [CandidateInline]


@admin.register(ProposalCandidate)
class ProposalCandidateAdmin(ScopedAdmin):
    organisation_field = "proposal__organisation"
    list_display = ["proposal", "position", "volunteer", "score", "status", "is_open"]
    list_filter = ["status"]
    readonly_fields = ["proposal", "volunteer"]


@admin.register(VolunteerOffer)
class VolunteerOfferAdmin(ScopedAdmin):
    list_display = ["id", "volunteer", "proposal", "status", "asked_at", "answered_at"]
    list_filter = ["status"]
    readonly_fields = ["candidate", "proposal", "volunteer", "asked_at", "answered_at",
                       "expires_at", "recorded_by"]


@admin.register(IntroductionMeeting)
class IntroductionMeetingAdmin(ScopedAdmin):
    list_display = ["id", "participant", "volunteer", "planned_at", "place", "status"]
    list_filter = ["status"]
    readonly_fields = ["offer", "participant", "volunteer"]


@admin.register(Match)
class MatchAdmin(ScopedAdmin):
    list_display = ["participant", "volunteer", "status", "confirmed_at", "duo_id"]
    list_filter = ["status"]
    readonly_fields = ["participant", "volunteer", "proposal", "confirmed_at", "confirmed_by",
                       "handed_over_at", "duo_id"]


@admin.register(ProposalCallTask)
class ProposalCallTaskAdmin(ScopedAdmin):
    list_display = ["proposal", "reason", "status", "created_at", "done_at"]
    list_filter = ["status", "reason"]
    readonly_fields = ["proposal", "created_at", "done_at", "done_by"]
