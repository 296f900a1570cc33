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
import tracemalloc

from benchmarks.data import generate
from matching.scoring import rounds
from matching.scoring.pairs import DEFAULT_WEIGHTS, interest_rarity

SIZES = ((2_000, 2_000), (10_000, 10_000), (2_000, 10_000))
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


def measure(n_participants: int, n_volunteers: int, seed: int = 1) -> dict:
    participants, volunteers = generate(n_participants, n_volunteers, seed)
    rarity = interest_rarity(participants + volunteers)
    rss_before = _peak_rss_mib()

    graph, build_wall, build_cpu = _timed(
        rounds.build_candidate_graph, participants, volunteers, DEFAULT_WEIGHTS, rarity
    )
    result, round_wall, round_cpu = _timed(rounds.propose_round, graph, K)
    rss_round = _peak_rss_mib()

    # The same round again under tracemalloc (NumPy reports its buffers to it): the peak of
    # the memory the round itself allocates, on top of the loaded profiles.
    tracemalloc.start()
    rounds.propose_round(
        rounds.build_candidate_graph(participants, volunteers, DEFAULT_WEIGHTS, rarity), K
    )
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    full = rounds.CandidateGraph(
        graph.participant_ids, graph.volunteer_ids, graph.participant, graph.volunteer,
        graph.score,
    )
    optimum, optimum_wall, _ = _timed(rounds.propose_round, full, K)
    greedy, greedy_wall, greedy_cpu = _timed(rounds.greedy_round, full, K)
    optimum_score = optimum.total_score or 1.0
    return {
        "participants": n_participants,
        "volunteers": n_volunteers,
        "ready_volunteers": sum(v.ready for v in volunteers),
        "k": K,
        "allowed_pairs": graph.edge_count,
        "pairs_in_score_step": graph.kept_count,
        "round": {
            "seconds_wall": round(build_wall + round_wall, 3),
            "seconds_cpu": round(build_cpu + round_cpu, 3),
            "seconds_scoring_pairs": build_wall,
            "seconds_assignment": round_wall,
            "peak_rss_mib_process": rss_round,
            "peak_rss_mib_before_round": rss_before,
            "peak_traced_mib_round": round(traced_peak / 2**20, 1),
            **_summary(result, optimum_score, rounds.fairness_report(full, result)),
        },
        "greedy_first_come_first_served": {
            "seconds_wall_after_scoring": greedy_wall,
            "seconds_cpu_after_scoring": greedy_cpu,
            **_summary(greedy, optimum_score, rounds.fairness_report(full, greedy)),
        },
        "optimum": {
            "total_score": round(optimum.total_score, 2),
            "participants_served": len(optimum.proposals),
            "seconds_wall": optimum_wall,
        },
    }


def _child(queue, n_participants, n_volunteers):
    queue.put(measure(n_participants, n_volunteers))


def run(sizes=SIZES) -> dict:
    results = []
    context = multiprocessing.get_context("spawn")
    for n_participants, n_volunteers in sizes:
        queue = context.Queue()
        process = context.Process(target=_child, args=(queue, n_participants, n_volunteers))
        process.start()
        results.append(queue.get())
        process.join()
        print(json.dumps(results[-1]), flush=True)
    return {
        "what": "proposal round: global assignment vs first-come-first-served greedy",
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
