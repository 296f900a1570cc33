from django.contrib import admin

from organisations.admin import ScopedAdmin

from . import versions
from .models import (
    ConsentRecord,
    ImportColumnMemory,
    ImportJob,
    ImportSynonym,
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

    changed = staticmethod(versions.volunteers_changed)

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
    changed = staticmethod(versions.participants_changed)
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


@admin.register(ImportSynonym)
class ImportSynonymAdmin(ScopedAdmin):
    """What values in the organisation's spreadsheets mean; change or delete a wrong one."""

    list_display = ["kind", "value", "target", "created_at"]
    list_filter = ["kind"]
    search_fields = ["value", "target"]


@admin.register(ImportColumnMemory)
class ImportColumnMemoryAdmin(ScopedAdmin):
    list_display = ["kind", "updated_at"]
