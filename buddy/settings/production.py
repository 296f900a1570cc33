"""Production profile: `DJANGO_SETTINGS_MODULE=buddy.settings.production`.

Passes `manage.py check --deploy` with no warnings. SECRET_KEY, ALLOWED_HOSTS and
DATABASE_URL must come from the environment.
"""

from .base import *  # noqa: F403
from .base import SENTRY_DSN, env, logging_config

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Coordinators and organisation admins log in with a password and a time-based code.
REQUIRE_TWO_FACTOR = env.bool("REQUIRE_TWO_FACTOR", default=True)
# The phone simulator keeps whole SMS, links included: never in production.
SMS_SIMULATOR = False
# One JSON object per log line, for the log collector (LOG_FORMAT=plain for lines).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = logging_config(LOG_FORMAT, env.str("LOG_LEVEL", default="INFO"),
                         mail_admins=not SENTRY_DSN)
