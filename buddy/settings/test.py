"""Test profile: the base settings, with an in-memory SMS outbox and fast hashing.

DATABASE_URL and CELERY_BROKER_URL still come from the environment, so CI runs the
suite on PostgreSQL and Redis and a laptop on SQLite and the file-system broker.
"""

import os
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests that move the clock by hours must not be logged out; the idle timeout's own tests
# turn it on with override_settings, as do the two-factor tests.
SESSION_IDLE_TIMEOUT = 0
REQUIRE_TWO_FACTOR = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A worker process started by a test is told its backend through the environment (one that
# writes to a file the test can read); the suite itself uses the in-memory outbox.
SMS_BACKEND = os.environ.get("BUDDY_TEST_SMS_BACKEND",
                             "notifications.sms.backends.locmem.SmsBackend")
SMS_RETRY_BACKOFF = 1
# The phone simulator is off, as in production; its own tests turn it on.
SMS_SIMULATOR = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run in the calling process unless a test starts a real worker.
# A real worker started by a test (tests/celery_worker.py) must not run the tasks it sends
# itself (a retry with a countdown) in place: it queues them like production.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("BUDDY_WORKER_PROCESS") != "1"
CELERY_TASK_EAGER_PROPAGATES = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a real worker process started by a test sees the data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-buddy.sqlite3")}
LANGUAGE_CODE = "en"
# The walks and the fuzz call the API thousands of times a minute as one user; the throttle
# tests set the per-user and anonymous rates they test (the token endpoint's stay).
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {  # noqa: F405
    **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],  # noqa: F405
    "user": "100000/minute", "anon": "100000/minute"}}

# pytest-xdist runs the suite in several processes (`make test`: -n auto): pytest-django gives
# each its own test database; each also gets its own broker (a Redis database, or a folder of
# the file-system broker), so that a real worker one of them starts never takes another's
# tasks. A worker process a test started inherits the broker it was given.
_XDIST = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST.startswith("gw"):
    if CELERY_BROKER_URL.startswith("filesystem://"):  # noqa: F405
        _queue_dir = VAR_DIR / f"celery-queue-{_XDIST}"
        (_queue_dir / "processed").mkdir(parents=True, exist_ok=True)
        CELERY_BROKER_TRANSPORT_OPTIONS = {
            **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
            "data_folder_in": str(_queue_dir), "data_folder_out": str(_queue_dir),
            "processed_folder": str(_queue_dir / "processed"),
            "control_folder": str(_queue_dir / "control"),
        }
    elif os.environ.get("BUDDY_WORKER_PROCESS") != "1" and CELERY_BROKER_URL.startswith(  # noqa: F405
            "redis://"):
        _url = urlsplit(CELERY_BROKER_URL)  # noqa: F405
        _index = int(_url.path.strip("/") or 0) + 1 + int(_XDIST[2:])
        CELERY_BROKER_URL = urlunsplit(_url._replace(path=f"/{_index}"))
        # Celery reads CELERY_BROKER_URL from the environment before its settings.
        os.environ["CELERY_BROKER_URL"] = CELERY_BROKER_URL

if os.environ.get("BUDDY_WORKER_PROCESS") == "1":
    # A worker a test started runs on the test's pinned clock (tests/clock.py).
    from tests.clock import travel_from_environment

    travel_from_environment()
