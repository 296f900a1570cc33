"""Settings read from the environment, with defaults that work on a laptop.

Every variable is listed, with a comment, in `.env.example`. The defaults are the
embedded ones: a SQLite file and a Celery broker on the file system, so that
`make run` needs no server. Production uses `buddy.settings.production`.
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from buddy.errors import init_sentry, parse_admins

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env file is read when present; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
# An empty service address (`DATABASE_URL=` in a copied .env) means the embedded default.
for _name in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"):
    if not os.environ.get(_name, "x").strip():
        del os.environ[_name]

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str(
    "SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789abcdef"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The address people use to reach this site; links in SMS and e-mail are built on it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Security (issue 10): TOTP two-factor with backup codes, login lock-out, CSP, and
    # Swagger UI served from our own static files.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "drf_spectacular_sidecar",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "django_filters",
    "phonenumber_field",
    "django_celery_beat",
    "anymail",
    "organisations",
    "notifications",
    "matching",
    "duos",
    "coaching",
    "outcomes",
    # The roof: the coordinator's home, reports, digest, privacy across rooms.
    "desk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Signed-link pages seen before: sent as kept, after checking the link still works,
    # before the other middleware (notifications/link_cache.py); it keeps what they made.
    "notifications.link_cache.LinkPageCacheMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response.
    "csp.middleware.CSPMiddleware",
    "buddy.security.PermissionsPolicyMiddleware",
    "buddy.security.CleanRequestHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Ends sessions left idle (SESSION_IDLE_TIMEOUT), then tells which user passed 2FA.
    "organisations.middleware.SessionIdleTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication: every request runs inside its organisation's scope.
    "organisations.middleware.OrganisationScopeMiddleware",
    # Inside the scope: after an action whose messages wait, the page says until when.
    "notifications.middleware.HeldMessagesMiddleware",
    # Staff pages, the admin and the session API need a verified second factor when
    # REQUIRE_TWO_FACTOR is on: the one place that enforces it.
    "organisations.middleware.TwoFactorMiddleware",
    # Last, as django-axes asks: turns a lock-out into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "buddy.urls"
WSGI_APPLICATION = "buddy.wsgi.application"
ASGI_APPLICATION = "buddy.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organisations.context_processors.organisation",
                "notifications.context_processors.messaging",
            ],
        },
    },
]

# Database: DATABASE_URL, e.g. postgres://user:pass@host:5432/buddy. The default is a
# SQLite file in var/, in WAL mode so that web, worker and beat can share it.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'buddy.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisations.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lock-out first (django-axes, refuses a locked username + IP before any password check),
# then the ordinary accounts.
AUTHENTICATION_BACKENDS = [
    "organisations.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2 for new and changed passwords; older hashes still verify and are upgraded at login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Two-factor (TOTP) for coordinators, organisation admins and superusers on staff pages,
# the admin and the session-authenticated API. Off by default so the laptop demo works
# with a password only; on in the production profile.
REQUIRE_TWO_FACTOR = env.bool("REQUIRE_TWO_FACTOR", default=False)
OTP_TOTP_ISSUER = "Buddy"
# Nobody, superusers included, reads another person's TOTP secret or QR code in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Lock-out: 5 failed logins for one username from one address lock it for 30 minutes
# (the login page, the admin login and POST /api/auth/token/). Admins can unlock earlier.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Tries during the lock-out do not prolong it: the message's "30 minutes" holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "organisations.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "organisations.lockout.lockout_username"
AXES_VERBOSE = False
# Successful logins are in our own audit log; django-axes keeps only the failures.
AXES_DISABLE_ACCESS_LOG = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Staff sessions expire: two weeks at most, and when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# ... and after this many seconds without a request (0 turns the idle timeout off).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=60 * 60 * 2)

# Language and time: Dutch first, French and English shipped; Brussels time.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# E-mail: EMAIL_URL (smtp://user:pass@host:587) or EMAIL_BACKEND, e.g. an anymail backend
# such as anymail.backends.brevo.EmailBackend with ANYMAIL_* settings.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
    )
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="buddy@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL = {
    "BREVO_API_KEY": env.str("ANYMAIL_BREVO_API_KEY", default=""),
    "MAILGUN_API_KEY": env.str("ANYMAIL_MAILGUN_API_KEY", default=""),
    "MAILGUN_SENDER_DOMAIN": env.str("ANYMAIL_MAILGUN_SENDER_DOMAIN", default=""),
}

# SMS: a dotted path to a backend class, like EMAIL_BACKEND.
SMS_BACKEND = env.str("SMS_BACKEND", default="notifications.sms.backends.console.SmsBackend")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
# WhatsApp through Twilio: the WhatsApp sender number, and the ContentSid of each approved
# template, as JSON {"<template name>:<language>": "HX..."} (notifications/whatsapp.py).
TWILIO_WHATSAPP_FROM = env.str("TWILIO_WHATSAPP_FROM", default="")
TWILIO_WHATSAPP_TEMPLATES = env.json("TWILIO_WHATSAPP_TEMPLATES", default={})
MESSAGEBIRD_ACCESS_KEY = env.str("MESSAGEBIRD_ACCESS_KEY", default="")
MESSAGEBIRD_SIGNING_KEY = env.str("MESSAGEBIRD_SIGNING_KEY", default="")
MESSAGEBIRD_ORIGINATOR = env.str("MESSAGEBIRD_ORIGINATOR", default="")
# Bird's current API (v1): a Bearer API key, the regional API host, the sender (number,
# alpha tag or pool) and the webhook endpoint's signing secret (whsec_...).
BIRD_API_KEY = env.str("BIRD_API_KEY", default="")
BIRD_API_URL = env.str("BIRD_API_URL", default="https://eu1.platform.bird.com")
BIRD_SENDER = env.str("BIRD_SENDER", default="")
BIRD_SIGNING_KEY = env.str("BIRD_SIGNING_KEY", default="")
# The phone simulator (/messages/simulator/): every SMS sent by the console backend, per
# number, with a reply box through the real inbound path. For `make run` and demos only: on
# when DEBUG or the console backend is on; never in production (buddy/settings/production).
SMS_SIMULATOR = env.bool("SMS_SIMULATOR", default=DEBUG or SMS_BACKEND.endswith(
    ".console.SmsBackend"))

# Estimated price of one SMS segment in euro, for the message log and the monthly report.
SMS_COST_PER_SEGMENT = Decimal(env.str("SMS_COST_PER_SEGMENT", default="0.08"))
# A failing provider is tried again after 30 s, 60 s, 120 s... up to this many tries.
SMS_MAX_ATTEMPTS = 6
SMS_RETRY_BACKOFF = 30
# Signed links: unknown tokens allowed from one address, per token prefix (organisation and
# language), per window (seconds) before it must wait; links that exist are never refused.
LINK_BAD_ATTEMPTS_LIMIT = 20
LINK_BAD_ATTEMPTS_WINDOW = 15 * 60
# Password reset: its e-mail link works for an hour, like the SMS link; per hour, one
# account gets at most PASSWORD_RESET_LIMIT links and one address may ask
# PASSWORD_RESET_ADDRESS_LIMIT times (counted in the shared cache).
PASSWORD_RESET_TIMEOUT = 60 * 60
PASSWORD_RESET_LIMIT = 5
PASSWORD_RESET_ADDRESS_LIMIT = 20
PASSWORD_RESET_WINDOW = 60 * 60
# The public application pages (/apply/<slug>/, /ask/<slug>/): per window (seconds), one
# address may send APPLICATION_ADDRESS_LIMIT applications and one organisation receive
# APPLICATION_ORGANISATION_LIMIT (a flood stops there, whoever sends it).
APPLICATION_ADDRESS_LIMIT = 5
APPLICATION_ORGANISATION_LIMIT = 60
APPLICATION_WINDOW = 60 * 60
# How many proxies in front of the site add to X-Forwarded-For (1 behind one TLS proxy):
# the rate limit of signed links counts per visitor, not per proxy.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

PHONENUMBER_DEFAULT_REGION = "BE"
PHONENUMBER_DB_FORMAT = "E164"

# Celery: CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0. The default is a broker on
# the file system (kombu's filesystem transport) that needs no server.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery-queue"
    (_queue_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
    # The file system transport has no broadcast; remote control needs it.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Every periodic job is declared here, in one place; django-celery-beat stores it in the
# database where an admin can see and tune it. Each is a thin task asking what is due.
CELERY_BEAT_SCHEDULE = {
    "notifications-dispatch-due": {
        "task": "notifications.tasks.dispatch_due_messages",
        "schedule": 60.0,
    },
}

# Cache: CACHE_URL, e.g. redis://127.0.0.1:6379/2, shared by every web process and worker
# (the rate limit of signed links and the versions of matching's kept blocks live there).
# The default is a folder under var/, which the processes of `make run` share.
CACHES = {"default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}
# Matching's kept blocks (each organisation's ready volunteers and waiting participants as
# arrays, matching/proposals/blocks.py): at most this many MB per process; the least
# recently used organisation's block goes first.
MATCHING_BLOCKS_MAX_MB = env.int("MATCHING_BLOCKS_MAX_MB", default=256)
# privacy (desk.tasks.anonymise_due): anonymise people whose retention period is
# over, daily (the period is per organisation; people already anonymised are skipped).
CELERY_BEAT_SCHEDULE["privacy-anonymise-due"] = {
    "task": "privacy.anonymise_due",
    "schedule": 24 * 60 * 60,
}

REST_FRAMEWORK = {
    # The token first: a refused or missing token is then answered 401 (with WWW-Authenticate),
    # not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "organisations.authentication.APITokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Per account on the whole API, per address without one; the token endpoint has its own,
    # stricter limits per address and per username (organisations/throttles.py). Counted in
    # the shared cache (CACHES["default"]), so every web process counts together.
    "DEFAULT_THROTTLE_CLASSES": [
        "organisations.throttles.AnonRateThrottle",
        "organisations.throttles.UserRateThrottle",
    ],
    # The address a rate counts is the client's as the trusted proxies pass it on; without
    # this DRF would believe any X-Forwarded-For a client sends.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_RATE_USER", default="600/minute"),
        "anon": env.str("API_RATE_ANON", default="60/minute"),
        "login_address": env.str("API_RATE_LOGIN", default="10/minute"),
        "login_username": env.str("API_RATE_LOGIN", default="10/minute"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["organisations.permissions.IsOrganisationStaff"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # JSON, forms and uploads; the JSON parser answers 400 to deeply nested input too.
    "DEFAULT_PARSER_CLASSES": [
        "buddy.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "buddy.api.ScopedAutoSchema",
    "EXCEPTION_HANDLER": "buddy.api.exception_handler",
}
# API tokens (django-rest-knox): stored hashed (SHA-512), one per integration, named by an
# organisation admin, expiring after API_TOKEN_DAYS days; revoking deletes the row.
KNOX_TOKEN_MODEL = "organisations.APIToken"
# knox's own token model is swapped out for ours, but its migrations would still create its
# table (with a key to the users, which then blocks every flush of the users' table).
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_DAYS", default=90)),
    "AUTO_REFRESH": False,
    # Recognisable in a leaked file or a secret scanner.
    "TOKEN_PREFIX": "buddy_",
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Buddy API",
    "DESCRIPTION": (
        "Buddy matching and duo coaching. Every error has the shape "
        '{"error": {"status": int, "code": str, "message": str, "fields": {name: [str]}}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"LanguageEnum": "organisations.models.LANGUAGE_CHOICES"},
    # Swagger UI from our own static files (drf-spectacular-sidecar): nothing loads from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Content security policy (django-csp): only our own files, no inline scripts or styles,
# never framed. The API docs page widens it a little for Swagger UI (buddy/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Browser features no page of this site uses (buddy.security.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Errors reach someone, without personal data (buddy/errors.py). With SENTRY_DSN every error
# of the web and the worker goes to Sentry, scrubbed of names, phone numbers and e-mail
# addresses; without it, a mail to ADMINS ("Els Peeters <els@example.org>, ops@example.org").
ADMINS = parse_admins(env.str("ADMINS", default=""))
# The admins' mail and error pages show no POST field, GET value, local variable or user.
DEFAULT_EXCEPTION_REPORTER = "buddy.errors.ExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "buddy.errors.ExceptionReporterFilter"
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    init_sentry(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default=""),
        release=env.str("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
# Console logs: "plain" lines on a laptop, one JSON object per line in production
# (LOG_FORMAT=json, the production profile's default), for a log collector.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")


def logging_config(log_format: str, log_level: str, mail_admins: bool) -> dict:
    """LOGGING for the console's format, and whether errors are mailed to ADMINS."""
    error_handlers = ["mail_admins"] if mail_admins else []
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler",
                        "formatter": "json" if log_format == "json" else "plain"},
            "mail_admins": {
                "level": "ERROR",
                "class": "django.utils.log.AdminEmailHandler",
                "filters": ["require_debug_false"],
                "include_html": False,
            },
        },
        "root": {"handlers": ["console"], "level": log_level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # Django's own "django" handlers are replaced: its messages reach the console
            # through the root, and only the two loggers below mail the admins (once).
            "django": {"handlers": [], "level": "INFO"},
            "django.request": {"handlers": error_handlers},
            "django.security": {"handlers": error_handlers},
            # A task that fails (celery.app.trace logs it at ERROR).
            "celery": {"handlers": error_handlers},
        },
    }


LOGGING = logging_config(LOG_FORMAT, env.str("LOG_LEVEL", default="INFO"),
                         mail_admins=not SENTRY_DSN)

# Intake and the waiting list (matching): one OpenAPI name per shared choice set.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "StrengthEnum": "matching.intake.models.Strength",
    "GenderWishEnum": "matching.intake.models.GenderWish",
    "ParticipantStatusEnum": "matching.intake.models.ParticipantStatus",
    "VolunteerStatusEnum": "matching.intake.models.VolunteerStatus",
})
# duos: expense receipts are private files (no public URL); they are served only by the
# permission-checked receipt page. Without this storage (tests) the default one is used.
STORAGES["receipts"] = {
    # Outside MEDIA_ROOT and without URLs: served only by the permission-checked view.
    "BACKEND": "buddy.storage.PrivateFileSystemStorage",
    "OPTIONS": {"location": str(env.path("PRIVATE_ROOT", default=str(VAR_DIR / "private")))},
}
# Copies of certificates of good conduct (screening), when an organisation keeps them: the
# same private place, deleted once the certificate is marked seen or after some days.
STORAGES["certificates"] = STORAGES["receipts"]
CELERY_BEAT_SCHEDULE["screening-delete-certificate-copies"] = {
    "task": "screening.delete_certificate_copies",
    "schedule": 60 * 60,
}
# duos: the alerts for inactivity and missed check-ins; proposals: free the volunteers of
# participants who left. Each asks the database what is due and is safe to run twice (the
# duos' messages are reminder kinds, below).
CELERY_BEAT_SCHEDULE.update({
    "duos-alerts-scan": {"task": "duos.tasks.alerts_scan", "schedule": 60 * 60 * 6},
    "matching-withdraw-proposals-of-leavers": {
        "task": "matching.tasks.withdraw_proposals_of_leavers", "schedule": 60 * 60 * 6},
})
# reminders: every scheduled reminder of every room (unanswered proposals, meeting logs, end
# questions, "how is it going", intervision sessions...) is a kind declared in its room
# (matching/intake/, matching/proposals/, duos/, coaching/reminders.py; the coordinators'
# digest in desk/reminders.py); one dispatcher, notifications.tasks.reminders_dispatch_due
# (registered as "reminders.dispatch_due", the name stored in beat's rows), asks the database
# what is due and sends each once (notifications/reminders.py).
CELERY_BEAT_SCHEDULE["reminders-dispatch-due"] = {
    "task": "reminders.dispatch_due",
    "schedule": 60.0,
}
# duos: names of the duos' choice sets in the OpenAPI schema (several share a field name).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "DuoStatusEnum": "duos.models.DuoStatus",
    "ExpenseStatusEnum": "duos.models.ExpenseStatus",
    "ExpenseKindEnum": "duos.models.ExpenseKind",
    "AlertKindEnum": "duos.models.AlertKind",
    "ConfirmationChannelEnum": "duos.models.ConfirmationChannel",
})
# coaching: the session status shares the field name "status" with other rooms' choices.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["SessionStatusEnum"] = "coaching.models.SessionStatus"
