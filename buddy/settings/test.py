"""Test profile: the base settings, with an in-memory SMS outbox and fast hashing.

DATABASE_URL and CELERY_BROKER_URL still come from the environment, so CI runs the
suite on PostgreSQL and Redis and a laptop on SQLite and the file-system broker.
"""

import os

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

if os.environ.get("BUDDY_WORKER_PROCESS") == "1":
    # A worker a test started runs on the test's pinned clock (tests/clock.py).
    from tests.clock import travel_from_environment

    travel_from_environment()
