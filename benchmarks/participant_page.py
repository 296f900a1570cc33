"""The participant's SMS-link page under load: `GET /s/<token>` from 50 concurrent clients
against gunicorn as in production (production settings, Redis cache; 2 workers × 8 threads) on
PostgreSQL (product quality bar: p95 ≤ 100 ms, no errors). Measured twice: as 50 people who
read each page for a moment before the next (the bar's situation), and as 50 connections
asking again the moment they are answered (a stress figure, with the CPU analysis).

The load comes from `wrk` (one thread, a Lua script that walks the links) when it is
installed (`apt-get install wrk`): a Python thread pool costs more CPU than the server on a
2-core machine. Without wrk the Python client runs and the JSON says so.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/buddy_bench \\
        python -m benchmarks --only participant_page

Uses the data of `shortlist_api` (10,000 volunteers) and opens one proposal of three
candidates for each of its participants, once; every run gives them fresh links.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
from django.db import connection

from benchmarks.shortlist_api import DEFAULT_URL, N_PARTICIPANTS, N_VOLUNTEERS, _load
from matching.intake.models import Participant, Volunteer
from matching.proposals import selectors, services
from matching.proposals.models import IN_PROGRESS, Proposal
from organisations.scoping import organisation_scope

CLIENTS = 50
REQUESTS_PER_CLIENT = 20  # the Python client (when wrk is missing)
# Two processes (one per core), each with threads that overlap the waits on PostgreSQL and
# Redis, and that keep connections alive: on this machine 2 × 8 gthread served about twice
# as many pages as the Dockerfile's 3 sync workers, which close the connection after each
# request (116 against 199-248 pages/s in side-by-side runs with wrk).
WORKERS = 2
THREADS = 8
# Seconds an idle connection stays open: longer than a person's reading time, as in the
# Dockerfile (gunicorn's default of 2 s closes connections a phone is about to reuse).
KEEP_ALIVE = 5
LOAD_SECONDS = 20
ALONE_SECONDS = 5
# People, not a loop: each of the 50 reads the page and taps for 1 to 3 seconds (uniform)
# before the next page. The closed loop without think time stays as a stress figure.
THINK_MS = (1000, 3000)
PEOPLE_SECONDS = 45
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/10"
# Production runs behind a TLS proxy: without this header it answers with a redirect.
HTTPS = {"X-Forwarded-Proto": "https"}
ROOT = Path(__file__).resolve().parent.parent


def _proposal_tokens(user) -> list[str]:
    organisation = user.organisation
    with organisation_scope(organisation):
        for participant in Participant.objects.filter(status="waiting").exclude(
                pk__in=Proposal.objects.filter(status__in=IN_PROGRESS)
                .values("participant_id")):
            entries = selectors.shortlist_for_participant(participant)
            if entries:
                services.proposal_create_single(
                    participant=participant,
                    volunteers=list(Volunteer.objects.filter(pk__in=[e.id for e in entries])))
        return [services.proposal_issue_link(pk) for pk in
                Proposal.objects.filter(status="open").values_list("pk", flat=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, process, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped before answering")
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers=HTTPS), timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


WRK_SCRIPT = """
paths = {%(paths)s}
n = 0
wrk.headers["X-Forwarded-Proto"] = "https"
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
%(delay)s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT %%d %%d %%d %%d %%d %%d %%d %%d %%d %%d %%d\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def _children_cpu_seconds(parent: int) -> float:
    """User + system CPU time of the processes whose parent is `parent` (gunicorn's workers)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _wrk(base: str, paths: list[str], connections: int, seconds: int,
         think_ms: tuple[int, int] | None = None) -> dict:
    delay = (f"delay = function() return math.random({think_ms[0]}, {think_ms[1]}) end"
             if think_ms else "")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"paths": ", ".join(f'"{p}"' for p in paths),
                                   "delay": delay})
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
             "-s", script.name, base], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    (requests, duration_us, connect, read, write, status, timeout,
     p50, p95, p99, most) = (int(x) for x in line.split()[1:])
    return {"requests": requests, "errors": connect + read + write + status + timeout,
            "errors_by_kind": {"connect": connect, "read": read, "write": write,
                               "status": status, "timeout": timeout},
            "requests_per_second": round(requests / (duration_us / 1e6), 1),
            "latency_ms": {"p50": p50 / 1000, "p95": p95 / 1000, "p99": p99 / 1000,
                           "max": most / 1000}}


def _python_client(base: str, paths: list[str], clients: int, per_client: int,
                   think_ms: tuple[int, int] | None = None) -> dict:
    timings, errors, lock = [], [], threading.Lock()
    barrier = threading.Barrier(clients)

    def client(index):
        rng = np.random.default_rng(index)
        barrier.wait()
        for _ in range(per_client):
            if think_ms:
                time.sleep(float(rng.uniform(*think_ms)) / 1000)
            path = paths[int(rng.integers(len(paths)))]
            started = time.perf_counter()
            try:
                request = urllib.request.Request(base + path, headers=HTTPS)
                with urllib.request.urlopen(request, timeout=30) as answer:
                    answer.read()
                    ok = answer.status == 200
            except OSError:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.append(elapsed)
                if not ok:
                    errors.append(index)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"requests": len(timings), "errors": len(errors),
            "requests_per_second": round(len(timings) / wall, 1),
            "latency_ms": {"p50": round(float(np.percentile(timings, 50)), 2),
                           "p95": round(float(np.percentile(timings, 95)), 2),
                           "max": round(max(timings), 2)}}


def run(clients: int = CLIENTS, per_client: int = REQUESTS_PER_CLIENT) -> dict:
    if connection.vendor != "postgresql":
        raise SystemExit(f"participant_page needs PostgreSQL: set DATABASE_URL, e.g. {DEFAULT_URL}")
    user, _ = _load(N_VOLUNTEERS, N_PARTICIPANTS)
    tokens = _proposal_tokens(user)
    paths = [f"/s/{token}" for token in tokens]
    connection.close()
    port = _free_port()
    cache_url = os.environ.get("CACHE_URL", DEFAULT_CACHE_URL)
    # As in production: production settings, DEBUG off, the shared Redis cache, gunicorn
    # behind a TLS proxy (hence X-Forwarded-Proto on every request).
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "buddy.settings.production",
           "DEBUG": "false", "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-" * 6),
           "ALLOWED_HOSTS": "127.0.0.1", "CACHE_URL": cache_url, "LOG_LEVEL": "WARNING",
           "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_URL)}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "buddy.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--worker-class",
         "gthread", "--threads", str(THREADS), "--keep-alive", str(KEEP_ALIVE),
         "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    wrk = shutil.which("wrk")
    try:
        _wait_until_up(f"{base}{paths[0]}", server)
        for path in paths * 2:  # warm-up: every worker's connections, templates and caches
            request = urllib.request.Request(base + path, headers=HTTPS)
            urllib.request.urlopen(request, timeout=10).read()
        if wrk:
            alone = _wrk(base, paths, 1, ALONE_SECONDS)
            people = _wrk(base, paths, clients, PEOPLE_SECONDS, THINK_MS)
            cpu_before = _children_cpu_seconds(server.pid)
            loaded = _wrk(base, paths, clients, LOAD_SECONDS)
        else:
            alone = _python_client(base, paths, 1, 100)
            people = _python_client(base, paths, clients, per_client, THINK_MS)
            cpu_before = _children_cpu_seconds(server.pid)
            loaded = _python_client(base, paths, clients, per_client)
        cpu = _children_cpu_seconds(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=30)
    cores = os.cpu_count() or 1
    cpu_ms = 1000 * cpu / max(loaded["requests"], 1)
    return {
        "benchmark": "participant_page",
        "what": f"GET /s/<token> (the participant's choice, 3 candidates) from {clients} "
                f"concurrent clients, as people (with reading time) and as a closed loop "
                f"without think time; gunicorn "
                f"{WORKERS} gthread workers × {THREADS} threads, keep-alive {KEEP_ALIVE} s, "
                "buddy.settings.production "
                "(DEBUG off), Redis cache, "
                "PostgreSQL; load generator, server, PostgreSQL and Redis on the same machine",
        "load_generator": ("wrk (1 thread)" if wrk else
                           "Python threads (wrk not found: install it for a leaner client)"),
        "settings": "buddy.settings.production",
        "cache": cache_url,
        "gunicorn": f"{WORKERS} workers, gthread, {THREADS} threads",
        "concurrent_clients": clients,
        "people": {
            "what": f"{clients} people at once, each reading for {THINK_MS[0] / 1000:g} to "
                    f"{THINK_MS[1] / 1000:g} s (uniform) before the next page",
            **people,
            "p95_within_target": people["latency_ms"]["p95"] <= 100 and not people["errors"],
        },
        "closed_loop_without_think_time": {
            "what": f"{clients} connections asking again the moment they are answered "
                    "(a stress figure: far more than 50 people can ask)",
            **loaded,
            "p95_within_target": loaded["latency_ms"]["p95"] <= 100 and not loaded["errors"],
        },
        "one_client_at_a_time": alone,
        "server_cpu_ms_per_request": round(cpu_ms, 2),
        "throughput_ceiling_per_second": round(1000 * cores / cpu_ms, 1) if cpu_ms else None,
        # A closed loop of N clients at throughput X waits N / X on average (Little's law):
        # the best mean latency this server CPU allows at this concurrency.
        "mean_latency_at_the_ceiling_ms": round(clients * cpu_ms / cores, 1),
        "target_p95_ms": 100,
        "remark": "the ceiling is the machine's cores divided by the web workers' CPU time per "
                  "request (PostgreSQL, Redis and the load generator need CPU as well, so the "
                  "real ceiling is lower); with a closed loop the latency at 50 clients is "
                  "mostly queueing: about 50 / throughput",
    }
