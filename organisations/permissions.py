from django.contrib.auth.mixins import AccessMixin
from rest_framework.permissions import BasePermission


def is_staff_user(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.is_organisation_staff)


def is_admin_user(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.is_organisation_admin)


class IsOrganisationStaff(BasePermission):
    """Coordinators and organisation admins (and superusers). The API default."""

    def has_permission(self, request, view):
        return is_staff_user(request.user)


class IsOrganisationAdmin(BasePermission):
    def has_permission(self, request, view):
        return is_admin_user(request.user)


class StaffRequiredMixin(AccessMixin):
    """Pages for coordinators and organisation admins: others get the login page or 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_staff_user(request.user):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class AdminRequiredMixin(StaffRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_admin_user(request.user):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)
