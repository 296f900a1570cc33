from django.utils import translation
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .scoping import all_organisations, no_organisation, organisation_scope


def _token_user(request):
    """API token requests authenticate inside DRF, after middleware; scope them here too."""
    try:
        result = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return None  # DRF will answer 401 itself.
    return result[0] if result else None


class OrganisationScopeMiddleware:
    """Runs each request inside the scope of the user's organisation.

    Anonymous requests get no scope at all: scoped queries then raise, so a page for
    people without an account (a signed link) has to open the scope of what it serves.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated and request.headers.get("Authorization", "").startswith(
            "Token "
        ):
            user = _token_user(request) or user
        if user.is_authenticated and user.is_superuser:
            context = all_organisations()
        elif user.is_authenticated:
            context = organisation_scope(user.organisation_id)
            if user.language and not request.COOKIES.get("django_language"):
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        else:
            context = no_organisation()
        with context:
            return self.get_response(request)
