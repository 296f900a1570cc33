"""A proposal round for the whole waiting list, as one global assignment.

Fairness rule (docs/matching.md): going down the waiting list (longest waiting first), a
participant is *servable* when they can get a volunteer of their own together with every
servable participant above them. The round gives every servable participant 1 to k
volunteers and nobody else any; each volunteer is in at most one list. Among such rounds it
looks for the highest total score.

1. Who is served is decided exactly, on every allowed pair (an assignment with weights
   falling along the waiting list; SciPy's sparse LAPJV,
   `min_weight_full_bipartite_matching`).
2. The scores are optimised exactly on a pruned graph: each participant's best `top_m`
   volunteers, each volunteer's best `volunteer_top_m` participants, and the pairs step 1
   used (so every servable participant keeps a volunteer).

Neither step builds a dense participants × volunteers matrix.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from .pairs import (
    DEFAULT_WEIGHTS,
    EARTH_RADIUS_KM,
    Pairing,
    Profile,
    ProfileBlock,
    Weights,
    hard_rule_failures,
)

DEFAULT_K = 3
DEFAULT_TOP_M = 25
DEFAULT_VOLUNTEER_TOP_M = 25
CHUNK = 128
THREADS = 2


@dataclass(frozen=True, eq=False)
class CandidateGraph:
    """Allowed pairs with their scores. Participants are in waiting order (index 0 waited
    longest); edges refer to participants and volunteers by index, sorted by participant,
    then volunteer, without duplicates. `kept` marks the edges the score optimisation looks
    at (None: all of them); the fairness step always looks at every edge."""

    participant_ids: np.ndarray
    volunteer_ids: np.ndarray
    participant: np.ndarray
    volunteer: np.ndarray
    score: np.ndarray
    kept: np.ndarray | None = None

    @classmethod
    def from_edges(
        cls,
        participant_ids: Sequence[int],
        volunteer_ids: Sequence[int],
        edges: Collection[tuple[int, int, float]],
    ) -> CandidateGraph:
        """From (participant id, volunteer id, score) triples; `participant_ids` must be in
        waiting order, longest waiting first."""
        p_index = {p: i for i, p in enumerate(participant_ids)}
        v_index = {v: j for j, v in enumerate(volunteer_ids)}
        unique = {(p_index[p], v_index[v]): s for p, v, s in edges}
        pairs = sorted(unique)
        graph = cls(
            participant_ids=np.asarray(participant_ids, dtype=np.int64),
            volunteer_ids=np.asarray(volunteer_ids, dtype=np.int64),
            participant=np.array([p for p, _ in pairs], dtype=np.int64),
            volunteer=np.array([v for _, v in pairs], dtype=np.int64),
            score=np.array([unique[pair] for pair in pairs], dtype=float),
        )
        if len(pairs) and not np.all(np.diff(graph.keys) > 0):
            raise AssertionError("edges are sorted by participant, then volunteer, once each")
        return graph

    def key(self, participant, volunteer) -> np.ndarray:
        return np.asarray(participant, dtype=np.int64) * len(self.volunteer_ids) + volunteer

    @property
    def keys(self) -> np.ndarray:
        # Not cached: 8 bytes per edge is worth more than the time to compute it.
        return self.key(self.participant, self.volunteer)

    def edge_index(self, participant, volunteer) -> np.ndarray:
        """Positions of (participant, volunteer) edges, which must exist."""
        return np.searchsorted(self.keys, self.key(participant, volunteer))

    @property
    def edge_count(self) -> int:
        return len(self.score)

    @property
    def kept_count(self) -> int:
        return self.edge_count if self.kept is None else int(self.kept.sum())


@dataclass(frozen=True, eq=False)
class RoundResult:
    """Per participant id, the proposed volunteer ids, best score first."""

    proposals: dict[int, tuple[int, ...]]
    total_score: float
    participant: np.ndarray  # chosen edges, as indices into the graph
    volunteer: np.ndarray

    @property
    def served(self) -> frozenset[int]:
        return frozenset(self.proposals)


def waiting_order(participants: Sequence[Profile]) -> list[Profile]:
    """Longest waiting first; no waiting date last; ties by id so the order is stable."""
    return sorted(
        participants,
        key=lambda p: (p.waiting_since is None, p.waiting_since or 0, p.id),
    )


# --------------------------------------------------------------------------- candidates


def build_candidate_graph(
    participants: Sequence[Profile],
    volunteers: Sequence[Profile] | ProfileBlock,
    weights: Weights = DEFAULT_WEIGHTS,
    rarity: Mapping[int, float] | None = None,
    excluded_pairs: Collection[tuple[int, int]] = (),
    top_m: int | None = DEFAULT_TOP_M,
    volunteer_top_m: int = DEFAULT_VOLUNTEER_TOP_M,
) -> CandidateGraph:
    """Every pair that keeps the hard rules, scored, with the pruned ones marked `kept`:
    each participant's `top_m` best and each volunteer's `volunteer_top_m` best (everything
    when `top_m` is None).

    Participants are compared only with volunteers inside the distance limit of a small
    group of neighbours, a few hundred at a time: never a dense participants × volunteers
    matrix. The allowed pairs are stored compactly (4 bytes per index, 4 per score)."""
    ordered = waiting_order(participants)
    p_block = ProfileBlock.from_profiles(ordered)
    # Volunteers in id order, so that the input order never changes the round.
    v_block = volunteers if isinstance(volunteers, ProfileBlock) else (
        ProfileBlock.from_profiles(sorted(volunteers, key=lambda v: v.id))
    )
    pairing = Pairing(p_block, v_block, weights, rarity, excluded_pairs)
    volunteer_m = volunteer_top_m if top_m else 0
    volunteer_best = _BestPerVolunteer(len(v_block), volunteer_m)
    parts: tuple[list[np.ndarray], ...] = ([], [], [], [])
    chunks = _spatial_chunks(p_block, v_block, weights.max_distance_km, np.arange(len(p_block)))
    # NumPy lets go of the GIL in its loops: two threads keep both cores busy.
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        scored = pool.map(lambda chunk: _score_chunk(pairing, *chunk, top_m, volunteer_m),
                          chunks)
        for edges, cols, best_score, best_rows in scored:
            for part, array in zip(parts, edges, strict=True):
                part.append(array)
            volunteer_best.merge(cols, best_score, best_rows)
    participant, volunteer, score, kept = (_concatenate_and_free(part) for part in parts)
    order = _participant_order(participant)
    graph = CandidateGraph(
        participant_ids=p_block.ids,
        volunteer_ids=v_block.ids,
        participant=participant[order],
        volunteer=volunteer[order],
        score=score[order],
        kept=kept[order] if top_m is not None else None,
    )
    if top_m is not None:
        graph.kept[graph.edge_index(*volunteer_best.edges())] = True
    return graph


def _concatenate_and_free(arrays: list[np.ndarray]) -> np.ndarray:
    joined = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int32)
    arrays.clear()
    return joined


def _participant_order(participant: np.ndarray) -> np.ndarray:
    """The order that sorts edges by participant, then volunteer, without a full sort: each
    participant's edges come out of one chunk as one run, already sorted by volunteer."""
    if not len(participant):
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, participant[1:] != participant[:-1]])
    lengths = np.diff(np.r_[starts, len(participant)])
    runs = np.argsort(participant[starts], kind="stable")
    offsets = np.cumsum(lengths[runs]) - lengths[runs]
    order = np.repeat((starts[runs] - offsets).astype(np.int32), lengths[runs])
    order += np.arange(len(participant), dtype=np.int32)
    return order


def _best_per_row(allowed: np.ndarray, score: np.ndarray, top_m: int | None) -> np.ndarray:
    """Mask of each row's `top_m` best allowed entries."""
    if top_m is None or allowed.shape[1] <= top_m:
        return allowed
    masked = np.where(allowed, score, -np.inf)
    best = np.argpartition(-masked, top_m - 1, axis=1)[:, :top_m]
    keep = np.zeros_like(allowed)
    np.put_along_axis(keep, best, True, axis=1)
    return keep & allowed


def _score_chunk(pairing: Pairing, rows, cols, top_m: int | None, volunteer_m: int):
    """The allowed pairs of a chunk (compact, with the participants' best marked), and each
    volunteer's best participants in it."""
    allowed, score = pairing.evaluate(rows, cols)
    r, c = np.nonzero(allowed)
    kept = _best_per_row(allowed, score, top_m)[r, c]
    edges = (rows[r].astype(np.int32), cols[c].astype(np.int32),
             score[r, c].astype(np.float32), kept)
    if not volunteer_m:
        return edges, cols[:0], np.zeros((0, 0)), np.zeros((0, 0), dtype=np.int64)
    masked = np.where(allowed, score, -np.inf).T  # cols × rows
    if masked.shape[1] > volunteer_m:
        best = np.argpartition(-masked, volunteer_m - 1, axis=1)[:, :volunteer_m]
        return edges, cols, np.take_along_axis(masked, best, axis=1), rows[best]
    return edges, cols, masked, np.broadcast_to(rows, masked.shape)


class _BestPerVolunteer:
    """For every volunteer, its `m` best-scored participants, merged chunk by chunk."""

    def __init__(self, n_volunteers: int, m: int):
        self.m = m
        self.score = np.full((n_volunteers, m), -np.inf)
        self.participant = np.full((n_volunteers, m), -1, dtype=np.int64)

    def merge(self, cols, score, rows):
        if not self.m or not len(cols):
            return
        both_score = np.concatenate([self.score[cols], score], axis=1)
        both_rows = np.concatenate([self.participant[cols], rows], axis=1)
        keep = np.argpartition(-both_score, self.m - 1, axis=1)[:, :self.m]
        self.score[cols] = np.take_along_axis(both_score, keep, axis=1)
        self.participant[cols] = np.take_along_axis(both_rows, keep, axis=1)

    def edges(self):
        found = np.isfinite(self.score)
        return self.participant[found], np.nonzero(found)[0]


def _spatial_chunks(p: ProfileBlock, v: ProfileBlock, limit_km: float, subset: np.ndarray):
    """(participant rows, volunteer columns) to compare: participants grouped by map cells
    the size of the distance limit, each group with the volunteers in its bounding box
    widened by the limit, plus every volunteer without coordinates (the municipality rule
    decides for them)."""
    reach = limit_km / EARTH_RADIUS_KM  # radians of latitude
    cell = reach
    v_unknown = np.flatnonzero(np.isnan(v.lat))
    v_known = np.flatnonzero(~np.isnan(v.lat))
    by_lat = v_known[np.argsort(v.lat[v_known], kind="stable")]
    lat_sorted = v.lat[by_lat]

    p_unknown = subset[np.isnan(p.lat[subset])]
    everyone = np.arange(len(v))
    for start in range(0, len(p_unknown), CHUNK):
        yield p_unknown[start:start + CHUNK], everyone

    p_known = subset[~np.isnan(p.lat[subset])]
    if not len(p_known):
        return
    cell_lat = np.floor(p.lat[p_known] / cell).astype(np.int64)
    cell_lon = np.floor(p.lon[p_known] * np.cos(p.lat[p_known]) / cell).astype(np.int64)
    order = np.lexsort((p_known, cell_lon, cell_lat))
    p_known, cell_lat, cell_lon = p_known[order], cell_lat[order], cell_lon[order]
    cell_start = np.flatnonzero(
        np.r_[True, (np.diff(cell_lat) != 0) | (np.diff(cell_lon) != 0), True]
    )
    for a, b in zip(cell_start[:-1], cell_start[1:], strict=True):
        for start in range(a, b, CHUNK):
            rows = p_known[start:min(b, start + CHUNK)]
            yield rows, _volunteers_near(rows, p, v, by_lat, lat_sorted, v_unknown, reach)


def _volunteers_near(rows, p, v, by_lat, lat_sorted, v_unknown, reach):
    low, high = p.lat[rows].min() - reach, p.lat[rows].max() + reach
    band = by_lat[np.searchsorted(lat_sorted, low):np.searchsorted(lat_sorted, high, "right")]
    # A degree of longitude is shortest at the latitude farthest from the equator.
    widest = min(max(abs(low), abs(high)), math.radians(89.0))
    lon_reach = reach / math.cos(widest)
    west, east = p.lon[rows].min() - lon_reach, p.lon[rows].max() + lon_reach
    near = band[(v.lon[band] >= west) & (v.lon[band] <= east)]
    return np.sort(np.concatenate([near, v_unknown]))


# --------------------------------------------------------------------------- the round


def serve_in_waiting_order(graph: CandidateGraph) -> tuple[np.ndarray, np.ndarray]:
    """Who is servable under the fairness rule, and one volunteer each (edge positions).

    The sets of participants that can each get a different volunteer form a matroid, so the
    set picked by going down the waiting list is the unique heaviest matchable set for any
    weights that fall strictly along the waiting list: one exact assignment over every
    allowed pair finds it, with a private "nobody" column for each participant."""
    n_p, n_v = len(graph.participant_ids), len(graph.volunteer_ids)
    served = np.zeros(n_p, dtype=bool)
    counts = np.bincount(graph.participant, minlength=n_p)
    rows = np.flatnonzero(counts)
    if not len(rows):
        return served, np.zeros(0, dtype=np.int64)
    # Built as CSR directly (edges are sorted by participant): each row's edges, then its
    # private "nobody" column; negative weights to minimise, so that SciPy copies nothing.
    n_r, counts = len(rows), counts[rows]
    indices = np.insert(graph.volunteer.astype(np.int32, copy=False), np.cumsum(counts),
                        n_v + np.arange(n_r, dtype=np.int32))
    indptr = np.r_[0, np.cumsum(counts + 1)]
    data = np.repeat(-(n_p - rows).astype(float), counts + 1)  # longer waiting: lower cost
    data[indptr[1:] - 1] = -0.5
    matrix = sp.csr_array((data, indices, indptr), shape=(n_r, n_v + n_r))
    del data, indices
    row_ind, col_ind = min_weight_full_bipartite_matching(matrix)
    del matrix
    matched = col_ind < n_v
    served[rows[row_ind[matched]]] = True
    return served, graph.edge_index(rows[row_ind[matched]], col_ind[matched])


def servable(graph: CandidateGraph) -> np.ndarray:
    """Per participant (waiting order): servable under the fairness rule?"""
    return serve_in_waiting_order(graph)[0]


def propose_round(graph: CandidateGraph, k: int = DEFAULT_K) -> RoundResult:
    """The round under the fairness rule with the highest total score on the kept edges
    (exact when every edge is kept)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    served, fair_edges = serve_in_waiting_order(graph)
    members = np.flatnonzero(served)
    if not len(members):
        return _result(graph, np.zeros(0, dtype=np.int64))
    usable = np.ones(graph.edge_count, dtype=bool) if graph.kept is None else graph.kept.copy()
    usable[fair_edges] = True  # so that every servable participant keeps a volunteer
    edges = np.flatnonzero(usable & served[graph.participant])
    one_each = _best_assignment(graph, members, edges, 1)
    # Every round serving these participants uses at least one volunteer each, all of them
    # neighbours of these participants. When the best one-each round already uses every
    # such neighbour, no round can use more, so it is also the best round for any k (the
    # usual case when volunteers are scarce, and much faster than the k-slot problem).
    neighbours = np.unique(graph.volunteer[edges])
    if k == 1 or len(neighbours) == len(one_each):
        return _result(graph, one_each)
    return _result(graph, _best_assignment(graph, members, edges, k))


def _best_assignment(graph: CandidateGraph, members, edges, k: int) -> np.ndarray:
    """Edges of the best assignment giving each member 1 to k volunteers (exact).

    Every member has k slots: the first must be filled, the others may stay empty (a
    private "nobody" column each). With the same constant added to real and empty slots,
    the heaviest full matching is the assignment with the highest total score."""
    n_s, n_v = len(members), len(graph.volunteer_ids)
    slot_of = np.full(len(graph.participant_ids), -1)
    slot_of[members] = np.arange(n_s)
    base = slot_of[graph.participant[edges]]
    n_extra = n_s * (k - 1)
    r = np.concatenate([base + slot * n_s for slot in range(k)] + [n_s + np.arange(n_extra)])
    c = np.concatenate([graph.volunteer[edges]] * k + [n_v + np.arange(n_extra)])
    w = np.concatenate([graph.score[edges] + 1.0] * k + [np.ones(n_extra)])
    matrix = sp.csr_array((w.astype(float), (r, c)), shape=(n_s * k, n_v + n_extra))
    row_ind, col_ind = min_weight_full_bipartite_matching(matrix, maximize=True)
    real = col_ind < n_v
    return graph.edge_index(members[row_ind[real] % n_s], col_ind[real])


def greedy_round(graph: CandidateGraph, k: int = DEFAULT_K) -> RoundResult:
    """First come, first served: down the waiting list, each participant takes their k best
    volunteers that are still free (on every edge of the graph). For comparison only."""
    order = np.lexsort((graph.volunteer, -graph.score, graph.participant))
    participant, volunteer = graph.participant[order], graph.volunteer[order]
    starts = np.searchsorted(participant, np.arange(len(graph.participant_ids) + 1))
    taken = np.zeros(len(graph.volunteer_ids), dtype=bool)
    chosen = []
    for i in range(len(graph.participant_ids)):
        a, b = starts[i], starts[i + 1]
        if a == b:
            continue
        free = np.flatnonzero(~taken[volunteer[a:b]])[:k] + a
        taken[volunteer[free]] = True
        chosen.append(free)
    chosen_edges = order[np.concatenate(chosen)] if chosen else np.zeros(0, dtype=np.int64)
    return _result(graph, chosen_edges)


def _result(graph: CandidateGraph, edges: np.ndarray) -> RoundResult:
    edges = np.asarray(edges, dtype=np.int64)
    # Best score first within each participant; ties by volunteer id.
    order = np.lexsort((graph.volunteer_ids[graph.volunteer[edges]], -graph.score[edges],
                        graph.participant[edges]))
    edges = edges[order]
    proposals: dict[int, list[int]] = {}
    for p, v in zip(graph.participant[edges], graph.volunteer[edges], strict=True):
        proposals.setdefault(int(graph.participant_ids[p]), []).append(
            int(graph.volunteer_ids[v])
        )
    return RoundResult(
        proposals={p: tuple(vs) for p, vs in proposals.items()},
        total_score=float(graph.score[edges].astype(float).sum()),
        participant=graph.participant[edges],
        volunteer=graph.volunteer[edges],
    )


def fairness_report(graph: CandidateGraph, result: RoundResult) -> dict[str, int]:
    """How a round compares with the fairness rule on `graph` (every allowed pair)."""
    should = servable(graph)
    got = np.zeros(len(graph.participant_ids), dtype=bool)
    got[result.participant] = True
    skipped = np.flatnonzero(should & ~got)
    return {
        "servable": int(should.sum()),
        "served": int(got.sum()),
        # Servable but left without a candidate: someone lower on the list took their place.
        "skipped_servable": int(len(skipped)),
        # Served although not servable under the rule.
        "served_out_of_turn": int((got & ~should).sum()),
        "first_skipped_rank": int(skipped[0]) if len(skipped) else -1,
    }


def problems_in_proposals(
    proposals: Mapping[int, Sequence[int]],
    participants: Mapping[int, Profile],
    volunteers: Mapping[int, Profile],
    k: int = DEFAULT_K,
    weights: Weights = DEFAULT_WEIGHTS,
    excluded_pairs: Collection[tuple[int, int]] = (),
) -> list[tuple[int, int | None, str]]:
    """Checks a round after a coordinator changed it (swapped or removed candidates):
    (participant id, volunteer id or None, problem) for every broken rule; empty when the
    round can be sent. Problems: a hard rule's name, "more_than_k", "twice_in_one_list",
    "in_two_lists"."""
    problems = []
    seen: dict[int, int] = {}
    for participant_id, volunteer_ids in proposals.items():
        if len(volunteer_ids) > k:
            problems.append((participant_id, None, "more_than_k"))
        if len(set(volunteer_ids)) < len(volunteer_ids):
            problems.append((participant_id, None, "twice_in_one_list"))
        for volunteer_id in volunteer_ids:
            if volunteer_id in seen and seen[volunteer_id] != participant_id:
                problems.append((participant_id, volunteer_id, "in_two_lists"))
            seen.setdefault(volunteer_id, participant_id)
            for rule in hard_rule_failures(participants[participant_id],
                                           volunteers[volunteer_id], weights, excluded_pairs):
                problems.append((participant_id, volunteer_id, rule))
    return problems


def run_round(
    participants: Sequence[Profile],
    volunteers: Sequence[Profile] | ProfileBlock,
    k: int = DEFAULT_K,
    weights: Weights = DEFAULT_WEIGHTS,
    rarity: Mapping[int, float] | None = None,
    excluded_pairs: Collection[tuple[int, int]] = (),
    top_m: int | None = DEFAULT_TOP_M,
) -> RoundResult:
    """Score the waiting list against the volunteers and propose the round."""
    graph = build_candidate_graph(participants, volunteers, weights, rarity, excluded_pairs,
                                  top_m)
    return propose_round(graph, k)
