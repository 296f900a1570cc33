"""What a locked-out login sees (django-axes calls `lockout_response`)."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


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
