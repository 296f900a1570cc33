"""What a locked-out login sees (django-axes calls `lockout_response`)."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from buddy.security import printable


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed login attempts. This account is locked for %(minutes)d minutes "
        "on this device. Try again later, or ask your organisation admin to unlock it."
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    status = 429
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"status": status, "code": "locked_out", "message": lockout_message(),
                       "fields": {}}},
            status=status,
        )
    return render(
        request, "registration/locked_out.html", {"message": lockout_message()}, status=status
    )


def lockout_username(request, credentials=None) -> str | None:
    """The username django-axes counts and stores: as typed, without control characters,
    cut to the longest username there can be (a 20,000-character one is no account)."""
    username = (credentials or {}).get("username")
    if username is None:
        username = request.POST.get("username")
    if not isinstance(username, str):
        return None
    return printable(username, 150)
