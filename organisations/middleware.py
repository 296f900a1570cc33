import functools
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed

from .authentication import APITokenAuthentication
from .permissions import is_staff_user
from .scoping import all_organisations, no_organisation, organisation_scope
from .signals import LAST_SEEN_SESSION_KEY
from .two_factor import has_confirmed_device


def _token_user(request):
    """API token requests authenticate inside DRF, after middleware; scope them here too."""
    try:
        result = APITokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return None  # DRF will answer 401 itself.
    return result[0] if result else None


@functools.cache
def _signed_link_prefix() -> str:
    # notifications' signed links (/s/<token>): "x" stands for any token.
    return reverse("link", kwargs={"token": "x"})[:-1]


def is_signed_link(request) -> bool:
    """A page behind a signed link: for people without an account, who carry no session.
    The link view opens the scope of the link itself; the middleware here has nothing to
    look up for them (no session, no user, no second factor)."""
    return request.path.startswith(_signed_link_prefix())


class OrganisationScopeMiddleware:
    """Runs each request inside the scope of the user's organisation.

    Anonymous requests get no scope at all: scoped queries then raise, so a page for
    people without an account (a signed link) has to open the scope of what it serves.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_signed_link(request):
            with no_organisation():
                return self.get_response(request)
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


class SessionIdleTimeoutMiddleware:
    """Logs out a session that has seen no request for SESSION_IDLE_TIMEOUT seconds.

    The time of the last request is kept in the session, written at most once a minute so
    that a page does not cost a session write each time.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.SESSION_IDLE_TIMEOUT
        if timeout and not is_signed_link(request) and LAST_SEEN_SESSION_KEY in request.session:
            now = int(time.time())
            last_seen = request.session[LAST_SEEN_SESSION_KEY]
            if now - last_seen > timeout:
                logout(request)
            elif now - last_seen > 60:
                request.session[LAST_SEEN_SESSION_KEY] = now
        return self.get_response(request)


class TwoFactorMiddleware:
    """With REQUIRE_TWO_FACTOR on, staff must pass a second factor before anything else.

    Coordinators, organisation admins and superusers who logged in with their password
    but have not entered a code in this session are sent to the code page (or to the
    set-up page when they have no confirmed authenticator yet); API calls made with that
    session get a 403 in the API's error shape. Volunteers are not asked. Requests with an
    API token are authenticated inside DRF, after this middleware, and are not asked: the
    code is asked once, when staff get the token (organisations.api.ObtainTokenView).
    """

    # Pages an unverified staff member can still open: the two-factor pages themselves,
    # logging out, the language switch, and what needs no account.
    OPEN_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/admin/logout/", "/i18n/",
                     "/health/", "/static/", "/favicon.ico")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.REQUIRE_TWO_FACTOR and self._must_verify(request):
            if request.path.startswith("/api/") and not request.path.startswith("/api/docs/"):
                return JsonResponse(
                    {"error": {"status": 403, "code": "two_factor_required",
                               "message": str(_("Enter your two-factor code first.")),
                               "fields": {}}},
                    status=403,
                )

            target = "two_factor_verify" if has_confirmed_device(request.user) else (
                "two_factor_setup"
            )
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def _must_verify(self, request) -> bool:
        if is_signed_link(request):
            return False
        user = request.user
        if not user.is_authenticated or not is_staff_user(user):
            return False
        if user.is_verified():
            return False
        return not request.path.startswith(self.OPEN_PREFIXES)
