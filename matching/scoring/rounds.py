"""A proposal round for the whole waiting list, as one global assignment.

Fairness rule (docs/matching.md): going down the waiting list (longest waiting first), a
participant is *servable* when they can get a volunteer of their own together with every
servable participant above them. The round gives every servable participant 1 to k
volunteers and nobody else any; each volunteer is in at most one list. Among such rounds it
looks for the highest total score.

Memory grows with the people, not with the pairs:

1. **Scoring in chunks.** A few hundred participants at a time are scored against the
   volunteers within the distance limit of them (`Pairing.evaluate`: the interest and
   preference parts are one product of thin 0/1 matrices). Of every chunk only each
   participant's `top_m` best volunteers and each volunteer's `volunteer_top_m` best
   participants are kept: the *kept graph*, about (top_m + volunteer_top_m) pairs per
   person. The allowed pairs are counted, and kept only as one bit each for step 3.
2. **Who is served**, on the kept graph: one heaviest matching with weights falling along
   the waiting list (a min-cost flow, OR-Tools' `SimpleMinCostFlow`: exact on whole-number
   costs, and on five cities at 100,000 × 100,000 about 20 times faster than SciPy's
   sparse LAPJV, `min_weight_full_bipartite_matching`, which took 170 s for step 4).
3. **The proof on the full graph.** For every participant left without a volunteer, an
   alternating-path search over *every* allowed pair (each visited participant's allowed
   volunteers generated again on demand from the spatial index) shows that serving them
   would unserve someone who waited longer. Where it finds a way to serve them instead,
   it takes it (the participant it displaces waited less and is examined in turn): this
   is the greedy of the matroid of matchable sets, done exactly on the full graph. A
   search that fails closes the participants it visited for every later search. A search
   that succeeds may have walked most of a city first, and the next one walks it again:
   so the scoring pass keeps each chunk's allowed pairs as a mask of one bit a pair
   (`ScoringSource.remember`, 322 MiB for five cities at 100,000 × 100,000, under a
   budget past which the least recently used masks are let go and computed again), and a
   search step is one OR over the rows' bits instead of the hard rules again.
   `RoundResult.proof` says how much of the full graph it needed.
4. **The scores**, exactly on the kept graph plus the pairs step 3 used: each served
   participant gets 1 to k volunteers, each volunteer at most one participant; the same
   min-cost flow (scores in millionths of a point) finds the best round on that graph.
"""

from __future__ import annotations

import ctypes
import glob
import heapq
import math
import os
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

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
DEFAULT_TOP_M = 12
DEFAULT_VOLUNTEER_TOP_M = 12
# About this many pairs are scored at once: a few MB per array, whatever the sizes.
CHUNK_PAIRS = 1 << 20
MAX_CHUNK_ROWS = 256
THREADS = 2
# The proof keeps the allowed-pair masks of the chunks it visits, one bit a pair, least
# recently used first out beyond this budget (322 MiB holds every chunk of five cities at
# 100,000 × 100,000); past it, masks are computed again, slower but the same.
ALLOWED_BITS_BUDGET = 512 << 20

Progress = Callable[[str, float], None]


def _no_progress(stage: str, done: float) -> None:
    return None


def _blas_local_threads():
    """OpenBLAS's per-thread setting, when NumPy's OpenBLAS has it (0.3.27+): each scoring
    thread multiplies on one core, instead of every call starting threads of its own that
    fight over the same two cores (several times slower on a busy machine)."""
    folder = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
    for path in glob.glob(os.path.join(folder, "libscipy_openblas*.so")):
        try:
            return ctypes.CDLL(path).openblas_set_num_threads_local
        except (OSError, AttributeError):
            continue
    return None


_SET_BLAS_THREADS = _blas_local_threads()


def one_blas_thread() -> None:
    """Matrix products of the calling thread use one core (a no-op without OpenBLAS)."""
    if _SET_BLAS_THREADS is not None:
        _SET_BLAS_THREADS(1)


@dataclass(frozen=True, eq=False)
class CandidateGraph:
    """Allowed pairs with their scores. Participants are in waiting order (index 0 waited
    longest); edges refer to participants and volunteers by index, sorted by participant,
    then volunteer, without duplicates.

    A graph built with pruning holds only the kept pairs and a `source` that generates any
    participant's allowed volunteers on demand (the full graph, never held); a graph
    without `source` is complete."""

    participant_ids: np.ndarray
    volunteer_ids: np.ndarray
    participant: np.ndarray
    volunteer: np.ndarray
    score: np.ndarray
    source: PairSource | None = field(default=None, repr=False)
    allowed_count: int | None = None

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

    def key(self, participant, volunteer) -> np.ndarray:
        return np.asarray(participant, dtype=np.int64) * len(self.volunteer_ids) + volunteer

    @property
    def keys(self) -> np.ndarray:
        return self.key(self.participant, self.volunteer)

    @property
    def edge_count(self) -> int:
        return len(self.score)

    @property
    def complete(self) -> bool:
        return self.source is None

    def pruned(self, top_m: int, volunteer_top_m: int) -> CandidateGraph:
        """This (complete) graph's `top_m` best pairs per participant and `volunteer_top_m`
        per volunteer, with this graph as the source of the rest (tests, references)."""
        keep = np.zeros(self.edge_count, dtype=bool)
        for side, m in ((self.participant, top_m), (self.volunteer, volunteer_top_m)):
            order = np.lexsort((-self.score, side))
            starts = np.searchsorted(side[order], side[order], side="left")
            rank = np.arange(len(order)) - starts
            keep[order[rank < m]] = True
        return CandidateGraph(
            self.participant_ids, self.volunteer_ids, self.participant[keep],
            self.volunteer[keep], self.score[keep], source=EdgeSource(self),
            allowed_count=self.edge_count)

    def with_edges(self, participant, volunteer, score) -> CandidateGraph:
        """This graph with more edges (those already there are kept once)."""
        keys = np.concatenate([self.keys, self.key(participant, volunteer)])
        keys, first = np.unique(keys, return_index=True)
        n_v = len(self.volunteer_ids)
        return CandidateGraph(
            self.participant_ids, self.volunteer_ids, keys // n_v if n_v else keys,
            keys % n_v if n_v else keys,
            np.concatenate([self.score, np.asarray(score, dtype=self.score.dtype)])[first],
            source=self.source, allowed_count=self.allowed_count)


class PairSource:
    """Generates the allowed pairs of any participants on demand: the full graph, which a
    pruned `CandidateGraph` never holds."""

    def reach(self, rows: np.ndarray, open_v: np.ndarray, stop: np.ndarray):
        """The volunteers still open (`open_v`, a mask it clears for them) that one of the
        participants `rows` may be paired with, each with one such participant:
        (volunteers, participants, pairs looked at). It may stop early once it reached a
        volunteer marked in `stop`."""
        raise NotImplementedError

    def scores(self, participant: np.ndarray, volunteer: np.ndarray) -> np.ndarray:
        """The scores of these allowed pairs."""
        raise NotImplementedError


class EdgeSource(PairSource):
    """The pairs of a complete graph (tests and references)."""

    def __init__(self, graph: CandidateGraph):
        self.graph = graph
        self.starts = np.searchsorted(graph.participant,
                                      np.arange(len(graph.participant_ids) + 1))

    def reach(self, rows, open_v, stop):
        spans = [np.arange(self.starts[r], self.starts[r + 1]) for r in rows]
        edges = np.concatenate(spans) if spans else np.zeros(0, dtype=np.int64)
        r, c = self.graph.participant[edges], self.graph.volunteer[edges]
        keep = open_v[c]
        c, first = np.unique(c[keep], return_index=True)
        open_v[c] = False
        return c, r[keep][first], len(edges)

    def scores(self, participant, volunteer):
        graph = self.graph
        return graph.score[np.searchsorted(graph.keys, graph.key(participant, volunteer))]


@dataclass(frozen=True, eq=False)
class RoundResult:
    """Per participant id, the proposed volunteer ids, best score first."""

    proposals: dict[int, tuple[int, ...]]
    total_score: float
    participant: np.ndarray  # chosen pairs, as indices of the graph's participants
    volunteer: np.ndarray
    # Per participant id, the scores of the proposed volunteers (same order).
    scores: dict[int, tuple[float, ...]] = field(default_factory=dict)
    # How the waiting-order rule was proved on the full graph (`prove_waiting_order`).
    proof: dict = field(default_factory=dict)

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


class ScoringSource(PairSource):
    """The full graph of a waiting list and the volunteers, generated chunk by chunk: the
    participants grouped by map cells the size of the distance limit, each group compared
    with the volunteers in its bounding box widened by the limit (plus every volunteer
    without coordinates, whom the municipality rule decides)."""

    def __init__(self, pairing: Pairing, limit_km: float, bits_budget: int | None = None):
        self.pairing = pairing
        p, v = pairing.participants, pairing.volunteers
        self.p, self.v = p, v
        self.reach_radians = limit_km / EARTH_RADIUS_KM  # radians of latitude
        # Volunteers who can never be proposed are left out of every chunk.
        eligible = v.eligible
        self.v_unknown = np.flatnonzero(np.isnan(v.lat) & eligible)
        known = np.flatnonzero(~np.isnan(v.lat) & eligible)
        self.by_lat = known[np.argsort(v.lat[known], kind="stable")]
        self.lat_sorted = v.lat[self.by_lat]
        self.everyone = np.flatnonzero(eligible)
        self._layout = None
        self._bits: OrderedDict[int, np.ndarray] = OrderedDict()
        self._bits_bytes = 0
        self.bits_budget = ALLOWED_BITS_BUDGET if bits_budget is None else bits_budget

    def layout(self):
        """The chunks of the whole waiting list, each participant's chunk and row in it."""
        if self._layout is None:
            chunks = list(self.chunks())
            chunk_of = np.zeros(len(self.p), dtype=np.int64)
            row_in = np.zeros(len(self.p), dtype=np.int64)
            for n, (rows, _cols) in enumerate(chunks):
                chunk_of[rows] = n
                row_in[rows] = np.arange(len(rows))
            self._layout = (chunks, chunk_of, row_in)
        return self._layout

    def remember(self, n: int, bits: np.ndarray) -> None:
        """Keep chunk `n`'s allowed-pair mask (rows × columns, `np.packbits` along the
        rows) within the budget, least recently used out first."""
        self._bits[n] = bits
        self._bits_bytes += bits.nbytes
        while self._bits_bytes > self.bits_budget and len(self._bits) > 1:
            _, old = self._bits.popitem(last=False)
            self._bits_bytes -= old.nbytes

    def _bits_of(self, n: int) -> np.ndarray:
        bits = self._bits.get(n)
        if bits is None:
            rows, cols = self.layout()[0][n]
            self.remember(n, np.packbits(self.pairing.allowed(rows, cols), axis=1))
            return self._bits[n]
        self._bits.move_to_end(n)
        return bits

    def chunks(self, subset: np.ndarray | None = None):
        """(participant rows, volunteer columns) to compare, covering every allowed pair of
        the participants `subset` (all when None)."""
        p = self.p
        subset = np.arange(len(p)) if subset is None else np.asarray(subset, dtype=np.int64)
        unknown = subset[np.isnan(p.lat[subset])]
        yield from self._split(unknown, lambda rows: self.everyone)
        known = subset[~np.isnan(p.lat[subset])]
        if not len(known):
            return
        cell = self.reach_radians
        cell_lat = np.floor(p.lat[known] / cell).astype(np.int64)
        cell_lon = np.floor(p.lon[known] * np.cos(p.lat[known]) / cell).astype(np.int64)
        order = np.lexsort((known, cell_lon, cell_lat))
        known, cell_lat, cell_lon = known[order], cell_lat[order], cell_lon[order]
        starts = np.flatnonzero(
            np.r_[True, (np.diff(cell_lat) != 0) | (np.diff(cell_lon) != 0), True])
        for a, b in zip(starts[:-1], starts[1:], strict=True):
            yield from self._split(known[a:b], self._near)

    def _split(self, rows, columns_of):
        if not len(rows):
            return
        cols = columns_of(rows)
        step = max(8, min(MAX_CHUNK_ROWS, CHUNK_PAIRS // max(len(cols), 1)))
        for start in range(0, len(rows), step):
            part = rows[start:start + step]
            yield part, (columns_of(part) if len(rows) > step else cols)

    def _near(self, rows):
        p, v, reach = self.p, self.v, self.reach_radians
        low, high = p.lat[rows].min() - reach, p.lat[rows].max() + reach
        band = self.by_lat[np.searchsorted(self.lat_sorted, low):
                           np.searchsorted(self.lat_sorted, high, "right")]
        # A degree of longitude is shortest at the latitude farthest from the equator.
        widest = min(max(abs(low), abs(high)), math.radians(89.0))
        lon_reach = reach / math.cos(widest)
        west, east = p.lon[rows].min() - lon_reach, p.lon[rows].max() + lon_reach
        near = band[(v.lon[band] >= west) & (v.lon[band] <= east)]
        return np.sort(np.concatenate([near, self.v_unknown]))

    def reach(self, rows, open_v, stop):
        # The rows' chunks, each read from its kept mask: one OR over the rows' bits says
        # which of the chunk's volunteers any of them may have.
        chunks, chunk_of, row_in = self.layout()
        rows = np.asarray(rows, dtype=np.int64)
        rows = rows[np.argsort(chunk_of[rows], kind="stable")]
        ids = chunk_of[rows]
        bounds = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1], True])
        found_c, found_r, scanned = [], [], 0
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            cols = chunks[ids[a]][1]
            open_here = open_v[cols]
            n_open = int(np.count_nonzero(open_here))
            if not n_open:
                continue
            mine = rows[a:b]
            bits = self._bits_of(int(ids[a]))[row_in[mine]]
            scanned += len(mine) * n_open
            hit = np.unpackbits(np.bitwise_or.reduce(bits, axis=0), count=len(cols))
            hit = np.flatnonzero(hit.view(bool) & open_here)
            if not len(hit):
                continue
            # Of each volunteer reached, the first of the rows that may have them.
            bit = (bits[:, hit >> 3] >> (7 - (hit & 7)).astype(np.uint8)) & 1
            reached = cols[hit]
            open_v[reached] = False
            found_c.append(reached)
            found_r.append(mine[np.argmax(bit, axis=0)])
            if stop[reached].any():
                break
        if not found_c:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, scanned
        return np.concatenate(found_c), np.concatenate(found_r), scanned

    def scores(self, participant, volunteer):
        out = np.zeros(len(participant))
        for n, (r, c) in enumerate(zip(participant, volunteer, strict=True)):
            allowed, score = self.pairing.evaluate(np.array([r]), np.array([c]))
            if not allowed[0, 0]:
                raise AssertionError("the proof used a pair the hard rules do not allow")
            out[n] = score[0, 0]
        return out


def build_candidate_graph(
    participants: Sequence[Profile],
    volunteers: Sequence[Profile] | ProfileBlock,
    weights: Weights = DEFAULT_WEIGHTS,
    rarity: Mapping[int, float] | None = None,
    excluded_pairs: Collection[tuple[int, int]] = (),
    top_m: int | None = DEFAULT_TOP_M,
    volunteer_top_m: int = DEFAULT_VOLUNTEER_TOP_M,
    progress: Progress = _no_progress,
) -> CandidateGraph:
    """The kept graph: each participant's `top_m` best allowed volunteers and each
    volunteer's `volunteer_top_m` best participants, with a source that generates the rest
    on demand; every allowed pair when `top_m` is None (a complete graph, for references:
    its memory grows with the allowed pairs).

    Never a dense participants × volunteers matrix: chunks of about a million pairs."""
    ordered = waiting_order(participants)
    p_block = ProfileBlock.from_profiles(ordered)
    # Volunteers in id order, so that the input order never changes the round.
    v_block = volunteers if isinstance(volunteers, ProfileBlock) else (
        ProfileBlock.from_profiles(sorted(volunteers, key=lambda v: v.id))
    )
    pairing = Pairing(p_block, v_block, weights, rarity, excluded_pairs)
    source = ScoringSource(pairing, weights.max_distance_km)
    chunks = source.layout()[0]
    total_pairs = sum(len(r) * len(c) for r, c in chunks) or 1
    best = _BestPerVolunteer(len(v_block), volunteer_top_m if top_m is not None else 0)
    parts: tuple[list[np.ndarray], ...] = ([], [], [])
    allowed_count, done = 0, 0

    def score(chunk):
        one_blas_thread()
        return _score_chunk(pairing, *chunk, top_m, best)

    # NumPy lets go of the GIL in its loops: two threads keep both cores busy.
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for n, ((rows, cols), (edges, allowed, chunk_best, mask)) in enumerate(zip(
                chunks, _bounded_map(pool, score, chunks), strict=True)):
            for part, array in zip(parts, edges, strict=True):
                part.append(array)
            allowed_count += allowed
            if mask is not None:
                # The proof reads these masks again instead of the hard rules.
                source.remember(n, mask)
            if chunk_best is not None:
                best.add(*chunk_best)
            done += len(rows) * len(cols)
            progress("scoring", done / total_pairs)
    participant, volunteer, score_ = (_concatenate(part) for part in parts)
    v_p, v_v, v_s = best.edges()
    participant = np.concatenate([participant, v_p])
    volunteer = np.concatenate([volunteer, v_v])
    score_ = np.concatenate([score_, v_s])
    keys = participant.astype(np.int64) * max(len(v_block), 1) + volunteer
    keys, first = np.unique(keys, return_index=True)
    return CandidateGraph(
        participant_ids=p_block.ids,
        volunteer_ids=v_block.ids,
        participant=participant[first].astype(np.int64),
        volunteer=volunteer[first].astype(np.int64),
        score=score_[first],
        source=source if top_m is not None else None,
        allowed_count=allowed_count,
    )


def _rank_in_runs(values: np.ndarray) -> np.ndarray:
    """For a sorted array, each entry's position within its run of equal values."""
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    index = np.arange(len(values))
    starts = np.r_[True, values[1:] != values[:-1]]
    return index - np.maximum.accumulate(np.where(starts, index, 0))


def _bounded_map(pool, function, items, ahead: int = THREADS + 1):
    """`pool.map` that keeps at most `ahead` results waiting (each holds a scored chunk)."""
    pending = []
    for item in items:
        pending.append(pool.submit(function, item))
        if len(pending) > ahead:
            yield pending.pop(0).result()
    for future in pending:
        yield future.result()


def _concatenate(arrays: list[np.ndarray]) -> np.ndarray:
    joined = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int32)
    arrays.clear()
    return joined


def _score_chunk(pairing: Pairing, rows, cols, top_m: int | None,
                 volunteers_best: _BestPerVolunteer):
    """Of one chunk: each participant's best pairs (all allowed ones when `top_m` is None),
    how many pairs are allowed, the candidates for the volunteers' best and the mask of
    allowed pairs, one bit a pair (for the proof; None when every pair is kept)."""
    allowed, score = pairing.evaluate(rows, cols)
    count = int(np.count_nonzero(allowed))
    if top_m is None:
        r, c = np.nonzero(allowed)
        return (rows[r].astype(np.int32), cols[c].astype(np.int32),
                score[r, c].astype(np.float32)), count, None, None
    score[~allowed] = -np.inf
    if score.shape[1] > top_m:
        top = np.argpartition(-score, top_m - 1, axis=1)[:, :top_m]
    else:
        top = np.broadcast_to(np.arange(score.shape[1]), score.shape)
    top_score = np.take_along_axis(score, top, axis=1)
    found = np.isfinite(top_score)
    r = np.broadcast_to(np.arange(len(rows))[:, None], top.shape)[found]
    edges = (rows[r].astype(np.int32), cols[top[found]].astype(np.int32),
             top_score[found].astype(np.float32))
    return (edges, count, volunteers_best.candidates(rows, cols, score),
            np.packbits(allowed, axis=1))


class _BestPerVolunteer:
    """For every volunteer, its `m` best-scored participants, merged chunk by chunk: a
    chunk's pair is looked at only when it beats the volunteer's m-th best so far, so after
    the first chunks of a city little more than the winners is copied."""

    def __init__(self, n_volunteers: int, m: int):
        self.m = m
        self.threshold = np.full(n_volunteers, -np.inf, dtype=np.float32)
        self.pool: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.pooled = 0
        self.n = n_volunteers

    def candidates(self, rows, cols, score):
        """The pairs of a scored chunk that may be among their volunteer's m best (run by
        the scoring threads; the thresholds they read only ever rise)."""
        if not self.m:
            return None
        threshold = self.threshold[cols]
        fresh = np.isneginf(threshold)
        if fresh.sum() > len(cols) // 4 and len(rows) > self.m:
            # Volunteers seen for the first time: only this chunk's m best of each can
            # count, a bound found once instead of copying the whole chunk.
            threshold = np.where(
                fresh, np.partition(score, len(rows) - self.m, axis=0)[len(rows) - self.m],
                threshold)
            better = score >= threshold[None, :]
            better &= np.isfinite(score)
        else:
            better = score > threshold[None, :]
        r, c = np.nonzero(better)
        return rows[r].astype(np.int32), cols[c].astype(np.int32), score[r, c].astype(np.float32)

    def add(self, participant, volunteer, score):
        if not len(score):
            return
        # Thresholds may have risen since the chunk was filtered.
        keep = score > self.threshold[volunteer]
        self.pool.append((participant[keep], volunteer[keep], score[keep]))
        self.pooled += int(keep.sum())
        if self.pooled > 2 * self.m * max(self.n, 1024):
            self._compact()

    def _compact(self):
        participant, volunteer, score = (np.concatenate(x) for x in zip(*self.pool, strict=True))
        # One sort on a single key: by volunteer, best score first (scores are 0..100).
        order = np.argsort(volunteer * 1024.0 - score)
        volunteer, participant, score = volunteer[order], participant[order], score[order]
        keep = _rank_in_runs(volunteer) < self.m
        volunteer, participant, score = volunteer[keep], participant[keep], score[keep]
        # The m-th best of each volunteer with m of them: later pairs must beat it.
        last = np.flatnonzero(_rank_in_runs(volunteer) == self.m - 1)
        self.threshold[volunteer[last]] = score[last]
        self.pool = [(participant, volunteer, score)]
        self.pooled = len(score)

    def edges(self):
        if not self.m or not self.pool:
            empty = np.zeros(0, dtype=np.int32)
            return empty, empty, np.zeros(0, dtype=np.float32)
        self._compact()
        return self.pool[0]


# --------------------------------------------------------------------------- the round


def serve_in_waiting_order(graph: CandidateGraph) -> np.ndarray:
    """Per participant, a volunteer (index, -1: none) such that the participants with one
    are the servable set *of this graph's edges*.

    The sets of participants that can each get a different volunteer form a matroid, so the
    set picked by going down the waiting list is the unique heaviest matchable set for any
    weights that fall strictly along the waiting list: one exact heaviest matching finds
    it, each participant's pairs weighing how many are below them on the list."""
    n_p = len(graph.participant_ids)
    match = np.full(n_p, -1, dtype=np.int64)
    if not graph.edge_count:
        return match
    chosen = _heaviest_assignment(
        n_p, len(graph.volunteer_ids), graph.participant, graph.volunteer,
        weight=n_p - graph.participant, at_least=np.zeros(n_p, dtype=np.int64),
        at_most=np.ones(n_p, dtype=np.int64))
    match[graph.participant[chosen]] = graph.volunteer[chosen]
    return match


# Scores (0..100) in whole millionths of a point for the integer solver: rounding moves a
# round's total by at most half a millionth of a point per pair, far below any difference
# between two rounds that means something (the tests compare totals to 1e-4).
SCORE_SCALE = 1_000_000


def _heaviest_assignment(n_rows: int, n_cols: int, row, col, weight, at_least,
                         at_most) -> np.ndarray:
    """The edges (indices into `row`, `col`) of the heaviest set of edges in which row r has
    between at_least[r] and at_most[r] edges and every column at most one; `weight` are
    whole numbers. Raises ValueError when no such set exists.

    A min-cost flow (OR-Tools' cost-scaling push-relabel, exact on integer costs):
    row r must send at_least[r] units and may take at_most[r] - at_least[r] more from the
    source; each edge carries one unit to its column, each column one to the sink; what
    the rows do not take goes straight from the source to the sink."""
    row = np.asarray(row, dtype=np.int64)
    col = np.asarray(col, dtype=np.int64)
    at_least = np.asarray(at_least, dtype=np.int64)
    optional = np.asarray(at_most, dtype=np.int64) - at_least
    source, sink = n_rows + n_cols, n_rows + n_cols + 1
    spare = int(optional.sum())
    may = np.flatnonzero(optional > 0)
    flow = min_cost_flow.SimpleMinCostFlow()
    edges = flow.add_arcs_with_capacity_and_unit_cost(
        row, n_rows + col, np.ones(len(row), dtype=np.int64),
        -np.asarray(weight, dtype=np.int64))
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([n_rows + np.arange(n_cols), np.full(len(may), source), [source]]),
        np.concatenate([np.full(n_cols, sink), may, [sink]]),
        np.concatenate([np.ones(n_cols, dtype=np.int64), optional[may], [spare]]),
        np.zeros(n_cols + len(may) + 1, dtype=np.int64))
    supplies = np.concatenate([at_least, np.zeros(n_cols, dtype=np.int64),
                               [spare, -(int(at_least.sum()) + spare)]])
    flow.set_nodes_supplies(np.arange(len(supplies)), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise ValueError(f"no assignment keeps every row's bounds ({status.name})")
    return np.flatnonzero(flow.flows(edges) > 0)


def prove_waiting_order(graph: CandidateGraph, match: np.ndarray) -> dict:
    """Makes `match` (per participant a volunteer or -1, a matching of the graph) serve
    exactly the servable set of the *full* graph, and says what that took.

    Down the waiting list, for every participant u without a volunteer: an alternating
    search over every allowed pair (the graph's source generates each visited
    participant's allowed volunteers) looks for a volunteer who is free, or who is held
    by someone who waited less than u. Found: u is servable and takes that path (whoever
    it displaces waited less and is examined in turn). Not found: every volunteer u could
    have is held, through alternating paths, by people who waited longer; serving u
    would unserve one of them, so u is rightly left out. The participants such a failed
    search visited stay closed: no later path can leave them, so no later search enters.

    `match` is changed in place. Returns the counts: participants examined, how many
    could be served after all (`served_by_the_proof`: the kept graph had missed them), how
    many participants' pairs were generated (`participants_expanded`) and how many pairs
    they looked at (`pairs_looked_at`)."""
    n_p, n_v = len(graph.participant_ids), len(graph.volunteer_ids)
    stats = {"participants": n_p, "examined": 0, "served_by_the_proof": 0, "displaced": 0,
             "participants_expanded": 0, "pairs_looked_at": 0}
    source = graph.source
    if source is None:
        stats["complete_graph"] = True
        return stats
    holder = np.full(n_v, -1, dtype=np.int64)
    has = match >= 0
    holder[match[has]] = np.flatnonzero(has)
    closed = np.zeros(n_p, dtype=bool)
    # Who could get anyone at all: a participant with no kept pair has no allowed pair
    # (every participant keeps its best ones).
    has_pairs = np.zeros(n_p, dtype=bool)
    has_pairs[graph.participant] = True
    todo = [int(u) for u in np.flatnonzero(~has & has_pairs)]
    heapq.heapify(todo)
    open_v = np.ones(n_v, dtype=bool)
    visited_p = np.zeros(n_p, dtype=bool)
    reached_by = np.full(n_v, -1, dtype=np.int64)  # the participant whose pair reached it
    while todo:
        u = heapq.heappop(todo)
        if match[u] >= 0 or closed[u]:
            continue
        stats["examined"] += 1
        # Where a path may end: a free volunteer, or one held by someone who waited less.
        stop = (holder < 0) | (holder > u)
        seen_p, seen_v = [np.array([u])], []
        visited_p[u] = True
        frontier = np.array([u])
        end = -1
        while len(frontier):
            cols, rows, scanned = source.reach(frontier, open_v, stop)
            stats["participants_expanded"] += len(frontier)
            stats["pairs_looked_at"] += scanned
            seen_v.append(cols)
            reached_by[cols] = rows
            ends = cols[stop[cols]]
            if len(ends):
                # A free volunteer first: nobody is displaced.
                free = ends[holder[ends] < 0]
                end = int(free[0] if len(free) else ends[0])
                break
            nxt = holder[cols]
            nxt = np.unique(nxt[~closed[nxt] & ~visited_p[nxt]])
            visited_p[nxt] = True
            seen_p.append(nxt)
            frontier = nxt
        seen_p, seen_v = np.concatenate(seen_p), (
            np.concatenate(seen_v) if seen_v else np.zeros(0, dtype=np.int64))
        if end >= 0:
            displaced = int(holder[end])
            volunteer = end
            while True:
                person = int(reached_by[volunteer])
                previous = int(match[person])
                match[person] = volunteer
                holder[volunteer] = person
                if person == u:
                    break
                volunteer = previous
            if displaced >= 0:
                match[displaced] = -1
                stats["displaced"] += 1
                heapq.heappush(todo, displaced)
            stats["served_by_the_proof"] += 1
            open_v[seen_v] = True
        else:
            # Closed for good: their volunteers stay out of every later search too.
            closed[seen_p] = True
        visited_p[seen_p] = False
    return stats


def servable(graph: CandidateGraph) -> np.ndarray:
    """Per participant (waiting order): servable under the fairness rule (on the full graph
    when the graph is pruned)?"""
    match = serve_in_waiting_order(graph)
    prove_waiting_order(graph, match)
    return match >= 0


def propose_round(graph: CandidateGraph, k: int = DEFAULT_K,
                  progress: Progress = _no_progress) -> RoundResult:
    """The round under the fairness rule (exact on the full graph) with the highest total
    score on the graph's pairs (exact when the graph is complete)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    progress("assigning", 0.0)
    match = serve_in_waiting_order(graph)
    progress("assigning", 0.2)
    proof = prove_waiting_order(graph, match)
    progress("assigning", 0.4)
    proof["allowed_pairs"] = graph.allowed_count
    proof["kept_pairs"] = graph.edge_count
    members = np.flatnonzero(match >= 0)
    if not len(members):
        return _result(graph, *_empty_edges(), proof=proof)
    # The pairs the proof found outside the kept graph join it, with their scores.
    missing = ~np.isin(graph.key(members, match[members]), graph.keys, assume_unique=True)
    if missing.any():
        p_new, v_new = members[missing], match[members[missing]]
        graph = graph.with_edges(p_new, v_new, graph.source.scores(p_new, v_new))
    served = np.zeros(len(graph.participant_ids), dtype=bool)
    served[members] = True
    edges = np.flatnonzero(served[graph.participant])
    one_each = _best_assignment(graph, members, edges, 1)
    progress("assigning", 0.7)
    # Every round serving these participants uses at least one volunteer each, all of them
    # neighbours of these participants. When the best one-each round already uses every
    # such neighbour, no round can use more, so it is also the best round for any k (the
    # usual case when volunteers are scarce, and much faster than the k-slot problem).
    neighbours = np.unique(graph.volunteer[edges])
    if k == 1 or len(neighbours) == len(one_each):
        chosen = one_each
    else:
        chosen = _best_assignment(graph, members, edges, k)
    progress("assigning", 1.0)
    return _result(graph, graph.participant[chosen], graph.volunteer[chosen],
                   graph.score[chosen], proof=proof)


def _empty_edges():
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)


def _best_assignment(graph: CandidateGraph, members, edges, k: int) -> np.ndarray:
    """Edges of the best assignment giving each member 1 to k volunteers (exact on these
    edges; the caller knows that one serving every member exists)."""
    n_p = len(graph.participant_ids)
    bounds = np.zeros(n_p, dtype=np.int64)
    bounds[members] = 1
    chosen = _heaviest_assignment(
        n_p, len(graph.volunteer_ids), graph.participant[edges], graph.volunteer[edges],
        weight=_integer_scores(graph.score[edges]), at_least=bounds, at_most=bounds * k)
    return edges[chosen]


def _integer_scores(score) -> np.ndarray:
    return np.rint(np.asarray(score, dtype=float) * SCORE_SCALE).astype(np.int64)


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
    edges = order[np.concatenate(chosen)] if chosen else np.zeros(0, dtype=np.int64)
    return _result(graph, graph.participant[edges], graph.volunteer[edges], graph.score[edges])


def best_unconstrained(graph: CandidateGraph, k: int = DEFAULT_K) -> RoundResult:
    """The highest total score with at most k volunteers each and no waiting-order rule
    (anyone may be left out): what the rule costs, on this graph's pairs."""
    n_p = len(graph.participant_ids)
    if not graph.edge_count:
        return _result(graph, *_empty_edges())
    chosen = _heaviest_assignment(
        n_p, len(graph.volunteer_ids), graph.participant, graph.volunteer,
        weight=_integer_scores(graph.score), at_least=np.zeros(n_p, dtype=np.int64),
        at_most=np.full(n_p, k, dtype=np.int64))
    return _result(graph, graph.participant[chosen], graph.volunteer[chosen],
                   graph.score[chosen])


def _result(graph: CandidateGraph, participant, volunteer, score, proof=None) -> RoundResult:
    participant = np.asarray(participant, dtype=np.int64)
    volunteer = np.asarray(volunteer, dtype=np.int64)
    score = np.asarray(score)
    # Best score first within each participant; ties by volunteer id.
    order = np.lexsort((graph.volunteer_ids[volunteer], -score, participant))
    participant, volunteer, score = participant[order], volunteer[order], score[order]
    proposals: dict[int, list[int]] = {}
    scores: dict[int, list[float]] = {}
    for p, v, s in zip(participant.tolist(), volunteer.tolist(), score.tolist(), strict=True):
        pid = int(graph.participant_ids[p])
        proposals.setdefault(pid, []).append(int(graph.volunteer_ids[v]))
        scores.setdefault(pid, []).append(float(s))
    return RoundResult(
        proposals={p: tuple(vs) for p, vs in proposals.items()},
        total_score=float(score.astype(float).sum()),
        participant=participant,
        volunteer=volunteer,
        scores={p: tuple(s) for p, s in scores.items()},
        proof=proof or {},
    )


def fairness_report(graph: CandidateGraph, result: RoundResult) -> dict[str, int]:
    """How a round compares with the fairness rule (on the full graph)."""
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
    volunteer_top_m: int = DEFAULT_VOLUNTEER_TOP_M,
    progress: Progress = _no_progress,
) -> RoundResult:
    """Score the waiting list against the volunteers and propose the round. `progress`
    is called with ("scoring" | "assigning", share done)."""
    graph = build_candidate_graph(participants, volunteers, weights, rarity, excluded_pairs,
                                  top_m, volunteer_top_m, progress)
    return propose_round(graph, k, progress)
