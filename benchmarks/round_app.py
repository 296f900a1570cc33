"""The coordinator's whole proposal round through the services, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/buddy_bench \\
        python -m benchmarks round_app [--cases one-10000x10000,five-100000x100000]

Each case is an organisation of its own in the benchmark database (created and filled
once, then kept: a second run measures at once): people from `benchmarks.data`, placed on
their nearest real postcode (the app knows postcodes, not addresses). Cases:

- `one-N×M`: everyone around Ghent (one city: about 40% of the pairs allowed);
- `five-N×M`: around five cities (under 10% allowed);
- `one-5000x10000`: twice as many volunteers as participants, so that the choice step
  (up to k candidates each) really runs.

Per case, in a process of its own (its peak memory is its own): the round's background job
as a worker runs it (`round_start`, then the task `prepare_round`): read, score, assign,
reasons in three languages, write; wall and CPU time, the process's peak RSS, the job's
seconds per stage, the allowed and kept pairs, the proof of the waiting-order rule, served,
candidates per served participant. Then, in another process, the quality: the same people
in memory, the best total under the rule on every allowed pair (an exact assignment: where
the allowed pairs fit), the best total without the rule, and SciPy's dense
`linear_sum_assignment` (one volunteer each, no rule: the naive optimum) where the dense
matrix fits, each with its time, as ratios.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
import traceback

import numpy as np
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree

from benchmarks.data import CITIES, ONE_CITY, TODAY, generate
from benchmarks.shortlist_api import DEFAULT_URL, GENDERS, _ensure_database, interests_of
from matching.intake.models import Participant, Postcode, Volunteer
from matching.proposals import profiles, selectors, services, tasks
from matching.proposals.models import Proposal, ProposalRound
from matching.scoring import rounds
from organisations.models import Organisation
from organisations.scoping import all_organisations, organisation_scope

CASES = ("one-1000x1000", "one-10000x10000", "one-20000x20000", "five-1000x1000",
         "five-10000x10000", "five-20000x20000", "one-5000x10000", "five-100000x100000")
K = 3
# References are computed where they fit: every allowed pair in memory (about 40 bytes each
# for the exact assignment), a dense matrix of 8 bytes per participant × volunteer.
MAX_PAIRS_FOR_EXACT = 12_000_000
MAX_PAIRS_FOR_UNCONSTRAINED = 4_000_000
MAX_DENSE_CELLS = 10_000 * 10_000
DENSE_TIMEOUT_S = 600


def _case(name):
    area, size = name.split("-")
    n_p, n_v = (int(x) for x in size.split("x"))
    return area, n_p, n_v


def _peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _people(name):
    area, n_p, n_v = _case(name)
    return generate(n_p, n_v, seed=11, cities=ONE_CITY if area == "one" else CITIES)


def _load(name) -> Organisation:
    """The case's organisation, filled once."""
    area, n_p, n_v = _case(name)
    slug = f"round-{name}"
    with all_organisations():
        organisation, _ = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": f"Round benchmark {name}"})
        if (Volunteer.objects.filter(organisation=organisation).count() == n_v
                and Participant.objects.filter(organisation=organisation).count() == n_p):
            return organisation
        Proposal.objects.filter(organisation=organisation).delete()
        ProposalRound.objects.filter(organisation=organisation).delete()
        Volunteer.objects.filter(organisation=organisation).delete()
        Participant.objects.filter(organisation=organisation).delete()
        interests = interests_of(organisation)
        postcodes = list(Postcode.objects.values_list("pk", "latitude", "longitude"))
        tree = cKDTree(np.array([(lat, lon) for _pk, lat, lon in postcodes]))
        postcode_ids = np.array([pk for pk, _lat, _lon in postcodes])
        participants, volunteers = _people(name)

        def postcode_of(people):
            known = [(p.lat, p.lon) if p.lat is not None else (0.0, 0.0) for p in people]
            return postcode_ids[tree.query(np.array(known))[1]]

        def common(profile, key, postcode):
            return dict(
                organisation=organisation, first_name=f"B{profile.id}", last_name="Bench",
                birth_year=(TODAY.year - profile.age) if profile.age else None,
                gender=GENDERS.get(profile.gender, ""), languages=sorted(profile.languages),
                availability=profile.availability, postcode_id=int(postcode),
                contact_channel="call", phone="+3292101010", intake_key=key,
            )

        ready = dict(intake_talk_on=TODAY, certificate_seen_on=TODAY, training_done_on=TODAY)
        rows = Volunteer.objects.bulk_create(
            [Volunteer(**common(v, f"bench-v{v.id}", pc), **(ready if v.ready else {}),
                       lived_experience={True: "yes", False: "no"}.get(v.lived_experience, ""))
             for v, pc in zip(volunteers, postcode_of(volunteers), strict=True)],
            batch_size=5000)
        through = Volunteer.interests.through
        through.objects.bulk_create(
            [through(volunteer_id=row.pk, interest_id=interests[i].pk)
             for row, v in zip(rows, volunteers, strict=True) for i in v.interests],
            batch_size=10000)
        rows = Participant.objects.bulk_create(
            [Participant(**common(p, f"bench-p{p.id}", pc), waiting_since=p.waiting_since)
             for p, pc in zip(participants, postcode_of(participants), strict=True)],
            batch_size=5000)
        through = Participant.interests.through
        through.objects.bulk_create(
            [through(participant_id=row.pk, interest_id=interests[i].pk)
             for row, p in zip(rows, participants, strict=True) for i in p.interests],
            batch_size=10000)
    return organisation


def _round(name, queue):
    """Child process: the background job of one round, as a worker runs it."""
    with all_organisations():
        organisation = Organisation.objects.get(slug=f"round-{name}")
    connection.close()
    wall, cpu = time.perf_counter(), time.process_time()
    with organisation_scope(organisation):
        ProposalRound.objects.filter(organisation=organisation).delete()
        started = services.round_start(organisation=organisation)
        tasks.prepare_round(started.pk)  # the task body, in this process
        finished = ProposalRound.objects.get(pk=started.pk)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    figures = finished.figures
    served = figures["served"]
    queue.put({
        "status": finished.status,
        "seconds_wall": round(wall, 2),
        "seconds_cpu": round(cpu, 2),
        "peak_rss_mib": _peak_rss_mib(),
        "seconds_per_stage": figures["seconds"],
        "waiting": finished.waiting_count,
        "free_volunteers": finished.volunteer_count,
        "allowed_pairs": figures["proof"]["allowed_pairs"],
        "kept_pairs": figures["proof"]["kept_pairs"],
        "served": served,
        "candidates": figures["candidates"],
        "candidates_per_served_participant": round(figures["candidates"] / max(served, 1), 3),
        "total_score": round(finished.total_score, 2),
        "proof_of_the_waiting_order_rule": figures["proof"],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    })


def _timed(function, *args, **kwargs):
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return value, round(time.perf_counter() - started, 2)


def _quality(name, app_total, queue):
    """Child process: the references on the same people, in memory."""
    with all_organisations():
        organisation = Organisation.objects.get(slug=f"round-{name}")
    out = {}
    with organisation_scope(organisation):
        settings_ = profiles.matching_settings(organisation)
        weights = profiles.weights_of(settings_)
        people = profiles.participant_profiles(selectors.waiting_participants(organisation))
        volunteers = profiles.volunteer_profiles(selectors.available_volunteers(organisation))
        rarity = profiles.interest_rarity(organisation)
        excluded = selectors.excluded_pairs(organisation)
    connection.close()
    kept = rounds.build_candidate_graph(people, volunteers, weights, rarity, excluded)
    ours = rounds.propose_round(kept, K)
    out["in_memory_total"] = round(ours.total_score, 2)
    allowed = kept.allowed_count
    if allowed <= MAX_PAIRS_FOR_EXACT:
        full, seconds = _timed(rounds.build_candidate_graph, people, volunteers, weights,
                               rarity, excluded, top_m=None)
        best, seconds_best = _timed(rounds.propose_round, full, K)
        report = rounds.fairness_report(full, ours)
        out["best_under_the_rule"] = {
            "total": round(best.total_score, 2), "served": len(best.proposals),
            "seconds": round(seconds + seconds_best, 2),
            "round_percent_of_it": round(100 * app_total / best.total_score, 3),
            "fairness_check_on_every_allowed_pair": report,
        }
        unconstrained_graph, where = full, "every allowed pair"
    else:
        out["best_under_the_rule"] = {"skipped": f"{allowed} allowed pairs: too many to hold"}
        unconstrained_graph, where = kept, "the kept pairs only (a lower bound of the best)"
    if unconstrained_graph.edge_count <= MAX_PAIRS_FOR_UNCONSTRAINED:
        free, seconds = _timed(rounds.best_unconstrained, unconstrained_graph, K)
        out["best_without_the_rule"] = {
            "on": where, "total": round(free.total_score, 2), "served": len(free.proposals),
            "seconds": seconds,
            "round_percent_of_it": round(100 * app_total / free.total_score, 3),
        }
    else:
        out["best_without_the_rule"] = {"skipped": f"{unconstrained_graph.edge_count} pairs"}
    n_p, n_v = len(people), len(volunteers)
    if n_p * n_v <= MAX_DENSE_CELLS and allowed <= MAX_PAIRS_FOR_EXACT:
        out["scipy_dense_linear_sum_assignment"] = _dense(full, n_p, n_v, ours)
    else:
        out["scipy_dense_linear_sum_assignment"] = {
            "skipped": f"{n_p} × {n_v} dense matrix ({8 * n_p * n_v / 2**30:.1f} GiB)"}
    queue.put(out)


def _dense(full, n_p, n_v, ours):
    """The naive optimum a user could write: a dense score matrix (0 for pairs the rules
    forbid), one volunteer each, maximised, no waiting-order rule."""
    before = _peak_rss_mib()
    started = time.perf_counter()
    matrix = np.zeros((n_p, n_v))
    matrix[full.participant, full.volunteer] = full.score
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    seconds = time.perf_counter() - started
    real = matrix[rows, cols] > 0
    total = float(matrix[rows, cols][real].sum())
    first_only = sum(scores[0] for scores in ours.scores.values())
    return {
        "seconds": round(seconds, 2), "peak_rss_mib": _peak_rss_mib(),
        "peak_rss_mib_before": before, "total": round(total, 2), "served": int(real.sum()),
        "round_first_candidates_total": round(first_only, 2),
        "round_first_candidates_percent_of_it": round(100 * first_only / total, 3),
        "remark": "one volunteer each and anyone may be left out; the round's first "
                  "candidates serve the waiting-order rule instead",
    }


def _reporting(target, *args):
    queue = args[-1]
    try:
        target(*args)
    except BaseException:  # noqa: BLE001 - the parent reports it instead of waiting forever
        queue.put({"error": traceback.format_exc(limit=6)})


def _in_child(target, *args, timeout=None):
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_reporting, args=(target, *args, queue))
    process.start()
    try:
        return queue.get(timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - a reference that did not finish is reported
        process.kill()
        return {"skipped": f"did not finish: {type(exc).__name__}"}
    finally:
        process.join(timeout=60)


def run(cases=CASES, quality=True) -> dict:
    if connection.vendor != "postgresql":
        raise SystemExit(f"round_app needs PostgreSQL: set DATABASE_URL, e.g. {DEFAULT_URL}")
    _ensure_database(os.environ.get("DATABASE_URL", DEFAULT_URL))
    call_command("migrate", verbosity=0)
    results = []
    for name in cases:
        started = time.perf_counter()
        _load(name)
        load_s = round(time.perf_counter() - started, 1)
        connection.close()
        measured = {"case": name, "participants": _case(name)[1],
                    "volunteers": _case(name)[2], "data_load_s_first_run_only": load_s,
                    "load_average_before": [round(x, 2) for x in os.getloadavg()],
                    "round": _in_child(_round, name)}
        if quality and "total_score" in measured["round"]:
            measured["quality"] = _in_child(_quality, name, measured["round"]["total_score"],
                                            timeout=DENSE_TIMEOUT_S * 3)
        results.append(measured)
        print(measured, flush=True)
    return {
        "benchmark": "round_app",
        "what": "the coordinator's whole round (round_start + the prepare_round task: read, "
                "score, assign, reasons in 3 languages, write in batches) on PostgreSQL, one "
                "process per case; references on the same people in memory",
        "k": K,
        "targets": {"one-10000x10000": {"seconds": 10, "peak_mib": 1024},
                    "one-20000x20000": {"seconds": 30, "peak_mib": 1536},
                    "five-100000x100000": {"seconds": 300, "peak_mib": 4096},
                    "percent_of_best_under_the_rule": 99.5},
        "database": settings.DATABASES["default"]["NAME"],
        "cases": results,
    }
