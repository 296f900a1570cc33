"""A real Celery worker process for integration tests.

It runs against the broker of the environment (Redis in CI, the file-system broker on a
laptop) and the test database, which the test must commit to (`transactional_db`).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from kombu import Queue

from buddy.celery import app as celery_app

from . import clock

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class WorkerProcess:
    def __init__(self, concurrency: int = 1, queues: str = "celery"):
        self.concurrency = concurrency
        self.queues = queues
        self.process: subprocess.Popen | None = None

    def start(self):
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="buddy.settings.test",
            DATABASE_URL=_database_url(),
            CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
            CELERY_TASK_ALWAYS_EAGER="false",
            BUDDY_WORKER_PROCESS="1",
        )
        # The worker reads the test's clock, not the machine's (tests/clock.py).
        env[clock.OFFSET_ENV] = str(clock.offset_seconds())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "buddy", "worker", "--loglevel", "WARNING",
             "--concurrency", str(self.concurrency), "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-Q", self.queues],
            cwd=ROOT, env=env, start_new_session=True,
        )
        return self

    def kill(self):
        """SIGKILL the whole worker (main process and pool), as a crash would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until(predicate, timeout: float = 60.0, interval: float = 0.2):
    """Poll the database (not sleep a fixed time) until the worker's effect is visible."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@pytest.fixture
def celery_worker_process(transactional_db):
    """Sends tasks to the real broker and starts a worker; yields a factory of workers."""
    workers: list[WorkerProcess] = []
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as conn:
        # Leftovers of an earlier run would be consumed by this test's worker.
        queue = Queue("celery").bind(conn.default_channel)
        queue.declare()
        queue.purge()

    def start(concurrency: int = 1) -> WorkerProcess:
        worker = WorkerProcess(concurrency=concurrency).start()
        workers.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in workers:
            worker.stop()
        celery_app.conf.task_always_eager = previous
