from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import two_factor
from .models import (
    AnonymisationRecord,
    APIToken,
    AuditAction,
    AuditEvent,
    Organisation,
    RetentionSettings,
    User,
)
from .permissions import is_admin_user, is_staff_user
from .services import api_token_revoke, audit_record, user_set_role


class ScopedAdmin(admin.ModelAdmin):
    """Admin for organisation data: staff see and write only their own organisation's rows.

    The rows are already filtered by the request's organisation scope (the scoped
    managers); this class adds the permissions by role and fills in the organisation.
    """

    organisation_field = "organisation"
    # Opening a row (change, history or delete page) is audited as a view of it, and every
    # addition, change and deletion made here as such: the admin shows the same records as
    # the staff pages. Off for the audit log itself.
    audited = True

    def _staff(self, request):
        return is_staff_user(request.user)

    def has_module_permission(self, request):
        return request.user.is_superuser or self._staff(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or self._staff(request)

    def has_add_permission(self, request):
        return request.user.is_superuser or self._staff(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or self._staff(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser or is_admin_user(request.user)

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and self._has_organisation_field():
            exclude.append(self.organisation_field)
        return exclude

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if not request.user.is_superuser and self.organisation_field in filters:
            filters.remove(self.organisation_field)
        return filters

    def _has_organisation_field(self):
        return any(f.name == self.organisation_field for f in self.model._meta.fields)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and self._has_organisation_field():
            setattr(obj, f"{self.organisation_field}_id", request.user.organisation_id)
        super().save_model(request, obj, form, change)

    # Audit -------------------------------------------------------------------------------

    def _audit(self, request, action, object_id):
        if self.audited:
            meta = self.model._meta
            audit_record(request_or_actor=request, action=action,
                         subject_ref=f"{meta.label_lower}:{object_id}",
                         label=f"{meta.model_name} #{object_id}")

    def _audit_view(self, request, object_id, response):
        # One INSERT, no query for the row: the id is the URL's, the page answered 200.
        if request.method == "GET" and object_id and response.status_code == 200:
            self._audit(request, AuditAction.VIEW, object_id)
        return response

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        return self._audit_view(request, object_id, response)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        return self._audit_view(request, object_id, response)

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        return self._audit_view(request, object_id, response)

    def log_addition(self, request, obj, message):
        self._audit(request, AuditAction.CREATE, obj.pk)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, AuditAction.CHANGE, obj.pk)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        # A queryset (the delete action) or a list of one (the delete page).
        for obj in queryset:
            self._audit(request, AuditAction.DELETE, obj.pk)
        return super().log_deletions(request, queryset)


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ["name", "slug", "contact_phone", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or is_admin_user(request.user)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Organisation admins manage their own organisation's accounts; coordinators may look."""

    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "language")}),
        (_("Organisation"), {"fields": ("organisation", "role", "is_active")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    superuser_fieldsets = fieldsets + (
        (_("Permissions"), {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "role", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    actions = ["unlock_logins", "reset_two_factor"]

    @admin.action(description=_("Unlock login (after too many failed attempts)"))
    def unlock_logins(self, request, queryset):
        for user in queryset:
            axes_reset(username=user.get_username())
            audit_record(request_or_actor=request, action=AuditAction.CHANGE, subject_ref=user,
                         label=gettext("login unlocked: %(username)s") % {
                             "username": user.get_username()})
        count = queryset.count()
        self.message_user(request, ngettext(
            "%(count)d account unlocked.", "%(count)d accounts unlocked.", count,
        ) % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Reset two-factor authentication (lost phone)"))
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            two_factor.two_factor_reset(user=user)
            audit_record(request_or_actor=request, action=AuditAction.CHANGE, subject_ref=user,
                         label=gettext("two-factor authentication reset: %(username)s") % {
                             "username": user.get_username()})
        count = queryset.count()
        self.message_user(request, ngettext(
            "Two-factor authentication reset for %(count)d account; they set it up again "
            "at their next login.",
            "Two-factor authentication reset for %(count)d accounts; they set it up again "
            "at their next login.", count,
        ) % {"count": count}, messages.SUCCESS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            actions.pop("unlock_logins", None)
            actions.pop("reset_two_factor", None)
        return actions

    def get_queryset(self, request):
        if request.user.is_superuser:
            return super().get_queryset(request)
        return User.scoped.all()

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        if request.user.is_superuser:
            return self.superuser_fieldsets
        return tuple(
            (name, {"fields": tuple(f for f in opts["fields"] if f != "organisation")})
            for name, opts in self.fieldsets
        )

    def get_list_filter(self, request):
        return self.list_filter

    def has_module_permission(self, request):
        return request.user.is_superuser or is_staff_user(request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or is_staff_user(request.user)

    def has_add_permission(self, request):
        return request.user.is_superuser or is_admin_user(request.user)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or is_admin_user(request.user)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser or is_admin_user(request.user)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.organisation_id = request.user.organisation_id
            obj.is_superuser = False
        super().save_model(request, obj, form, change)
        if not request.user.is_superuser:
            # The role decides access to the admin site: one rule, in the service.
            user_set_role(user=obj, role=obj.role)


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    """The audit log, read-only, for organisation admins (scoped) and superusers."""

    audited = False

    list_display = ["created_at", "actor_username", "action", "label", "subject_ref",
                    "ip_address"]
    list_filter = ["action", "created_at", "organisation"]
    search_fields = ["subject_ref", "actor_username", "label"]
    date_hierarchy = "created_at"
    list_select_related = False
    readonly_fields = ["created_at", "organisation", "actor", "actor_username", "action",
                       "subject_ref", "label", "ip_address", "user_agent"]
    exclude = []

    def get_exclude(self, request, obj=None):
        return []

    def has_module_permission(self, request):
        return is_admin_user(request.user)

    def has_view_permission(self, request, obj=None):
        return is_admin_user(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


@admin.register(APIToken)
class APITokenAdmin(ScopedAdmin):
    """The organisation's API tokens, for organisation admins: seen and revoked (deleted).
    Made only through the API (POST /api/tokens/), where the token is shown once; neither the
    token nor its hash is shown here."""

    # Revoking is audited by the service.
    audited = False
    list_display = ["name", "user", "created", "expiry", "last_used_at"]
    list_select_related = ["user"]
    fields = ["name", "user", "organisation", "created", "expiry", "last_used_at"]
    readonly_fields = fields
    exclude = []

    def get_queryset(self, request):
        if request.user.is_superuser:
            return APIToken.objects.select_related("user")
        return APIToken.scoped.select_related("user")

    def get_exclude(self, request, obj=None):
        return []

    def has_module_permission(self, request):
        return is_admin_user(request.user)

    def has_view_permission(self, request, obj=None):
        return is_admin_user(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        api_token_revoke(token=obj, request_or_actor=request)

    def delete_queryset(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token, request_or_actor=request)
