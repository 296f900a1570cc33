"""Short list through the API on PostgreSQL: `GET /api/participants/<id>/shortlist/` with
10,000 ready volunteers in the database (issue 4; target p95 ≤ 100 ms).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/buddy_bench \
        python -m benchmarks --only shortlist_api

The database (default `buddy_bench`) is created and migrated when missing; the volunteers
(from benchmarks.data, placed on the nearest real postcode) are loaded once and kept, so a
second run measures at once. Requests go through Django's test client with a logged-in
coordinator: middleware, scoping, the view, the selectors, the scoring and the JSON.

The organisation's block of available volunteers is kept in the process between requests
(matching/blocks.py) and built again after a change; `first_call_after_a_change_latency_ms`
measures the short list that pays for that rebuild.
"""

from __future__ import annotations

import os
import time
from datetime import date

import numpy as np
import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks.data import INTERESTS, TODAY, generate
from matching.intake import versions as intake_versions
from matching.intake.models import Interest, InterestCategory, Participant, Postcode, Volunteer
from organisations.models import Organisation, User
from organisations.scoping import all_organisations

N_VOLUNTEERS = 10_000
N_PARTICIPANTS = 50
N_CALLS = 300
N_COLD_CALLS = 20
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/buddy_bench"
GENDERS = {"f": "female", "m": "male", "x": "non_binary"}


def _ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def interests_of(organisation) -> dict:
    """The benchmark's interests in the organisation, by their number in benchmarks.data."""
    category, _ = InterestCategory.objects.get_or_create(
        organisation=organisation, label_nl="Alles",
        defaults={"label_fr": "Tout", "label_en": "All"})
    interests = {}
    for n, key in enumerate(INTERESTS, start=1):
        interests[n], _ = Interest.objects.get_or_create(
            organisation=organisation, key=key.replace(" ", "-"),
            defaults={"category": category, "label_nl": key, "label_fr": key,
                      "label_en": key})
    return interests


def _load(n_volunteers: int, n_participants: int):
    call_command("migrate", verbosity=0)
    with all_organisations():
        organisation, _ = Organisation.objects.get_or_create(
            slug="bench", defaults={"name": "Benchmark project"})
        user, created = User.objects.get_or_create(
            username="bench-coordinator",
            defaults={"organisation": organisation, "role": "coordinator", "language": "en"})
        if Volunteer.objects.filter(organisation=organisation).count() >= n_volunteers:
            ids = list(Participant.objects.filter(organisation=organisation)
                       .values_list("pk", flat=True)[:n_participants])
            return user, ids
        Volunteer.objects.filter(organisation=organisation).delete()
        Participant.objects.filter(organisation=organisation).delete()
        interests = interests_of(organisation)
        postcodes = list(Postcode.objects.values_list("pk", "latitude", "longitude"))
        pc_ids = np.array([p[0] for p in postcodes])
        pc_xy = np.array([(p[1], p[2]) for p in postcodes])

        def postcode_of(profile):
            if profile.lat is None:
                return int(pc_ids[0])
            d = ((pc_xy[:, 0] - profile.lat) ** 2 + (pc_xy[:, 1] - profile.lon) ** 2)
            return int(pc_ids[int(np.argmin(d))])

        participants, volunteers = generate(n_participants, n_volunteers, seed=4)

        def common(profile, key):
            return dict(
                organisation=organisation, first_name=f"B{profile.id}", last_name="Bench",
                birth_year=(TODAY.year - profile.age) if profile.age else None,
                gender=GENDERS.get(profile.gender, ""), languages=sorted(profile.languages),
                availability=profile.availability, postcode_id=postcode_of(profile),
                contact_channel="call", phone="+3292101010", intake_key=key,
            )

        ready = dict(intake_talk_on=date(2026, 1, 5), certificate_seen_on=date(2026, 1, 5),
                     training_done_on=date(2026, 1, 5))
        rows = Volunteer.objects.bulk_create(
            [Volunteer(**common(v, f"bench-v{v.id}"), **(ready if v.ready else {}),
                       lived_experience={True: "yes", False: "no"}.get(v.lived_experience, ""))
             for v in volunteers], batch_size=2000)
        through = Volunteer.interests.through
        through.objects.bulk_create(
            [through(volunteer_id=row.pk, interest_id=interests[i].pk)
             for row, v in zip(rows, volunteers, strict=True) for i in v.interests],
            batch_size=5000)
        people = Participant.objects.bulk_create(
            [Participant(**common(p, f"bench-p{p.id}"), waiting_since=p.waiting_since)
             for p in participants])
        through = Participant.interests.through
        through.objects.bulk_create(
            [through(participant_id=row.pk, interest_id=interests[i].pk)
             for row, p in zip(people, participants, strict=True) for i in p.interests])
        return user, [p.pk for p in people]


def _percentile(values, q) -> float:
    return round(float(np.percentile(values, q)), 2)


def _after_changes(client, participant_ids, change) -> list[float]:
    """The latency of the first short list after each change."""
    timings = []
    for n in range(N_COLD_CALLS):
        change(n)
        pid = participant_ids[n % len(participant_ids)]
        started = time.perf_counter()
        client.get(f"/api/participants/{pid}/shortlist/")
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def run(n_volunteers: int = N_VOLUNTEERS, n_calls: int = N_CALLS) -> dict:
    if connection.vendor != "postgresql":
        raise SystemExit("shortlist_api needs PostgreSQL: set DATABASE_URL, e.g. "
                         f"{DEFAULT_URL}")
    _ensure_database(settings.DATABASES["default"]["NAME"] and os.environ.get(
        "DATABASE_URL", DEFAULT_URL))
    started = time.perf_counter()
    user, participant_ids = _load(n_volunteers, N_PARTICIPANTS)
    load_s = time.perf_counter() - started
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    for pid in participant_ids[:5]:  # warm-up: connections, imports, caches of the ORM
        client.get(f"/api/participants/{pid}/shortlist/")
    timings, found, errors = [], 0, 0
    # Timed as production runs (DEBUG off: no query log); the queries are counted apart.
    for n in range(n_calls):
        pid = participant_ids[n % len(participant_ids)]
        started = time.perf_counter()
        response = client.get(f"/api/participants/{pid}/shortlist/")
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            errors += 1
        else:
            found += len(response.json())
    queries = []
    for pid in participant_ids:
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/api/participants/{pid}/shortlist/")
        queries.append(len(captured.captured_queries))
    # The block of volunteers is kept between requests and built again after a change:
    # the first short list after each change pays for that.

    with all_organisations():
        volunteer_ids = list(Volunteer.objects.filter(organisation=user.organisation)
                             .values_list("pk", flat=True)[:N_COLD_CALLS])
    cold = _after_changes(client, participant_ids, lambda n: intake_versions.volunteers_changed(
        user.organisation_id, [volunteer_ids[n % len(volunteer_ids)]]))
    rebuilt = _after_changes(client, participant_ids, lambda n: intake_versions
                             .volunteers_changed(user.organisation_id))
    return {
        "benchmark": "shortlist_api",
        "what": "GET /api/participants/<id>/shortlist/ through Django's test client, "
                "PostgreSQL, 3 candidates with reasons",
        "ready_volunteers_in_database": n_volunteers,
        "calls": n_calls,
        "errors": errors,
        "candidates_per_call": round(found / max(n_calls - errors, 1), 2),
        "queries_per_call": max(queries) if queries else 0,
        "latency_ms": {"p50": _percentile(timings, 50), "p95": _percentile(timings, 95),
                       "max": round(max(timings), 2)},
        "target_p95_ms": 100,
        "first_call_after_a_volunteer_changed_latency_ms": {
            "what": "the changed volunteer's row of the kept block is updated (target 100 ms)",
            "calls": N_COLD_CALLS, "p50": _percentile(cold, 50), "p95": _percentile(cold, 95),
            "max": round(max(cold), 2)},
        "first_call_after_an_organisation_wide_change_latency_ms": {
            "what": "the whole block is built again (a duo-less bulk change, a cache flush)",
            "calls": N_COLD_CALLS, "p50": _percentile(rebuilt, 50),
            "p95": _percentile(rebuilt, 95)},
        "target_cold_ms": 100,
        "target_warm_p95_ms": 30,
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "data_load_s": round(load_s, 1),
    }
