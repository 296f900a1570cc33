"""The proposal round: one volunteer in one list, at most k each, the waiting-list fairness
rule, and the highest total score under it (checked against brute force and an exact MILP
that share no code with the round)."""

import itertools
import random
from datetime import date

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import maximum_bipartite_matching

from benchmarks.data import ONE_CITY, generate
from matching.scoring import rounds
from matching.scoring.pairs import Profile, Weights, interest_rarity, score_pair
from matching.scoring.rounds import (
    CandidateGraph,
    best_unconstrained,
    build_candidate_graph,
    fairness_report,
    greedy_round,
    problems_in_proposals,
    propose_round,
    prove_waiting_order,
    run_round,
    servable,
    serve_in_waiting_order,
    waiting_order,
)

# ---------------------------------------------------------------- independent references


def reference_servable(graph: CandidateGraph) -> list[bool]:
    """Down the waiting list: add a participant when everyone added so far, and them, can
    each get a different volunteer (checked with a maximum matching)."""
    n_p, n_v = len(graph.participant_ids), len(graph.volunteer_ids)
    adjacency = sp.csr_array(
        (np.ones(graph.edge_count), (graph.participant, graph.volunteer)), shape=(n_p, n_v))
    chosen: list[int] = []
    for i in range(n_p):
        rows = chosen + [i]
        matching = maximum_bipartite_matching(adjacency[rows], perm_type="column")
        if (matching >= 0).sum() == len(rows):
            chosen.append(i)
    return [i in chosen for i in range(n_p)]


def reference_optimum(graph: CandidateGraph, k: int) -> float:
    """The highest total score serving exactly the servable participants, 1..k each, every
    volunteer at most once: an exact MILP."""
    served = np.array(reference_servable(graph))
    edges = np.flatnonzero(served[graph.participant])
    if not len(edges):
        return 0.0
    n_p, n_v = len(graph.participant_ids), len(graph.volunteer_ids)
    by_participant = sp.csr_array(
        (np.ones(len(edges)), (graph.participant[edges], np.arange(len(edges)))),
        shape=(n_p, len(edges)))
    by_volunteer = sp.csr_array(
        (np.ones(len(edges)), (graph.volunteer[edges], np.arange(len(edges)))),
        shape=(n_v, len(edges)))
    result = milp(
        -graph.score[edges].astype(float),
        integrality=np.ones(len(edges)),
        bounds=Bounds(0, 1),
        constraints=[
            LinearConstraint(by_participant, served.astype(float), k * served),
            LinearConstraint(by_volunteer, 0, 1),
        ],
    )
    assert result.success
    return -result.fun


def brute_force(graph: CandidateGraph, k: int) -> tuple[tuple[bool, ...], float]:
    """Every way to give each volunteer to one adjacent participant or nobody: the best
    served set in waiting order (lexicographically), then the best total score."""
    n_p = len(graph.participant_ids)
    options = [[None] for _ in graph.volunteer_ids]
    for e in range(graph.edge_count):
        options[graph.volunteer[e]].append(e)
    best = None
    for choice in itertools.product(*options):
        chosen = [e for e in choice if e is not None]
        counts = np.bincount(graph.participant[chosen], minlength=n_p) if chosen else (
            np.zeros(n_p, dtype=int))
        if counts.max(initial=0) > k:
            continue
        key = (tuple(bool(c) for c in counts), round(float(graph.score[chosen].sum()), 6))
        best = key if best is None or key > best else best
    return best


def random_graph(rng: random.Random, n_p: int, n_v: int, density: float) -> CandidateGraph:
    edges = [
        (p, v, round(rng.uniform(1, 100), 2))
        for p in range(1, n_p + 1) for v in range(101, 101 + n_v) if rng.random() < density
    ]
    return CandidateGraph.from_edges(range(1, n_p + 1), range(101, 101 + n_v), edges)


def check_round(graph: CandidateGraph, result, k: int):
    volunteers = [v for vs in result.proposals.values() for v in vs]
    assert len(volunteers) == len(set(volunteers)), "a volunteer in two lists"
    assert all(1 <= len(vs) <= k for vs in result.proposals.values())
    allowed = {(graph.participant_ids[p], graph.volunteer_ids[v])
               for p, v in zip(graph.participant, graph.volunteer, strict=True)}
    assert all((p, v) in allowed for p, vs in result.proposals.items() for v in vs)


# ---------------------------------------------------------------- the rules

A, B, C = 101, 102, 103  # volunteers


def test_no_volunteer_is_in_two_lists_and_nobody_gets_more_than_k():
    participants, volunteers = generate(150, 100, seed=11)
    rarity = interest_rarity(participants + volunteers)
    for k in (1, 2, 3):
        graph = build_candidate_graph(participants, volunteers, rarity=rarity)
        result = propose_round(graph, k)
        check_round(graph, result, k)
        assert result.proposals  # the data is not trivially empty


def scarce_case() -> CandidateGraph:
    """Two volunteers, three participants (1 waited longest). Participant 3 fits best with
    volunteer A, participant 2 with volunteer B; participant 1 fits both, less well."""
    return CandidateGraph.from_edges([1, 2, 3], [A, B], [
        (1, A, 50), (1, B, 60),
        (2, B, 90),
        (3, A, 95),
    ])


def test_when_volunteers_are_scarce_the_longest_waiting_are_served():
    result = propose_round(scarce_case(), k=1)
    assert result.proposals == {1: (A,), 2: (B,)}
    # Highest score alone would serve 3 and 2 (185 > 140) and leave 1, who waited longest.
    assert result.total_score == 140
    assert reference_servable(scarce_case()) == [True, True, False]


def test_first_come_first_served_can_break_the_fairness_rule():
    # 1 takes their best (B) and leaves 2, who waited longer than 3, with nobody.
    greedy = greedy_round(scarce_case(), k=1)
    assert greedy.proposals == {1: (B,), 3: (A,)}
    report = fairness_report(scarce_case(), greedy)
    assert report["skipped_servable"] == 1 and report["served_out_of_turn"] == 1
    assert fairness_report(scarce_case(), propose_round(scarce_case(), k=1))[
        "skipped_servable"] == 0


def test_one_volunteer_goes_to_the_longest_waiting_even_with_a_lower_score():
    graph = CandidateGraph.from_edges([1, 2], [A], [(1, A, 10), (2, A, 99)])
    assert propose_round(graph, k=3).proposals == {1: (A,)}


def test_the_round_beats_greedy_on_a_constructed_case():
    # Greedy gives 1 their best volunteer A and 2 goes without; the round serves both.
    graph = CandidateGraph.from_edges([1, 2], [A, B], [
        (1, A, 60), (1, B, 55), (2, A, 90),
    ])
    greedy, best = greedy_round(graph, k=1), propose_round(graph, k=1)
    assert greedy.total_score == 60 and greedy.served == {1}
    assert best.total_score == 145 and best.proposals == {1: (B,), 2: (A,)}


def test_extra_candidates_go_where_they_add_the_most():
    graph = CandidateGraph.from_edges([1, 2], [A, B, C], [
        (1, A, 80), (1, C, 10), (2, B, 70), (2, C, 40),
    ])
    assert propose_round(graph, k=2).proposals == {1: (A,), 2: (B, C)}


def test_the_round_matches_brute_force_on_tiny_random_instances():
    rng = random.Random(2026)
    for _ in range(150):
        graph = random_graph(rng, rng.randint(1, 5), rng.randint(1, 5), rng.uniform(0.2, 0.9))
        k = rng.randint(1, 3)
        result = propose_round(graph, k)
        check_round(graph, result, k)
        served, total = brute_force(graph, k)
        got = tuple(int(p) in result.proposals for p in graph.participant_ids)
        assert got == served
        assert result.total_score == pytest.approx(total, abs=1e-6)


def test_the_round_matches_an_exact_milp_on_small_random_instances():
    rng = random.Random(7)
    for _ in range(12):
        graph = random_graph(rng, rng.randint(10, 30), rng.randint(5, 30), rng.uniform(0.05, 0.4))
        k = rng.randint(1, 3)
        result = propose_round(graph, k)
        check_round(graph, result, k)
        assert list(servable(graph)) == reference_servable(graph)
        assert result.total_score == pytest.approx(reference_optimum(graph, k), abs=1e-4)


def test_pruning_never_costs_anyone_their_turn():
    participants, volunteers = generate(200, 120, seed=5)
    full = build_candidate_graph(participants, volunteers, top_m=None)
    graph = build_candidate_graph(participants, volunteers, top_m=1, volunteer_top_m=1)
    assert graph.edge_count < full.edge_count == graph.allowed_count
    result = propose_round(graph, k=3)
    check_round(full, result, 3)
    report = fairness_report(full, result)
    assert report["skipped_servable"] == report["served_out_of_turn"] == 0
    assert report["served"] == report["servable"] == sum(reference_servable(full))


def test_the_proof_finds_whom_the_kept_pairs_missed():
    # 1 waited longest. Kept (each side's single best): 1-A, 2-A, 3-B. On those, 1 takes A,
    # 2 gets nobody and 3 gets B; on every allowed pair, 1 can take B and leave A to 2.
    full = CandidateGraph.from_edges([1, 2, 3], [A, B], [
        (1, A, 90), (1, B, 10), (2, A, 95), (3, B, 50)])
    graph = full.pruned(top_m=1, volunteer_top_m=1)
    assert graph.edge_count == 3
    result = propose_round(graph, k=1)
    assert result.proposals == {1: (B,), 2: (A,)}
    assert result.total_score == 105
    assert result.proof["served_by_the_proof"] == 1 and result.proof["displaced"] == 1
    assert reference_servable(full) == [True, True, False]


def test_a_failed_search_closes_whom_it_visited():
    # Two volunteers, everyone fits both: 1 and 2 are served, 3, 4 and 5 are proved left out;
    # after 3's search closes 1 and 2, the searches of 4 and 5 stop at once.
    edges = [(p, v, 50.0 + p) for p in range(1, 6) for v in (A, B)]
    full = CandidateGraph.from_edges([1, 2, 3, 4, 5], [A, B], edges)
    result = propose_round(full.pruned(top_m=2, volunteer_top_m=2), k=1)
    assert result.served == {1, 2}
    assert result.proof["examined"] == 3
    assert result.proof["participants_expanded"] == 3 + 2  # 3, then 1 and 2; 4 and 5 alone


def test_the_proof_matches_brute_force_on_pruned_random_graphs():
    rng = random.Random(31)
    for n in range(120):
        density = 0.4 if n % 2 else rng.uniform(0.1, 0.9)  # half at one-city density
        full = random_graph(rng, rng.randint(1, 6), rng.randint(1, 5), density)
        k = rng.randint(1, 3)
        graph = full.pruned(top_m=rng.randint(1, 2), volunteer_top_m=rng.randint(1, 2))
        result = propose_round(graph, k)
        check_round(full, result, k)
        served, _total = brute_force(full, k)
        assert tuple(int(p) in result.proposals for p in full.participant_ids) == served


def test_the_proof_reads_the_kept_masks_or_computes_them_again_past_the_budget(monkeypatch):
    # The scoring pass keeps every chunk's allowed pairs as bits: the proof then never asks
    # the hard rules again. With a budget of one byte every mask but the last is let go and
    # computed again when a search needs it: the same servable set, the one of every pair.
    participants, volunteers = generate(400, 160, seed=8)
    full = build_candidate_graph(participants, volunteers, top_m=None)
    expected = reference_servable(full)
    for budget, asks_the_rules in ((rounds.ALLOWED_BITS_BUDGET, False), (1, True)):
        monkeypatch.setattr(rounds, "ALLOWED_BITS_BUDGET", budget)
        graph = build_candidate_graph(participants, volunteers, top_m=1, volunteer_top_m=1)
        assert len(graph.source.layout()[0]) > 1
        asked = []

        def rules(rows, cols, asked=asked, hard_rules=graph.source.pairing.allowed):
            asked.append(len(rows))
            return hard_rules(rows, cols)

        monkeypatch.setattr(graph.source.pairing, "allowed", rules)
        match = serve_in_waiting_order(graph)
        proof = prove_waiting_order(graph, match)
        assert proof["served_by_the_proof"] > 0 and proof["examined"] > 0
        assert list(match >= 0) == expected
        assert bool(asked) == asks_the_rules


def test_one_city_rounds_match_brute_force_and_an_exact_milp():
    # Everyone around Ghent (about 40% of pairs allowed): the served set and the total are
    # the optimum's, by brute force on tiny lists and an exact MILP on larger ones.
    rng = random.Random(5)
    for seed in range(40):
        participants, volunteers = generate(rng.randint(2, 6), rng.randint(1, 5), seed=seed,
                                            cities=ONE_CITY)
        rarity = interest_rarity(participants + volunteers)
        full = build_candidate_graph(participants, volunteers, rarity=rarity, top_m=None)
        k = rng.randint(1, 3)
        result = run_round(participants, volunteers, k=k, rarity=rarity)
        served, total = brute_force(full, k)
        assert tuple(int(p) in result.proposals for p in full.participant_ids) == served
        assert result.total_score == pytest.approx(total, abs=1e-3)
    for seed in range(3):
        participants, volunteers = generate(60, 45, seed=100 + seed, cities=ONE_CITY)
        rarity = interest_rarity(participants + volunteers)
        full = build_candidate_graph(participants, volunteers, rarity=rarity, top_m=None)
        assert full.edge_count > 0.3 * 60 * 45
        result = run_round(participants, volunteers, k=3, rarity=rarity)  # pruned
        assert list(result_served(full, result)) == reference_servable(full)
        assert result.total_score >= 0.995 * reference_optimum(full, 3)


def result_served(graph, result):
    return [int(p) in result.proposals for p in graph.participant_ids]


def test_the_cost_of_the_rule_is_the_unconstrained_optimum_minus_the_round():
    # Without the rule, 3 and 2 would be served (185); with it, 1 and 2 (140).
    assert best_unconstrained(scarce_case(), k=1).total_score == 185
    assert propose_round(scarce_case(), k=1).total_score == 140


def test_the_round_is_deterministic_whatever_the_input_order():
    participants, volunteers = generate(120, 90, seed=9)
    first = run_round(participants, volunteers)
    again = run_round(participants, volunteers)
    shuffled = run_round(random.Random(1).sample(participants, len(participants)),
                         random.Random(2).sample(volunteers, len(volunteers)))
    assert first.proposals == again.proposals == shuffled.proposals


def test_waiting_order_is_longest_first_unknown_last_ties_by_id():
    people = [
        Profile(id=5, waiting_since=date(2025, 3, 1)),
        Profile(id=3, waiting_since=None),
        Profile(id=4, waiting_since=date(2024, 1, 1)),
        Profile(id=2, waiting_since=date(2025, 3, 1)),
    ]
    assert [p.id for p in waiting_order(people)] == [4, 2, 5, 3]


def test_k_must_be_at_least_one():
    with pytest.raises(ValueError):
        propose_round(scarce_case(), k=0)


def test_an_empty_waiting_list_gives_an_empty_round():
    result = run_round([], [Profile(id=1)])
    assert result.proposals == {} and result.total_score == 0


@pytest.mark.parametrize("limit_km", [5.0, 15.0, 60.0])
def test_the_candidate_graph_holds_exactly_the_allowed_pairs(limit_km):
    # The spatial grouping only skips pairs that are too far: compare with every pair.
    participants, volunteers = generate(70, 160, seed=4)
    weights = Weights(max_distance_km=limit_km)
    rarity = interest_rarity(participants + volunteers)
    graph = build_candidate_graph(participants, volunteers, weights, rarity, top_m=None)
    got = {(int(graph.participant_ids[p]), int(graph.volunteer_ids[v])): float(s)
           for p, v, s in zip(graph.participant, graph.volunteer, graph.score, strict=True)}
    expected = {(p.id, v.id): score for p in participants for v in volunteers
                if (score := score_pair(p, v, weights, rarity)) is not None}
    assert got.keys() == expected.keys()
    assert all(got[pair] == pytest.approx(expected[pair], abs=1e-4) for pair in expected)
    assert len(expected) > 50


def test_a_changed_round_is_checked_before_it_is_sent():
    participants, volunteers = generate(60, 60, seed=12)
    result = run_round(participants, volunteers)
    by_id_p = {p.id: p for p in participants}
    by_id_v = {v.id: v for v in volunteers}
    assert problems_in_proposals(result.proposals, by_id_p, by_id_v) == []
    first, second = list(result.proposals)[:2]
    changed = dict(result.proposals)
    changed[second] = changed[second] + changed[first][:1]  # the same volunteer twice
    problems = problems_in_proposals(changed, by_id_p, by_id_v)
    assert (second, changed[first][0], "in_two_lists") in problems
    changed = {first: result.proposals[first] + (999,) * 3}
    far_away = Profile(id=999, languages=frozenset({"nl"}), availability=2**21 - 1, lat=0.0,
                       lon=0.0)
    problems = problems_in_proposals(changed, by_id_p, {**by_id_v, 999: far_away})
    assert (first, None, "more_than_k") in problems
    assert (first, None, "twice_in_one_list") in problems
    assert (first, 999, "too_far") in problems
