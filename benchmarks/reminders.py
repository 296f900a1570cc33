"""100,000 due reminders handled by two Celery worker processes on Redis and PostgreSQL
(target: within 120 s), each worker's memory sampled over the run; then the same with one
worker killed (SIGKILL) part-way and another started: none lost, none doubled.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/buddy_bench_r \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/11 python -m benchmarks --only reminders

The kind is the waiting list's keep-in-touch SMS. The dispatcher (what the beat runs)
queues batches of 500; each batch task claims its batch in one statement and writes the
SMS rows and their questions in the same transaction (`sms_send_many`), then a delivery
task per batch hands the SMS to the provider (`sms_deliver_many`). The provider's far side
is `benchmarks/sms_backend.py`: it accepts at once and writes each reference to a file,
so that the benchmark can check that no SMS reached it twice.

"Handled" means: the reminder is claimed, its SMS row committed, and the SMS handed to the
provider and recorded as sent. The clock runs from the start of the dispatch to the last
one recorded. Two workers, solo pool (one process each, two PIDs to sample), consume the
reminders' queue and the delivery queue; nothing else reads this Redis database.
"""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from kombu import Queue

from benchmarks import machine
from buddy.celery import app
from matching.intake.models import Participant, Postcode
from notifications.models import Message, MessagingSettings, SentReminder
from notifications.services import dispatch_due as sweep_messages
from notifications.tasks import reminders_dispatch as dispatch
from organisations.models import Organisation
from organisations.scoping import all_organisations

ROOT = Path(__file__).resolve().parent.parent
COUNT = int(os.environ.get("BENCH_REMINDERS", "100000"))
KIND = "reminders.keep_in_touch"
QUEUE = "bench-reminders"
DELIVERY_QUEUE = "celery"  # where notifications queues its delivery batches
TARGET_SECONDS = 120
TIMEOUT_SECONDS = 1200


def _ensure_database():
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (buddy_bench_r).")
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        raise SystemExit("Set CELERY_BROKER_URL to a Redis database of your own.")

    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                         user=db["USER"], password=db["PASSWORD"] or None, dbname="postgres",
                         autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            [db["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')

    call_command("migrate", verbosity=0)


def _fresh_data():
    """COUNT waiting participants whose keep-in-touch SMS is due, nothing sent yet."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE reminders_sentreminder, notifications_message, "
                       "notifications_question, notifications_signedlink, "
                       "notifications_coordinatortask CASCADE")
    with all_organisations():
        organisation, _ = Organisation.objects.get_or_create(
            slug="bench-reminders", defaults={"name": "Bench", "contact_phone": "+3292101010"})
        # No quiet hours (start = end): the run does not depend on the hour it starts at.
        MessagingSettings.objects.update_or_create(
            organisation=organisation, defaults={"quiet_hours_start": datetime.time(0),
                                                 "quiet_hours_end": datetime.time(0)})
        have = Participant.objects.filter(organisation=organisation).count()
        postcode = Postcode.objects.first()
        long_ago = datetime.date.today() - datetime.timedelta(days=400)
        Participant.objects.bulk_create(
            [Participant(organisation=organisation, first_name=f"P{n}", waiting_since=long_ago,
                         phone=f"+3247{n:07d}", postcode=postcode, languages=["nl"])
             for n in range(have, COUNT)], batch_size=5000)
        people = Participant.objects.filter(organisation=organisation)
        people.update(status="waiting", last_contact_on=None, waiting_since=long_ago)
        # A smaller run (BENCH_REMINDERS) on a database filled by a larger one.
        last = people.order_by("pk").values_list("pk", flat=True)[COUNT - 1]
        people.filter(pk__gt=last).update(status="matched")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return organisation


def _purge(*queues):
    purged = 0
    with app.connection_for_write() as conn:
        for queue in queues:
            bound = Queue(queue).bind(conn.default_channel)
            bound.declare()
            purged += bound.purge() or 0
        # Unacknowledged messages of killed workers from an earlier run.
        conn.default_channel.client.delete("unacked", "unacked_index")
    return purged


def _rss_mib(pid) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


class Worker:
    def __init__(self, name, sms_dir):
        self.name = name
        self.samples: list[tuple[float, float]] = []
        env = dict(os.environ, CELERY_TASK_ALWAYS_EAGER="false", DEBUG="false",
                   SMS_BACKEND="benchmarks.sms_backend.SmsBackend", BENCH_SMS_DIR=sms_dir,
                   LOG_LEVEL="WARNING")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "buddy", "worker", "--pool", "solo",
             "--loglevel", "WARNING", "-Q", f"{QUEUE},{DELIVERY_QUEUE}", "-n",
             f"{name}@bench", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--prefetch-multiplier", "1"],
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


def _wait_ready(names, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=0.5) or []
        answered = {name for reply in replies for name in reply}
        if {f"{name}@bench" for name in names} <= answered:
            return
    raise SystemExit(f"workers {names} did not start")


def _progress():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM reminders_sentreminder WHERE kind = %s), "
            "(SELECT count(*) FROM notifications_message WHERE template = %s "
            "AND status = 'sent'), "
            "(SELECT count(*) FROM notifications_message WHERE template = %s "
            "AND status = 'sending')", [KIND, KIND, KIND])
        return cursor.fetchone()


def _check(sms_dir):
    """What went out, per person and at the provider: none lost, none doubled."""
    with all_organisations():
        per_person = Counter(n for n in Message.objects.filter(template=KIND)
                             .values("recipient_key").annotate(n=Count("id"))
                             .values_list("n", flat=True))
        claims = SentReminder.objects.filter(kind=KIND).count()
        statuses = dict(Message.objects.filter(template=KIND).order_by()
                        .values("status").annotate(n=Count("id")).values_list("status", "n"))
    at_provider = Counter()
    for path in Path(sms_dir).glob("*.txt"):
        at_provider.update(path.read_text().split())
    return {"claims": claims, "people_with_one_sms_row": per_person.get(1, 0),
            "people_with_two_or_more_sms_rows": sum(v for k, v in per_person.items() if k > 1),
            "sms_rows_by_status": statuses,
            "sms_at_the_provider": len(at_provider),
            "sms_at_the_provider_twice_or_more": sum(1 for n in at_provider.values() if n > 1)}


def _one_run(kill_at=None):
    _fresh_data()
    _purge(QUEUE, DELIVERY_QUEUE)
    sms_dir = tempfile.mkdtemp(prefix="bench-sms-")
    workers = [Worker("w1", sms_dir), Worker("w2", sms_dir)]
    _wait_ready(["w1", "w2"])
    stop = threading.Event()
    start = time.monotonic()

    def sampler():
        while not stop.is_set():
            for worker in list(workers):
                worker.sample(time.monotonic() - start)
            stop.wait(1.0)

    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    killed = None
    redispatched = swept = 0
    progress, progress_at = None, time.monotonic()
    dispatched = {}

    def beat():
        # The beat's dispatcher in its own thread (and connection), as in production: the
        # workers start on the first batches while it queues the rest.

        try:
            dispatched["queued"] = dispatch(only={KIND}, queue=QUEUE)
            dispatched["seconds"] = round(time.monotonic() - start, 1)
        finally:
            connection.close()

    dispatcher = threading.Thread(target=beat)
    try:
        dispatcher.start()
        while True:
            claims, sent, sending = _progress()
            now = time.monotonic()
            if (claims, sent) != progress:
                progress, progress_at = (claims, sent), now
            if kill_at and killed is None and claims >= kill_at:
                workers[0].kill()
                killed = {"after_claims": claims, "sms_sent_by_then": sent,
                          "at_seconds": round(now - start, 1)}
                workers[0] = Worker("w1b", sms_dir)
            # Done when every SMS went out; with a worker killed, those it was handing to
            # the provider stay "being sent" (they may have arrived: never sent again, the
            # sweep hands them to a coordinator after 15 minutes).
            if claims >= COUNT and sent + sending >= COUNT and (
                    sent == COUNT or (killed and now - progress_at > 3)):
                break
            if now - start > TIMEOUT_SECONDS:
                break
            if now - progress_at > 5 and not dispatcher.is_alive():
                # The queues ran dry with work left (what the killed worker held): the
                # beat's two jobs ask the database again and queue only what is left.
                redispatched += dispatch(only={KIND}, queue=QUEUE)
                swept += sweep_messages()
                progress_at = now
            time.sleep(0.5)
        elapsed = time.monotonic() - start
        again = dispatch(only={KIND}, queue=QUEUE)
    finally:
        dispatcher.join()
        stop.set()
        thread.join()
        for worker in workers:
            worker.stop()
    _purge(QUEUE, DELIVERY_QUEUE)
    result = {
        "reminders": COUNT, "queued_by_dispatch": dispatched.get("queued"),
        "dispatch_seconds": dispatched.get("seconds"), "seconds": round(elapsed, 1),
        "per_second": round(COUNT / elapsed, 1), "within_target": elapsed <= TARGET_SECONDS,
        "requeued_by_a_later_dispatch": redispatched,
        "sms_requeued_by_the_sweep": swept,
        "due_again_after_the_run": again, **_check(sms_dir),
        "worker_memory": {w.name: w.memory() for w in workers},
    }
    shutil.rmtree(sms_dir, ignore_errors=True)
    if killed:
        result["killed"] = killed
    return result


def run() -> dict:
    _ensure_database()
    normal = _one_run()
    with_kill = _one_run(kill_at=COUNT // 3)
    return {
        "benchmark": "reminders",
        "what": f"{COUNT} due keep-in-touch reminders, dispatched in batches of 500 (claim of "
                "the batch + SMS rows + questions in one transaction), delivered in batches "
                "of 500 to a fake provider; two Celery workers (solo pool) on Redis + "
                "PostgreSQL",
        "handled_means": "reminder claimed (SentReminder row), its SMS row committed, and "
                         "the SMS handed to the provider's far side and recorded as sent; "
                         "the clock runs from the start of the dispatch to the last one",
        "target_seconds": TARGET_SECONDS,
        "run": normal,
        "kill_in_the_middle": with_kill,
        "load_average_after": machine.load_average(),
        "remark": "the machine (2 cores) is shared with other engineers' test suites and "
                  "benchmarks while this runs: the timings are pessimistic and vary",
    }
