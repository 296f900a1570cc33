"""100,000 due reminders handled by two Celery worker processes on Redis and PostgreSQL
(target: within 120 s), each worker's memory sampled over the run; then the same with one
worker killed (SIGKILL) part-way and restarted: none lost, none doubled.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/buddy_bench_reminders \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/9 python -m benchmarks --only reminders

The kind is the waiting list's keep-in-touch SMS (claim + message row in one transaction
each). The batches go to a queue of their own that only the two benchmark workers read;
the SMS deliveries they queue (notifications' own job, measured by its tests) are purged.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNT = int(os.environ.get("BENCH_REMINDERS", "100000"))
KIND = "reminders.keep_in_touch"
QUEUE = "bench-reminders"
TARGET_SECONDS = 120


def _ensure_database():
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (buddy_bench_reminders).")
    import psycopg

    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                         user=db["USER"], password=db["PASSWORD"] or None, dbname="postgres",
                         autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            [db["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _fresh_data():
    """COUNT waiting participants whose keep-in-touch SMS is due, nothing sent yet."""
    from django.db import connection

    from matching.models import Participant, Postcode
    from organisations.models import Organisation
    from organisations.scoping import all_organisations

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE reminders_sentreminder, notifications_message, "
                       "notifications_question, notifications_signedlink CASCADE")
    with all_organisations():
        organisation, _ = Organisation.objects.get_or_create(
            slug="bench-reminders", defaults={"name": "Bench", "contact_phone": "+3292101010"})
        have = Participant.objects.filter(organisation=organisation).count()
        postcode = Postcode.objects.first()
        long_ago = datetime.date.today() - datetime.timedelta(days=400)
        Participant.objects.bulk_create(
            [Participant(organisation=organisation, first_name=f"P{n}", waiting_since=long_ago,
                         phone=f"+3247{n:07d}", postcode=postcode, languages=["nl"])
             for n in range(have, COUNT)], batch_size=5000)
        Participant.objects.filter(organisation=organisation).update(
            status="waiting", last_contact_on=None, waiting_since=long_ago)
    return organisation


def _purge(queue):
    from kombu import Queue

    from buddy.celery import app

    with app.connection_for_write() as conn:
        bound = Queue(queue).bind(conn.default_channel)
        bound.declare()
        return bound.purge()


def _rss_mib(pid) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


class Worker:
    def __init__(self, name):
        self.name = name
        self.samples: list[tuple[float, float]] = []
        env = dict(os.environ, CELERY_TASK_ALWAYS_EAGER="false", DEBUG="false",
                   SMS_BACKEND="notifications.sms.backends.locmem.SmsBackend")
        # One process per worker (solo pool): two workers, two cores, two PIDs to sample.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "buddy", "worker", "--pool", "solo",
             "--loglevel", "WARNING", "-Q", QUEUE, "-n", f"{name}@bench", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "--prefetch-multiplier", "1"],
            cwd=ROOT, env=env, start_new_session=True)

    def sample(self, elapsed):
        rss = _rss_mib(self.process.pid)
        if rss is not None:
            self.samples.append((round(elapsed, 1), rss))

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def memory(self):
        values = [rss for _, rss in self.samples]
        if not values:
            return {}
        tenth = max(1, len(values) // 10)
        return {"samples": len(values), "first_mib": values[0], "max_mib": max(values),
                "median_first_tenth_mib": sorted(values[:tenth])[tenth // 2],
                "median_last_tenth_mib": sorted(values[-tenth:])[tenth // 2]}


def _claimed():
    from organisations.scoping import all_organisations
    from reminders.models import SentReminder

    with all_organisations():
        return SentReminder.objects.filter(kind=KIND).count()


def _check():
    from django.db.models import Count

    from notifications.models import Message
    from organisations.scoping import all_organisations

    with all_organisations():
        per_person = Message.objects.filter(template=KIND).values("recipient_key").annotate(
            n=Count("id"))
        counts = [row["n"] for row in per_person]
    return {"claims": _claimed(), "people_with_a_message": len(counts),
            "people_with_two_or_more": sum(1 for n in counts if n > 1)}


def _one_run(kill_at=None):
    from reminders.tasks import dispatch

    _fresh_data()
    _purge(QUEUE)
    _purge("celery")
    start = time.monotonic()
    queued = dispatch(only={KIND}, queue=QUEUE)
    dispatched = time.monotonic() - start
    workers = [Worker("w1"), Worker("w2")]
    stop = threading.Event()

    def sampler():
        while not stop.is_set():
            for worker in workers:
                worker.sample(time.monotonic() - start)
            stop.wait(1.0)

    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    killed = None
    redispatched = 0
    progress, progress_at = 0, time.monotonic()
    try:
        while True:
            done = _claimed()
            now = time.monotonic()
            if done != progress:
                progress, progress_at = done, now
            if kill_at and killed is None and done >= kill_at:
                workers[0].kill()
                killed = {"after_claims": done, "at_seconds": round(now - start, 1)}
                workers[0] = Worker("w1b")
            if done >= COUNT or now - start > 1800:
                break
            if now - progress_at > 5:
                # The queue ran dry with reminders unsent (the batch the killed worker held):
                # the next beat asks the database again and queues only what is unclaimed.
                redispatched += dispatch(only={KIND}, queue=QUEUE)
                progress_at = now
            time.sleep(0.5)
        elapsed = time.monotonic() - start
        again = dispatch(only={KIND}, queue=QUEUE)
    finally:
        stop.set()
        thread.join()
        for worker in workers:
            worker.stop()
    _purge(QUEUE)
    purged = _purge("celery")
    result = {
        "reminders": COUNT, "queued_by_dispatch": queued,
        "dispatch_seconds": round(dispatched, 1), "seconds": round(elapsed, 1),
        "per_second": round(COUNT / elapsed, 1), "within_target": elapsed <= TARGET_SECONDS,
        "requeued_by_a_later_dispatch": redispatched,
        "due_again_after_the_run": again, **_check(),
        "sms_deliveries_queued_and_purged": purged,
        "worker_memory": {w.name: w.memory() for w in workers},
    }
    if killed:
        result["killed"] = killed
    return result


def run() -> dict:
    from benchmarks import machine

    _ensure_database()
    normal = _one_run()
    with_kill = _one_run(kill_at=COUNT // 3)
    return {
        "benchmark": "reminders",
        "what": f"{COUNT} due keep-in-touch reminders (claim + SMS row each), dispatched in "
                "batches of 200, two Celery workers (solo pool) on Redis + PostgreSQL",
        "target_seconds": TARGET_SECONDS,
        "run": normal,
        "kill_in_the_middle": with_kill,
        "load_average_after": machine.load_average(),
        "remark": "the machine (2 cores) is shared with other engineers' test suites and "
                  "benchmarks while this runs: the timings are pessimistic and vary",
    }
