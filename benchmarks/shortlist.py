"""Short list benchmark: a participant's best 3 volunteers, with reasons, among 10,000.

`run()` measures the in-memory path: the volunteers' arrays are built once (as a cache or a
query would), then every call scores all 10,000 and writes the reasons of the best 3.

HOOK for the API + PostgreSQL version (issue 4, once the intake models exist): add
`run_api()` here that loads 10,000 ready volunteers into the database, then times
`GET /api/.../shortlist/` for a sample of participants through the test client or an
HTTP client, and add "shortlist_api" to BENCHMARKS in benchmarks/__main__.py. The view
should build `ProfileBlock.from_profiles(...)` from one query (or a cached block) and call
`matching.scoring.shortlist(...)`; the numbers below are the part that does not depend on
the database.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.data import INTEREST_LABELS, generate
from matching.scoring.pairs import DEFAULT_WEIGHTS, ProfileBlock, interest_rarity, shortlist

N_VOLUNTEERS = 10_000
N_CALLS = 300


def _percentile(values, q) -> float:
    return round(float(np.percentile(values, q)), 3)


def run(n_volunteers: int = N_VOLUNTEERS, n_calls: int = N_CALLS) -> dict:
    participants, volunteers = generate(n_calls, n_volunteers, seed=2)
    rarity = interest_rarity(participants + volunteers)
    started = time.perf_counter()
    block = ProfileBlock.from_profiles(volunteers)
    block_ms = (time.perf_counter() - started) * 1000
    timings, found = [], 0
    for participant in participants:
        started = time.perf_counter()
        candidates = shortlist(participant, block, 3, DEFAULT_WEIGHTS, rarity, language="nl",
                               interest_labels=INTEREST_LABELS)
        timings.append((time.perf_counter() - started) * 1000)
        found += len(candidates)
    return {
        "what": "participant's short list (3 with reasons) among ready volunteers, in memory",
        "target": "p95 within 100 ms through the API on PostgreSQL (API version: see hook)",
        "volunteers": n_volunteers,
        "calls": n_calls,
        "ms_build_volunteer_arrays_once": round(block_ms, 1),
        "ms_per_call": {
            "p50": _percentile(timings, 50),
            "p95": _percentile(timings, 95),
            "max": round(max(timings), 3),
        },
        "average_candidates_found": round(found / n_calls, 2),
    }
