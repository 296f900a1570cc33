"""Rate limits of the API (DRF throttles), counted in the shared cache (CACHES["default"]).

The rates are REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], read on each request (DRF's own
classes read them once, at import) so that a changed setting applies. A limited request is
answered 429 `throttled` in the API's error shape, with a Retry-After header.
"""

import hashlib

from rest_framework import throttling
from rest_framework.settings import api_settings


class _SettingsRate:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class AnonRateThrottle(_SettingsRate, throttling.AnonRateThrottle):
    """Requests without an account, per address."""


class UserRateThrottle(_SettingsRate, throttling.UserRateThrottle):
    """Requests of one account (a session or any of its tokens); per address without one."""


class LoginAddressThrottle(_SettingsRate, throttling.SimpleRateThrottle):
    """Tries for a token from one address, whichever the username."""

    scope = "login_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUsernameThrottle(_SettingsRate, throttling.SimpleRateThrottle):
    """Tries for a token for one username, from whichever address."""

    scope = "login_username"

    def get_cache_key(self, request, view):
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if not isinstance(username, str) or not username.strip():
            return None
        # A key of fixed length whatever was sent.
        ident = hashlib.sha256(username.strip().lower().encode("utf-8", "replace")).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}
