"""Proposal round benchmark: the global round against the optimum and a greedy pass.

Each size runs in its own process, so that its peak memory (ru_maxrss) is its own:

- `round`: building the participants' and volunteers' arrays, scoring every pair allowed by
  the hard rules, and both steps of the round (what a coordinator waits for);
- `optimum`: the same fairness rule and the score step on every allowed pair, exact (the
  reference for "% of optimal");
- `greedy`: first come, first served on every allowed pair.
"""

from __future__ import annotations

import json
import multiprocessing
import resource
import time

from benchmarks.data import CITIES, ONE_CITY, generate
from matching.scoring import rounds
from matching.scoring.pairs import DEFAULT_WEIGHTS, interest_rarity

SIZES = ((2_000, 2_000, "five"), (10_000, 10_000, "five"), (2_000, 10_000, "five"),
         (2_000, 2_000, "one"), (10_000, 10_000, "one"))
# The references (the optimum, greedy) hold every allowed pair; beyond this they are skipped.
MAX_FULL_PAIRS = 12_000_000
K = 3


def _timed(function, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    value = function(*args, **kwargs)
    return value, round(time.perf_counter() - wall, 3), round(time.process_time() - cpu, 3)


def _peak_rss_mib() -> float:
    # Linux reports ru_maxrss in KiB.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _summary(result, optimum_score, report) -> dict:
    return {
        "total_score": round(result.total_score, 2),
        "percent_of_optimal": round(100 * result.total_score / optimum_score, 3),
        "participants_served": len(result.proposals),
        "proposals": int(len(result.participant)),
        "fairness": report,
        "fairness_respected": report["skipped_servable"] == 0
        and report["served_out_of_turn"] == 0,
    }


def measure(n_participants: int, n_volunteers: int, seed: int = 1, area: str = "five") -> dict:
    participants, volunteers = generate(n_participants, n_volunteers, seed,
                                        cities=ONE_CITY if area == "one" else CITIES)
    rarity = interest_rarity(participants + volunteers)
    rss_before = _peak_rss_mib()

    graph, build_wall, build_cpu = _timed(
        rounds.build_candidate_graph, participants, volunteers, DEFAULT_WEIGHTS, rarity
    )
    result, round_wall, round_cpu = _timed(rounds.propose_round, graph, K)
    rss_round = _peak_rss_mib()
    out = {
        "area": area,
        "participants": n_participants,
        "volunteers": n_volunteers,
        "ready_volunteers": sum(v.ready for v in volunteers),
        "k": K,
        "allowed_pairs": graph.allowed_count,
        "kept_pairs": graph.edge_count,
        "round": {
            "seconds_wall": round(build_wall + round_wall, 3),
            "seconds_cpu": round(build_cpu + round_cpu, 3),
            "seconds_scoring_pairs": build_wall,
            "seconds_assignment_and_proof": round_wall,
            "peak_rss_mib_process": rss_round,
            "peak_rss_mib_before_round": rss_before,
            "total_score": round(result.total_score, 2),
            "participants_served": len(result.proposals),
            "proposals": int(len(result.participant)),
            "proof": result.proof,
        },
    }
    if graph.allowed_count > MAX_FULL_PAIRS:
        out["optimum"] = {"skipped": "too many allowed pairs to hold them all"}
        return out
    # The references hold every allowed pair: after the round's peak was taken.
    full = rounds.build_candidate_graph(participants, volunteers, DEFAULT_WEIGHTS, rarity,
                                        top_m=None)
    optimum, optimum_wall, _ = _timed(rounds.propose_round, full, K)
    greedy, greedy_wall, greedy_cpu = _timed(rounds.greedy_round, full, K)
    optimum_score = optimum.total_score or 1.0
    out["round"].update(_summary(result, optimum_score, rounds.fairness_report(full, result)))
    out["greedy_first_come_first_served"] = {
        "seconds_wall_after_scoring": greedy_wall,
        "seconds_cpu_after_scoring": greedy_cpu,
        **_summary(greedy, optimum_score, rounds.fairness_report(full, greedy)),
    }
    out["optimum"] = {
        "total_score": round(optimum.total_score, 2),
        "participants_served": len(optimum.proposals),
        "seconds_wall": optimum_wall,
    }
    return out


def _child(queue, n_participants, n_volunteers, area):
    queue.put(measure(n_participants, n_volunteers, area=area))


def run(sizes=SIZES) -> dict:
    results = []
    context = multiprocessing.get_context("spawn")
    for n_participants, n_volunteers, area in sizes:
        queue = context.Queue()
        process = context.Process(target=_child,
                                  args=(queue, n_participants, n_volunteers, area))
        process.start()
        results.append(queue.get())
        process.join()
        print(json.dumps(results[-1]), flush=True)
    return {
        "what": "proposal round in memory (the algorithm alone): the kept graph and the proof "
                "against the exact optimum on every allowed pair and first-come-first-served",
        "targets": {
            "seconds_10000x10000": 10,
            "percent_of_optimal": 99,
            "peak_memory_mib": 1024,
        },
        "definition_of_optimal": (
            "Same fairness rule (the servable set in waiting order) and the highest total "
            "score over every pair allowed by the hard rules, solved exactly (no pruning)."
        ),
        "sizes": results,
    }
