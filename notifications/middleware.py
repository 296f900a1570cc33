"""Delays said where they happen: after a staff member's action whose messages wait (the
quiet hours, the daily SMS limit), the next page says when they go out."""

from django.contrib import messages
from django.utils import timezone

from organisations.middleware import is_signed_link

from . import selectors


class HeldMessagesMiddleware:
    """After a staff POST that wrote messages which wait, adds "they go out at …" to the
    page that follows. One query, only for POST requests of organisation staff; runs inside
    the organisation scope (after OrganisationScopeMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A signed-link page runs in its link's scope, not the staff member's, even when a
        # coordinator who is logged in opens it in the same browser: not a staff action.
        if (request.method != "POST" or request.path.startswith("/api/")
                or is_signed_link(request)):
            return self.get_response(request)
        user = getattr(request, "user", None)
        # Staff when the request came in (a login POST is not a staff action yet): the
        # organisation scope of the request is theirs.
        staff = bool(user is not None and user.is_authenticated
                     and getattr(user, "is_organisation_staff", False))
        started = timezone.now()
        response = self.get_response(request)
        if staff and response.status_code < 400 and hasattr(request, "_messages"):
            notice = selectors.held_notice(started)
            if notice:
                messages.info(request, notice)
        return response
