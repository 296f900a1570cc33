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
