"""Security headers that Django does not set itself.

Django's SecurityMiddleware sets Referrer-Policy, X-Content-Type-Options,
Cross-Origin-Opener-Policy (and HSTS in production); XFrameOptionsMiddleware sets
X-Frame-Options; django-csp sets Content-Security-Policy. Permissions-Policy is one fixed
header, so a package for it would be more code than this.
"""

from django.conf import settings


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def printable(text: str, limit: int) -> str:
    """Text without NUL or other control characters, at most `limit` characters."""
    return "".join(ch for ch in text if ch.isprintable())[:limit]


class CleanRequestHeadersMiddleware:
    """Headers that get stored (the browser in the audit log and django-axes' records)
    lose control characters and excess length before anything reads them: PostgreSQL
    refuses NUL in text, and a 5,000-character User-Agent is no one's browser."""

    STORED_HEADERS = {"HTTP_USER_AGENT": 255, "HTTP_ACCEPT": 1024}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, limit in self.STORED_HEADERS.items():
            if key in request.META:
                request.META[key] = printable(request.META[key], limit)
        return self.get_response(request)
