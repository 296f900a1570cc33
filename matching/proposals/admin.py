from django.contrib import admin

from organisations.admin import ScopedAdmin

from .models import (
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
