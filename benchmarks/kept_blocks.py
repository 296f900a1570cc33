"""Kept blocks of 200 organisations in one process: memory with and without the cap.

    python -m benchmarks kept_blocks

Each organisation gets its own volunteers (benchmarks.data, 1,000 each: a large project),
its block built and stored as a web process would after a short list. Measured: the
process's resident memory with every block kept (no cap), then with the cap of
MATCHING_BLOCKS_MAX_MB, the blocks evicted, and the time to update one volunteer's row.
"""

from __future__ import annotations

import dataclasses
import os
import time
from datetime import date

from django.conf import settings

from benchmarks.data import generate
from matching.proposals import blocks
from matching.scoring.pairs import ProfileBlock

ORGANISATIONS = 200
VOLUNTEERS = 1000


def _rss_mib() -> float:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return round(int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def _fill(profiles_of, cap_mb):
    settings.MATCHING_BLOCKS_MAX_MB = cap_mb
    blocks.clear()
    for organisation, profiles in enumerate(profiles_of, start=1):
        block = ProfileBlock.from_profiles(profiles)
        blocks._store(("volunteers", organisation),
                      blocks._Kept(("v", 0), date.today(), time.monotonic() + 600, block))
    return {"kept_blocks": len(blocks._blocks), "evicted": blocks.stats["evicted"],
            "kept_mib_estimate": round(blocks.kept_bytes() / 2**20, 1),
            "process_rss_mib": _rss_mib()}


def run() -> dict:
    before = _rss_mib()
    profiles_of = [generate(0, VOLUNTEERS, seed=n)[1] for n in range(ORGANISATIONS)]
    with_profiles = _rss_mib()
    unbounded = _fill(profiles_of, 10**6)
    blocks.clear()
    capped = _fill(profiles_of, 256)
    small = _fill(profiles_of, 64)
    block = ProfileBlock.from_profiles(profiles_of[0])
    changed = dataclasses.replace(profiles_of[0][10], interests=frozenset({1, 2}))
    started = time.perf_counter()
    for _ in range(20):
        block.replaced({changed.id}, [changed])
    update_ms = (time.perf_counter() - started) / 20 * 1000
    started = time.perf_counter()
    for _ in range(5):
        ProfileBlock.from_profiles(profiles_of[0])
    build_ms = (time.perf_counter() - started) / 5 * 1000
    return {
        "benchmark": "kept_blocks",
        "what": f"{ORGANISATIONS} organisations × {VOLUNTEERS} volunteers, one block each, "
                "kept in one process (as a web worker would after their short lists)",
        "process_rss_mib_at_start": before,
        "process_rss_mib_with_the_profiles_loaded": with_profiles,
        "without_a_cap": unbounded,
        "cap_256_mib_default": capped,
        "cap_64_mib": small,
        "remark": "the profiles themselves stay loaded in this benchmark (the RSS after the "
                  "fill includes them); the kept_mib_estimate is what the cap counts",
        "ms_update_one_volunteer_row": round(update_ms, 2),
        "ms_build_block_of_1000": round(build_ms, 2),
    }
