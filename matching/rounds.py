"""A proposal round for the whole waiting list, as one global assignment.

Fairness rule (docs/matching.md): going down the waiting list (longest waiting first), a
participant is *servable* when they can get a volunteer of their own together with every
servable participant above them. The round gives every servable participant 1 to k
volunteers and nobody else any; each volunteer is in at most one list. Among all such rounds
it picks one with the highest total score.

Both steps are exact assignment problems on a sparse graph, solved with SciPy's LAPJVsp
(`min_weight_full_bipartite_matching`); the graph keeps only each participant's best
`top_m` candidates, so it never holds a dense participants × volunteers matrix.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from .scoring import DEFAULT_WEIGHTS, EARTH_RADIUS_KM, Pairing, Profile, ProfileBlock, Weights

DEFAULT_K = 3
DEFAULT_TOP_M = 25
CHUNK = 256


@dataclass(frozen=True, eq=False)
class CandidateGraph:
    """Allowed pairs with their scores. Participants are in waiting order (index 0 waited
    longest); edges refer to participants and volunteers by index, sorted by participant,
    then volunteer, without duplicates."""

    participant_ids: np.ndarray
    volunteer_ids: np.ndarray
    participant: np.ndarray
    volunteer: np.ndarray
    score: np.ndarray

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
        return cls(
            participant_ids=np.asarray(participant_ids, dtype=np.int64),
            volunteer_ids=np.asarray(volunteer_ids, dtype=np.int64),
            participant=np.array([p for p, _ in pairs], dtype=np.int64),
            volunteer=np.array([v for _, v in pairs], dtype=np.int64),
            score=np.array([unique[pair] for pair in pairs], dtype=float),
        )

    def __post_init__(self):
        keys = self.participant * len(self.volunteer_ids) + self.volunteer
        if len(keys) and not np.all(np.diff(keys) > 0):
            raise ValueError("edges must be sorted by participant, then volunteer, once each")

    @property
    def edge_count(self) -> int:
        return len(self.score)


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
) -> CandidateGraph:
    """Every pair that keeps the hard rules, scored, keeping each participant's `top_m` best
    (all of them when `top_m` is None). Participants are compared only with volunteers
    inside the distance limit of a small group of neighbours, a few hundred at a time."""
    ordered = waiting_order(participants)
    p_block = ProfileBlock.from_profiles(ordered)
    v_block = volunteers if isinstance(volunteers, ProfileBlock) else (
        ProfileBlock.from_profiles(volunteers)
    )
    pairing = Pairing(p_block, v_block, weights, rarity, excluded_pairs)
    first_waiting = _FirstWaiting(len(v_block), top_m)
    parts_p, parts_v, parts_s = [], [], []
    for rows, cols in _spatial_chunks(p_block, v_block, weights.max_distance_km):
        allowed, score = pairing.evaluate(rows, cols)
        r, c = _best_per_row(allowed, score, top_m)
        parts_p.append(rows[r])
        parts_v.append(cols[c])
        parts_s.append(score[r, c])
        first_waiting.update(rows, cols, allowed, score)
    participant, volunteer, score = (
        np.concatenate(parts) if parts else np.zeros(0)
        for parts in ([first_waiting.rows()] + parts_p, [first_waiting.cols()] + parts_v,
                      [first_waiting.scores()] + parts_s)
    )
    participant, volunteer = participant.astype(np.int64), volunteer.astype(np.int64)
    keys = participant * len(v_block) + volunteer
    _, unique = np.unique(keys, return_index=True)  # sorted by participant, then volunteer
    return CandidateGraph(
        participant_ids=p_block.ids,
        volunteer_ids=v_block.ids,
        participant=participant[unique],
        volunteer=volunteer[unique],
        score=score[unique],
    )


class _FirstWaiting:
    """For every volunteer, the `m` longest-waiting participants it may be proposed to.

    Each participant's best-scored candidates alone can leave a volunteer that nobody ranks
    high out of the graph, although a long-waiting participant could only be served by
    them; these edges keep the fairness rule intact on the pruned graph."""

    def __init__(self, n_volunteers: int, m: int | None):
        self.m = m or 0
        self.rank = np.full((n_volunteers, self.m), np.iinfo(np.int64).max)
        self.score = np.zeros((n_volunteers, self.m))

    def update(self, rows, cols, allowed, score):
        if not self.m or not len(rows):
            return
        # Participant indices are waiting ranks: smaller waited longer.
        rank = np.where(allowed, rows[:, None], np.iinfo(np.int64).max).T  # cols × rows
        both_rank = np.concatenate([self.rank[cols], rank], axis=1)
        both_score = np.concatenate([self.score[cols], score.T], axis=1)
        if both_rank.shape[1] > self.m:
            keep = np.argpartition(both_rank, self.m - 1, axis=1)[:, :self.m]
        else:
            keep = np.broadcast_to(np.arange(both_rank.shape[1]), both_rank.shape)
        self.rank[cols] = np.take_along_axis(both_rank, keep, axis=1)
        self.score[cols] = np.take_along_axis(both_score, keep, axis=1)

    def _kept(self):
        return self.rank != np.iinfo(np.int64).max

    def rows(self):
        return self.rank[self._kept()]

    def cols(self):
        return np.nonzero(self._kept())[0]

    def scores(self):
        return self.score[self._kept()]


def _best_per_row(allowed: np.ndarray, score: np.ndarray, top_m: int | None):
    if top_m is None or allowed.shape[1] <= top_m:
        return np.nonzero(allowed)
    masked = np.where(allowed, score, -np.inf)
    best = np.argpartition(-masked, top_m - 1, axis=1)[:, :top_m]
    rows = np.repeat(np.arange(len(score)), top_m)
    cols = best.ravel()
    keep = allowed[rows, cols]
    return rows[keep], cols[keep]


def _spatial_chunks(p: ProfileBlock, v: ProfileBlock, limit_km: float):
    """(participant rows, volunteer columns) to compare: participants grouped by map cells of
    the size of the distance limit, each group with the volunteers in its bounding box
    widened by the limit, plus every volunteer without coordinates (the municipality rule
    decides for them)."""
    reach = limit_km / EARTH_RADIUS_KM  # radians of latitude
    v_unknown = np.flatnonzero(np.isnan(v.lat))
    v_known = np.flatnonzero(~np.isnan(v.lat))
    by_lat = v_known[np.argsort(v.lat[v_known], kind="stable")]
    lat_sorted = v.lat[by_lat]

    p_unknown = np.flatnonzero(np.isnan(p.lat))
    everyone = np.arange(len(v))
    for start in range(0, len(p_unknown), CHUNK):
        yield p_unknown[start:start + CHUNK], everyone

    p_known = np.flatnonzero(~np.isnan(p.lat))
    cell_lat = np.floor(p.lat[p_known] / reach).astype(np.int64)
    cell_lon = np.floor(p.lon[p_known] * np.cos(p.lat[p_known]) / reach).astype(np.int64)
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


def servable(graph: CandidateGraph) -> np.ndarray:
    """Per participant (waiting order): is it servable under the fairness rule?

    The sets of participants that can each get a different volunteer form a matroid, so the
    set picked by going down the waiting list is the unique heaviest matchable set for any
    weights that fall strictly along the waiting list: one exact assignment finds it."""
    n_p, n_v = len(graph.participant_ids), len(graph.volunteer_ids)
    served = np.zeros(n_p, dtype=bool)
    rows = np.unique(graph.participant)
    if not len(rows):
        return served
    row_of = np.full(n_p, -1)
    row_of[rows] = np.arange(len(rows))
    priority = (n_p - graph.participant).astype(float)  # ≥ 1, higher for longer waiting
    r = np.r_[row_of[graph.participant], np.arange(len(rows))]
    c = np.r_[graph.volunteer, n_v + np.arange(len(rows))]
    w = np.r_[priority, np.full(len(rows), 0.5)]  # a private "nobody" for every row
    matrix = sp.csr_array((w, (r, c)), shape=(len(rows), n_v + len(rows)))
    row_ind, col_ind = min_weight_full_bipartite_matching(matrix, maximize=True)
    served[rows[row_ind[col_ind < n_v]]] = True
    return served


def propose_round(graph: CandidateGraph, k: int = DEFAULT_K) -> RoundResult:
    """The round under the fairness rule with the highest total score (exact on `graph`).

    Every servable participant gets k slots: the first must be filled, the others may stay
    empty (a private "nobody" column each). With the same constant added to real and empty
    slots, the heaviest full matching is the round with the highest total score."""
    if k < 1:
        raise ValueError("k must be at least 1")
    served = servable(graph)
    n_v = len(graph.volunteer_ids)
    members = np.flatnonzero(served)
    n_s = len(members)
    if not n_s:
        return _result(graph, np.zeros(0, dtype=np.int64))
    slot_of = np.full(len(served), -1)
    slot_of[members] = np.arange(n_s)
    edges = np.flatnonzero(served[graph.participant])
    base = slot_of[graph.participant[edges]]
    n_extra = n_s * (k - 1)
    r = np.concatenate([base + slot * n_s for slot in range(k)] + [n_s + np.arange(n_extra)])
    c = np.concatenate([graph.volunteer[edges]] * k + [n_v + np.arange(n_extra)])
    w = np.concatenate([graph.score[edges] + 1.0] * k + [np.ones(n_extra)])
    matrix = sp.csr_array((w, (r, c)), shape=(n_s * k, n_v + n_extra))
    row_ind, col_ind = min_weight_full_bipartite_matching(matrix, maximize=True)
    real = col_ind < n_v
    return _result(graph, _edge_index(graph, members[row_ind[real] % n_s], col_ind[real]))


def _edge_index(graph: CandidateGraph, participant, volunteer) -> np.ndarray:
    """Positions of (participant, volunteer) edges; the graph's edges are sorted that way."""
    n_v = len(graph.volunteer_ids)
    keys = graph.participant * n_v + graph.volunteer
    return np.searchsorted(keys, np.asarray(participant) * n_v + np.asarray(volunteer))


def greedy_round(graph: CandidateGraph, k: int = DEFAULT_K) -> RoundResult:
    """First come, first served: down the waiting list, each participant takes their k best
    volunteers that are still free. For comparison only."""
    order = np.lexsort((graph.volunteer, -graph.score, graph.participant))
    participant, volunteer = graph.participant[order], graph.volunteer[order]
    starts = np.searchsorted(participant, np.arange(len(graph.participant_ids) + 1))
    taken = np.zeros(len(graph.volunteer_ids), dtype=bool)
    chosen = []
    for i in range(len(graph.participant_ids)):
        a, b = starts[i], starts[i + 1]
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
        total_score=float(graph.score[edges].sum()),
        participant=graph.participant[edges],
        volunteer=graph.volunteer[edges],
    )


def fairness_report(reference: CandidateGraph, result: RoundResult) -> dict[str, int]:
    """How a round compares with the fairness rule on `reference` (normally the full,
    unpruned candidate graph of the same data; participants in the same order)."""
    should = servable(reference)
    got = np.zeros(len(reference.participant_ids), dtype=bool)
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
