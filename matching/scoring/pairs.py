"""The score of a participant–volunteer pair, on plain data (no models).

Two paths that give the same numbers:

- the scalar path (`hard_rule_failures`, `score_parts`, `score_pair`, `reasons`) for one pair,
  readable and used to explain a candidate;
- the vectorised path (`ProfileBlock`, `Pairing`, `shortlist`, `participants_for_volunteer`)
  for one participant against thousands of volunteers at once, and for the proposal round.

See docs/matching.md for the rules in plain words.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.utils import translation
from django.utils.translation import gettext

DAYS = 7
PARTS_OF_DAY = 3
SLOTS = DAYS * PARTS_OF_DAY
EARTH_RADIUS_KM = 6371.0088

WISH_KINDS = ("gender", "age_range", "lived_experience")

# Hard rules, by the name `hard_rule_failures` reports.
NOT_READY = "volunteer_not_ready"
NO_LANGUAGE = "no_common_language"
MUST_WISH = "must_wish_not_met"
NO_TIME = "no_common_time"
TOO_FAR = "too_far"
EXCLUDED = "declined_or_ended_before"



def gettext_noop(message: str) -> str:
    """Marks a message for `makemessages` without needing Django settings at import time."""
    return message


# Slot names in week order: slot = day * 3 + part (Monday = 0; morning, afternoon, evening).
SLOT_NAMES = (
    gettext_noop("Monday morning"), gettext_noop("Monday afternoon"),
    gettext_noop("Monday evening"), gettext_noop("Tuesday morning"),
    gettext_noop("Tuesday afternoon"), gettext_noop("Tuesday evening"),
    gettext_noop("Wednesday morning"), gettext_noop("Wednesday afternoon"),
    gettext_noop("Wednesday evening"), gettext_noop("Thursday morning"),
    gettext_noop("Thursday afternoon"), gettext_noop("Thursday evening"),
    gettext_noop("Friday morning"), gettext_noop("Friday afternoon"),
    gettext_noop("Friday evening"), gettext_noop("Saturday morning"),
    gettext_noop("Saturday afternoon"), gettext_noop("Saturday evening"),
    gettext_noop("Sunday morning"), gettext_noop("Sunday afternoon"),
    gettext_noop("Sunday evening"),
)


def slot(day: int, part: int) -> int:
    """The availability bit of a part of a day (Monday = 0; morning 0, afternoon 1, evening 2)."""
    return 1 << (day * PARTS_OF_DAY + part)


@dataclass(frozen=True)
class Wish:
    """A wish about the other side. `must` makes it a hard rule, else it is a preference.

    gender: a str; age_range: (min, max) inclusive; lived_experience: a bool.
    """

    kind: str
    value: object
    must: bool = False

    def __post_init__(self):
        if self.kind not in WISH_KINDS:
            raise ValueError(f"unknown wish kind {self.kind!r}")
        if self.kind == "age_range":
            low, high = self.value
            object.__setattr__(self, "value", (int(low), int(high)))
        elif self.kind == "lived_experience":
            object.__setattr__(self, "value", bool(self.value))

    def holds_for(self, other: Profile) -> bool:
        # An unknown value on the other side never fulfils a wish.
        if self.kind == "gender":
            return bool(other.gender) and other.gender == self.value
        if self.kind == "age_range":
            low, high = self.value
            return other.age is not None and low <= other.age <= high
        return other.lived_experience is not None and other.lived_experience == self.value

    @property
    def key(self) -> tuple:
        return (self.kind, self.value)


@dataclass(frozen=True)
class Profile:
    """A participant or a volunteer, as far as matching needs to know."""

    id: int
    languages: frozenset[str] = frozenset()
    interests: frozenset[int] = frozenset()
    availability: int = 0
    lat: float | None = None
    lon: float | None = None
    municipality: str = ""
    gender: str = ""
    age: int | None = None
    lived_experience: bool | None = None
    wishes: tuple[Wish, ...] = ()
    # Participants only.
    waiting_since: date | None = None
    # Volunteers only.
    ready: bool = True
    free_capacity: int = 1

    @property
    def must_wishes(self) -> tuple[Wish, ...]:
        return tuple(w for w in self.wishes if w.must)

    @property
    def preference_wishes(self) -> tuple[Wish, ...]:
        return tuple(w for w in self.wishes if not w.must)

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class Weights:
    """What the organisation can tune. The five weights are relative: the score is
    100 × (weighted sum of the parts, each 0..1) / (sum of the weights)."""

    interests: float = 40.0
    availability: float = 20.0
    proximity: float = 20.0
    participant_wishes: float = 10.0
    volunteer_wishes: float = 10.0
    # Hard limit on the distance between the two homes.
    max_distance_km: float = 15.0
    # This many common slots give the full availability part.
    enough_common_slots: int = 3
    # Proximity of someone in another municipality right next door (falls to 0 at the limit);
    # the same municipality always gives 1.
    nearby_share: float = 0.75
    # Volunteer's list of waiting participants: share of the ranking that is waiting time,
    # which counts fully after `waiting_full_days`.
    waiting_share: float = 0.5
    waiting_full_days: int = 730

    @property
    def total(self) -> float:
        return (
            self.interests + self.availability + self.proximity
            + self.participant_wishes + self.volunteer_wishes
        )


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Candidate:
    volunteer_id: int
    score: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class WaitingCandidate:
    """A waiting participant proposed for a volunteer; `rank` mixes score and waiting time."""

    participant_id: int
    score: float
    waiting_days: int
    rank: float
    reasons: tuple[str, ...] = ()


# --------------------------------------------------------------------------- interests


def interest_rarity(profiles: Iterable[Profile]) -> dict[int, float]:
    """IDF-like weight of every interest among the organisation's participants and
    volunteers: 1 for an interest everybody has, up to 1 + ln(n) for one nobody else has."""
    counts: dict[int, int] = {}
    n = 0
    for profile in profiles:
        n += 1
        for interest in profile.interests:
            counts[interest] = counts.get(interest, 0) + 1
    return {i: 1.0 + math.log((1 + n) / (1 + c)) for i, c in counts.items()}


def _rarity(rarity: Mapping[int, float] | None, interest: int) -> float:
    # Without rarity data every interest counts the same.
    if rarity is None:
        return 1.0
    return rarity.get(interest, 1.0)


# --------------------------------------------------------------------------- scalar path


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance, through the chord between the two points on the unit sphere
    (the vectorised path computes it the same way, with a matrix product)."""
    a, b = _unit_vector(lat1, lon1), _unit_vector(lat2, lon2)
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    chord = math.sqrt(max(2.0 - 2.0 * dot, 0.0))
    return 2 * EARTH_RADIUS_KM * math.asin(min(chord / 2, 1.0))


def _unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    lat, lon = math.radians(lat), math.radians(lon)
    return (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))


def _pair_distance(participant: Profile, volunteer: Profile) -> float | None:
    if not (participant.has_coordinates and volunteer.has_coordinates):
        return None
    return distance_km(participant.lat, participant.lon, volunteer.lat, volunteer.lon)


def _same_municipality(a: Profile, b: Profile) -> bool:
    return bool(a.municipality) and a.municipality == b.municipality


def hard_rule_failures(
    participant: Profile,
    volunteer: Profile,
    weights: Weights = DEFAULT_WEIGHTS,
    excluded_pairs: Collection[tuple[int, int]] = (),
) -> list[str]:
    """The hard rules this pair breaks (empty: the pair may be proposed)."""
    failures = []
    if not (volunteer.ready and volunteer.free_capacity > 0):
        failures.append(NOT_READY)
    if not participant.languages & volunteer.languages:
        failures.append(NO_LANGUAGE)
    if not all(w.holds_for(volunteer) for w in participant.must_wishes) or not all(
        w.holds_for(participant) for w in volunteer.must_wishes
    ):
        failures.append(MUST_WISH)
    if not participant.availability & volunteer.availability:
        failures.append(NO_TIME)
    distance = _pair_distance(participant, volunteer)
    if distance is None:
        # Unknown address: only someone of the same municipality is known to be near.
        if not _same_municipality(participant, volunteer):
            failures.append(TOO_FAR)
    elif distance > weights.max_distance_km:
        failures.append(TOO_FAR)
    if (participant.id, volunteer.id) in excluded_pairs:
        failures.append(EXCLUDED)
    return failures


def _preference_share(wisher: Profile, other: Profile) -> float:
    # The same wish twice counts once.
    preferences = tuple(dict.fromkeys(wisher.preference_wishes))
    if not preferences:
        return 1.0
    return sum(w.holds_for(other) for w in preferences) / len(preferences)


def score_parts(
    participant: Profile,
    volunteer: Profile,
    weights: Weights = DEFAULT_WEIGHTS,
    rarity: Mapping[int, float] | None = None,
) -> dict[str, float]:
    """Each soft part of the score, from 0 to 1 (hard rules are not checked here)."""
    total_interest = sum(_rarity(rarity, i) for i in participant.interests)
    shared_interest = sum(_rarity(rarity, i) for i in participant.interests & volunteer.interests)
    common = (participant.availability & volunteer.availability).bit_count()
    own = participant.availability.bit_count()
    enough = weights.enough_common_slots
    distance = _pair_distance(participant, volunteer)
    if _same_municipality(participant, volunteer):
        proximity = 1.0
    elif distance is None:
        proximity = 0.0
    else:
        proximity = weights.nearby_share * max(0.0, 1.0 - distance / weights.max_distance_km)
    return {
        "interests": shared_interest / total_interest if total_interest else 0.0,
        "availability": min(common, enough) / min(own, enough) if own else 0.0,
        "proximity": proximity,
        "participant_wishes": _preference_share(participant, volunteer),
        "volunteer_wishes": _preference_share(volunteer, participant),
    }


def combine(parts: Mapping[str, float], weights: Weights) -> float:
    """The score from 0 to 100."""
    weighted = sum(getattr(weights, name) * value for name, value in parts.items())
    return 100.0 * weighted / weights.total if weights.total else 0.0


def score_pair(
    participant: Profile,
    volunteer: Profile,
    weights: Weights = DEFAULT_WEIGHTS,
    rarity: Mapping[int, float] | None = None,
    excluded_pairs: Collection[tuple[int, int]] = (),
) -> float | None:
    """The score from 0 to 100, or None when the pair breaks a hard rule."""
    if hard_rule_failures(participant, volunteer, weights, excluded_pairs):
        return None
    return combine(score_parts(participant, volunteer, weights, rarity), weights)


# --------------------------------------------------------------------------- reasons


def _join(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return gettext("%(first)s and %(last)s") % {
        "first": ", ".join(items[:-1]),
        "last": items[-1],
    }


def reasons(
    participant: Profile,
    volunteer: Profile,
    language: str,
    interest_labels: Mapping[int, str] = {},  # noqa: B006 - read only
    rarity: Mapping[int, float] | None = None,
    max_interests: int = 3,
    max_slots: int = 2,
) -> tuple[str, ...]:
    """Why this pair fits, in plain words in `language` (nl, fr, en).

    Only shared interests, common free times and the distance are named: wishes count in the
    score but are never named, since that would tell gender or lived experience. The distance
    is rounded to whole kilometres and no address is given. `interest_labels` maps interest
    ids to their names in `language`.
    """
    shared = sorted(
        (i for i in participant.interests & volunteer.interests if i in interest_labels),
        key=lambda i: (-_rarity(rarity, i), interest_labels[i]),
    )
    common = participant.availability & volunteer.availability
    slots = [s for s in range(SLOTS) if common >> s & 1]
    distance = _pair_distance(participant, volunteer)
    out = []
    # Switching languages costs more than the rest: a caller writing many reasons switches
    # once (a round writes thousands).
    switch = translation.get_language() != language
    with translation.override(language) if switch else contextlib.nullcontext():
        if shared:
            names = [interest_labels[i] for i in shared[:max_interests]]
            out.append(gettext("You both like %(interests)s") % {"interests": _join(names)})
        if slots:
            names = [gettext(SLOT_NAMES[s]) for s in slots[:max_slots]]
            out.append(gettext("Both free on %(times)s") % {"times": _join(names)})
        if distance is not None and distance < 1:
            out.append(gettext("Lives less than 1 km away"))
        elif distance is not None:
            out.append(gettext("Lives %(km)d km away") % {"km": round(distance)})
        elif _same_municipality(participant, volunteer):
            out.append(gettext("Lives in the same municipality"))
    return tuple(out)


# --------------------------------------------------------------------------- vectorised path


def _vocabulary(values: Iterable, key=None) -> tuple:
    return tuple(sorted(set(values), key=key))


def _counts(rows: Sequence[Iterable], vocabulary: Sequence) -> np.ndarray:
    """A rows × len(vocabulary) matrix of how often each value occurs in each row (dense:
    vocabularies are small)."""
    index = {value: j for j, value in enumerate(vocabulary)}
    matrix = np.zeros((len(rows), len(vocabulary)))
    for i, values in enumerate(rows):
        for value in values:
            j = index.get(value)
            if j is not None:
                matrix[i, j] += 1.0
    return matrix


def _align(matrix: np.ndarray, vocabulary: Sequence, target: Sequence) -> np.ndarray:
    """Columns of `matrix` (over `vocabulary`) re-ordered onto the `target` vocabulary."""
    index = {value: j for j, value in enumerate(vocabulary)}
    out = np.zeros((matrix.shape[0], len(target)))
    for j, value in enumerate(target):
        if value in index:
            out[:, j] = matrix[:, index[value]]
    return out


def _traits(profile: Profile) -> list[tuple]:
    """The known categorical values other people's wishes can be about."""
    traits = []
    if profile.gender:
        traits.append(("gender", profile.gender))
    if profile.lived_experience is not None:
        traits.append(("lived_experience", profile.lived_experience))
    return traits


def _age_bounds(wishes: Sequence[Wish]) -> tuple[float, float]:
    # All age musts must hold: their intersection (empty when they contradict).
    lows = [w.value[0] for w in wishes if w.kind == "age_range"]
    highs = [w.value[1] for w in wishes if w.kind == "age_range"]
    return (max(lows), min(highs)) if lows else (-np.inf, np.inf)


def _padded(rows: Sequence[Sequence[float]]) -> np.ndarray:
    width = max((len(r) for r in rows), default=0)
    out = np.full((len(rows), width), np.nan)
    for i, values in enumerate(rows):
        out[i, :len(values)] = values
    return out


@dataclass(frozen=True, eq=False)
class ProfileBlock:
    """Many profiles of one side as arrays. Build it once per list of profiles (it does not
    depend on the other side), then pair it with the other side's block."""

    ids: np.ndarray
    language_vocabulary: tuple[str, ...]
    languages: np.ndarray  # n × L, 0/1
    interest_vocabulary: tuple[int, ...]
    interests: np.ndarray  # n × I, 0/1
    availability: np.ndarray  # int64 masks
    lat: np.ndarray  # radians, NaN when unknown
    lon: np.ndarray
    municipality_vocabulary: tuple[str, ...]
    municipality: np.ndarray  # index into the vocabulary, -1 when unknown
    # Gender and lived experience as (kind, value) traits; wishes about them as counts.
    trait_vocabulary: tuple[tuple, ...]
    traits: np.ndarray  # n × T, 0/1
    trait_musts: np.ndarray  # n × T
    trait_preferences: np.ndarray  # n × T
    age: np.ndarray  # NaN when unknown
    age_must_low: np.ndarray  # -inf / inf without an age must
    age_must_high: np.ndarray
    age_preference_low: np.ndarray  # n × A, NaN padded
    age_preference_high: np.ndarray
    preference_count: np.ndarray
    eligible: np.ndarray  # bool: a ready volunteer with free capacity (participants: True)
    waiting_since: np.ndarray  # date ordinals, NaN when unknown
    profiles: tuple[Profile, ...] = field(repr=False)
    # Arrays derived from this block alone (see `derived`).
    _derived: dict = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.ids)

    def derived(self, key, compute):
        """`compute()`, kept with the block under `key`: a block kept between requests
        (matching/proposals/blocks.py) prepares its side of a pairing once, not for every
        short list. A block is never changed (`replaced` makes a new one), so nothing kept
        goes stale; a few vocabularies at most, so the store is small."""
        found = self._derived.get(key)
        if found is None:  # two threads may both compute it: the same arrays either way
            found = compute()
            if len(self._derived) >= 32:
                self._derived.clear()
            self._derived[key] = found
        return found

    @classmethod
    def from_profiles(cls, profiles: Sequence[Profile]) -> ProfileBlock:
        profiles = tuple(profiles)
        languages = _vocabulary(lang for p in profiles for lang in p.languages)
        interests = _vocabulary(i for p in profiles for i in p.interests)
        traits = _vocabulary(
            [t for p in profiles for t in _traits(p)]
            + [w.key for p in profiles for w in p.wishes if w.kind != "age_range"],
            key=repr,
        )

        def column(getter, dtype, unknown):
            values = [getter(p) for p in profiles]
            return np.array([unknown if v is None else v for v in values], dtype=dtype)

        def trait_wishes(must: bool):
            return [[w.key for w in p.wishes if w.must == must and w.kind != "age_range"]
                    for p in profiles]

        municipalities = _vocabulary(p.municipality for p in profiles if p.municipality)
        municipality_index = {name: n for n, name in enumerate(municipalities)}
        age_musts = [_age_bounds(p.must_wishes) for p in profiles]
        preferences = [tuple(dict.fromkeys(p.preference_wishes)) for p in profiles]
        age_preferences = [[w.value for w in wishes if w.kind == "age_range"]
                           for wishes in preferences]
        return cls(
            ids=np.array([p.id for p in profiles], dtype=np.int64),
            language_vocabulary=languages,
            languages=_counts([p.languages for p in profiles], languages),
            interest_vocabulary=interests,
            interests=_counts([p.interests for p in profiles], interests),
            availability=np.array([p.availability for p in profiles], dtype=np.int64),
            lat=np.radians(column(lambda p: p.lat if p.has_coordinates else None, float, np.nan)),
            lon=np.radians(column(lambda p: p.lon if p.has_coordinates else None, float, np.nan)),
            municipality_vocabulary=municipalities,
            municipality=np.array([municipality_index.get(p.municipality, -1) for p in profiles],
                                  dtype=np.int64),
            trait_vocabulary=traits,
            traits=_counts([_traits(p) for p in profiles], traits),
            trait_musts=_counts(trait_wishes(True), traits),
            trait_preferences=_counts(trait_wishes(False), traits),
            age=column(lambda p: p.age, float, np.nan),
            age_must_low=np.array([low for low, _ in age_musts], dtype=float),
            age_must_high=np.array([high for _, high in age_musts], dtype=float),
            age_preference_low=_padded([[low for low, _ in r] for r in age_preferences]),
            age_preference_high=_padded([[high for _, high in r] for r in age_preferences]),
            preference_count=np.array([len(wishes) for wishes in preferences], dtype=float),
            eligible=np.array([p.ready and p.free_capacity > 0 for p in profiles], dtype=bool),
            waiting_since=column(
                lambda p: p.waiting_since.toordinal() if p.waiting_since else None, float, np.nan
            ),
            profiles=profiles,
        )

    def replaced(self, ids: Collection[int], profiles: Sequence[Profile]) -> ProfileBlock:
        """This block without the rows of `ids`, with `profiles` added (the changed people
        as they are now; someone who left the block is just not among them). Only the new
        rows are built from profiles; the others are copied as arrays."""
        new = ProfileBlock.from_profiles(profiles)
        keep = ~np.isin(self.ids, np.fromiter(ids, dtype=np.int64, count=len(ids)))

        def joined(vocabulary_field, array_field, key=None):
            old_vocabulary = getattr(self, vocabulary_field)
            new_vocabulary = getattr(new, vocabulary_field)
            union = _vocabulary(old_vocabulary + new_vocabulary, key=key)
            parts = []
            for block, vocabulary, rows in ((self, old_vocabulary, keep), (new, new_vocabulary,
                                                                           slice(None))):
                array = getattr(block, array_field)[rows]
                parts.append(array if vocabulary == union else _align(array, vocabulary, union))
            return union, np.concatenate(parts)

        def rows(name):
            return np.concatenate([getattr(self, name)[keep], getattr(new, name)])

        languages, language_rows = joined("language_vocabulary", "languages")
        interests, interest_rows = joined("interest_vocabulary", "interests")
        traits, trait_rows = joined("trait_vocabulary", "traits", key=repr)
        _, must_rows = joined("trait_vocabulary", "trait_musts", key=repr)
        _, preference_rows = joined("trait_vocabulary", "trait_preferences", key=repr)
        municipalities = _vocabulary(self.municipality_vocabulary + new.municipality_vocabulary)
        index = {name: n for n, name in enumerate(municipalities)}

        def recoded(block, rows_):
            codes = np.array([index[m] for m in block.municipality_vocabulary] + [-1],
                             dtype=np.int64)
            return codes[block.municipality[rows_]]

        width = max(self.age_preference_low.shape[1], new.age_preference_low.shape[1])

        def padded(name):
            parts = []
            for block, rows_ in ((self, keep), (new, slice(None))):
                array = getattr(block, name)[rows_]
                extra = np.full((array.shape[0], width - array.shape[1]), np.nan)
                parts.append(np.hstack([array, extra]))
            return np.concatenate(parts)

        kept_profiles = tuple(p for p, k in zip(self.profiles, keep, strict=True) if k)
        return ProfileBlock(
            ids=rows("ids"), language_vocabulary=languages, languages=language_rows,
            interest_vocabulary=interests, interests=interest_rows,
            availability=rows("availability"), lat=rows("lat"), lon=rows("lon"),
            municipality_vocabulary=municipalities,
            municipality=np.concatenate([recoded(self, keep), recoded(new, slice(None))]),
            trait_vocabulary=traits, traits=trait_rows, trait_musts=must_rows,
            trait_preferences=preference_rows, age=rows("age"),
            age_must_low=rows("age_must_low"), age_must_high=rows("age_must_high"),
            age_preference_low=padded("age_preference_low"),
            age_preference_high=padded("age_preference_high"),
            preference_count=rows("preference_count"), eligible=rows("eligible"),
            waiting_since=rows("waiting_since"), profiles=kept_profiles + new.profiles,
        )

    @property
    def nbytes(self) -> int:
        """About how much memory the block holds (its arrays, its profiles at about 1 KB
        each, and what `derived` keeps for it: about 128 bytes a row)."""
        arrays = sum(value.nbytes for value in vars(self).values()
                     if isinstance(value, np.ndarray))
        return arrays + (1024 + 128) * len(self.profiles)

    @property
    def has_age_must(self) -> np.ndarray:
        return np.isfinite(self.age_must_low) | np.isfinite(self.age_must_high)

    def unit_vectors(self) -> np.ndarray:
        """Homes as points on the unit sphere (0 when unknown), for chord distances."""
        lat, lon = np.nan_to_num(self.lat), np.nan_to_num(self.lon)
        return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)],
                        axis=1)


def _side_traits(block: ProfileBlock, traits: tuple) -> tuple:
    """One side's traits over the shared vocabulary: 0/1, as bits, its musts as bits, its
    preferences (0/1)."""
    own = (_align(block.traits, block.trait_vocabulary, traits) > 0).astype(float)
    return (own, _bits(own), _bits(_align(block.trait_musts, block.trait_vocabulary, traits)),
            _align(block.trait_preferences, block.trait_vocabulary, traits) > 0)


def _bits(matrix: np.ndarray) -> np.ndarray:
    """Rows of a 0/1 (or count) matrix as bitsets: n × words of 64 bits."""
    n, width = matrix.shape
    bits = np.zeros((n, max(1, -(-width // 64))), dtype=np.uint64)
    for j in range(width):
        bits[:, j // 64] |= (matrix[:, j] > 0).astype(np.uint64) << np.uint64(j % 64)
    return bits


def _overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """rows(a) × rows(b): do the two bitsets share a bit?"""
    out = (a[:, None, 0] & b[None, :, 0]) != 0
    for word in range(1, a.shape[1]):
        out |= (a[:, None, word] & b[None, :, word]) != 0
    return out


def _missing(needed: np.ndarray, present: np.ndarray) -> np.ndarray:
    """rows(needed) × rows(present): is a needed bit missing?"""
    out = (needed[:, None, 0] & ~present[None, :, 0]) != 0
    for word in range(1, needed.shape[1]):
        out |= (needed[:, None, word] & ~present[None, :, word]) != 0
    return out


def _age_fits(age: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    # NaN (unknown age, or no wish in that slot) never fits.
    with np.errstate(invalid="ignore"):
        return (age >= low) & (age <= high)


# asin(h) = h (1 + h²/6 + 3h⁴/40 + ...): with h = chord / 2, the distance is
# R · chord · (1 + chord²/24 + 3 chord⁴/640), exact to a millimetre up to 1,000 km and far
# cheaper than an arcsine on every pair.
_ASIN_2 = 1.0 / 24.0
_ASIN_4 = 3.0 / 640.0


def _chord2_to_km(chord2: np.ndarray) -> np.ndarray:
    chord2 = np.maximum(chord2, 0.0)
    series = chord2 * _ASIN_4
    series += _ASIN_2
    series *= chord2
    series += 1.0
    series *= np.sqrt(chord2)
    series *= EARTH_RADIUS_KM
    return series


class Pairing:
    """A block of participants against a block of volunteers, with both sides' vocabularies
    aligned once, so that any rows × columns sub-block can be scored with a few array ops.

    The parts that are sums over small 0/1 vocabularies (shared interests weighted by their
    rarity, the preference wishes of both sides) are one matrix product of two thin
    matrices prepared here; so is the squared chord between the homes. What is left per
    pair is a handful of element-wise operations. Rules and wishes few people have (musts,
    age wishes, unknown addresses, exclusions) are applied to their own rows or columns."""

    def __init__(
        self,
        participants: ProfileBlock,
        volunteers: ProfileBlock,
        weights: Weights = DEFAULT_WEIGHTS,
        rarity: Mapping[int, float] | None = None,
        excluded_pairs: Collection[tuple[int, int]] = (),
    ):
        self.participants, self.volunteers, self.weights = participants, volunteers, weights
        p, v, w = participants, volunteers, weights
        scale = 100.0 / w.total if w.total else 0.0

        # Each side's arrays over the shared vocabularies, kept with its block.
        languages = _vocabulary(p.language_vocabulary + v.language_vocabulary)
        self.p_languages, self.v_languages = (
            b.derived(("languages", languages), lambda b=b: _bits(
                _align(b.languages, b.language_vocabulary, languages))) for b in (p, v))

        traits = _vocabulary(p.trait_vocabulary + v.trait_vocabulary, key=repr)
        (p_traits, self.p_traits, self.p_trait_musts, p_preferences), (
            v_traits, self.v_traits, self.v_trait_musts, v_preferences) = (
            b.derived(("traits", traits), lambda b=b: _side_traits(b, traits)) for b in (p, v))
        self.p_has_trait_must = self.p_trait_musts.any(axis=1)
        self.v_has_trait_must = self.v_trait_musts.any(axis=1)

        # The linear parts as one product: participant side · volunteer side.
        interests = p.interest_vocabulary
        weight = np.array([_rarity(rarity, i) for i in interests])
        p_total = p.interests @ weight if len(interests) else np.zeros(len(p))
        p_interest = np.divide(p.interests * weight, p_total[:, None],
                               out=np.zeros(p.interests.shape), where=p_total[:, None] > 0)
        v_interest = (_align(v.interests, v.interest_vocabulary, interests) > 0).astype(float)
        # A side without preference wishes gets its part in full: a constant column.
        self.p_wish_factor = np.divide(w.participant_wishes * scale, p.preference_count,
                                       out=np.zeros(len(p)), where=p.preference_count > 0)
        self.v_wish_factor = np.divide(w.volunteer_wishes * scale, v.preference_count,
                                       out=np.zeros(len(v)), where=v.preference_count > 0)
        p_full = np.where(p.preference_count > 0, 0.0, w.participant_wishes * scale)
        v_full = np.where(v.preference_count > 0, 0.0, w.volunteer_wishes * scale)
        self.p_linear = np.hstack([
            p_interest * (w.interests * scale),
            p_preferences * self.p_wish_factor[:, None],
            p_traits,
            p_full[:, None], np.ones((len(p), 1)),
        ])
        self.v_linear = np.hstack([
            v_interest,
            v_traits,
            v_preferences * self.v_wish_factor[:, None],
            np.ones((len(v), 1)), v_full[:, None],
        ])

        # Squared chord between the homes: 2 - 2 a·b, as one product (0 for unknown homes,
        # which the municipality rule decides instead).
        self.p_chord = p.derived("p_chord", lambda: np.hstack(
            [-2.0 * p.unit_vectors(), np.ones((len(p), 1))]))
        self.v_chord = v.derived("v_chord", lambda: np.hstack(
            [v.unit_vectors(), np.full((len(v), 1), 2.0)]))
        limit = min(w.max_distance_km / EARTH_RADIUS_KM, math.pi)
        self.chord2_limit = (2.0 * math.sin(limit / 2.0)) ** 2
        self.p_unknown_place, self.v_unknown_place = np.isnan(p.lat), np.isnan(v.lat)

        self.p_availability = p.derived("availability", lambda: p.availability.astype(np.int32))
        self.v_availability = v.derived("availability", lambda: v.availability.astype(np.int32))
        own = np.minimum(np.bitwise_count(p.availability), w.enough_common_slots)
        self.p_time_factor = np.divide(w.availability * scale, own, out=np.zeros(len(p)),
                                       where=own > 0)
        self.near_base = w.nearby_share * w.proximity * scale
        self.near_per_km = (self.near_base / w.max_distance_km if w.max_distance_km
                            else 0.0)
        self.same_place = w.proximity * scale

        # Municipalities as codes of a shared vocabulary; unknown ones get codes that never
        # equal anything on the other side.
        names = _vocabulary(p.municipality_vocabulary + v.municipality_vocabulary)
        code = {name: n for n, name in enumerate(names)}
        p_codes = np.array([code[m] for m in p.municipality_vocabulary] + [-1], dtype=np.int32)
        v_codes = np.array([code[m] for m in v.municipality_vocabulary] + [-2], dtype=np.int32)
        self.p_municipality = p_codes[p.municipality]  # -1 picks the last entry: unknown
        self.v_municipality = v_codes[v.municipality]

        self.excluded = np.zeros((0, 2), dtype=np.int64)
        if excluded_pairs:
            p_index = {int(i): n for n, i in enumerate(p.ids)}
            v_index = {int(i): n for n, i in enumerate(v.ids)}
            pairs = [(p_index[a], v_index[b]) for a, b in excluded_pairs
                     if a in p_index and b in v_index]
            self.excluded = np.array(pairs, dtype=np.int64).reshape(-1, 2)

    def allowed(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The mask of pairs (participants `rows` × volunteers `cols`) that keep every hard
        rule (cheaper than `evaluate`: no score)."""
        allowed, _chord2, _same, _common = self._rules(rows, cols)
        return allowed

    def evaluate(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For participants `rows` × volunteers `cols` (indices into the blocks): the mask of
        pairs that keep every hard rule, and the score (0..100) of every allowed pair (the
        score of a pair that breaks a rule is meaningless)."""
        allowed, chord2, same, common = self._rules(rows, cols)
        w = self.weights
        score = self.p_linear[rows] @ self.v_linear[cols].T
        self._add_age_preferences(score, rows, cols)

        common = np.bitwise_count(common)
        np.minimum(common, np.uint8(w.enough_common_slots), out=common)
        score += common * self.p_time_factor[rows, None]

        # Proximity: falls from nearby_share next door to 0 at the limit; the same
        # municipality gives it in full; an unknown address (another municipality) nothing.
        near = _chord2_to_km(chord2)
        near *= -self.near_per_km
        near += self.near_base
        np.maximum(near, 0.0, out=near)
        self._no_proximity_without_address(near, rows, cols)
        near[same] = self.same_place
        score += near
        return allowed, score

    def _rules(self, rows, cols):
        p_unknown = self.p_unknown_place[rows]
        v_unknown = self.v_unknown_place[cols]
        chord2 = self.p_chord[rows] @ self.v_chord[cols].T
        allowed = chord2 <= self.chord2_limit
        same = self.p_municipality[rows, None] == self.v_municipality[None, cols]
        if p_unknown.any() or v_unknown.any():
            # Unknown address: only someone of the same municipality is known to be near.
            unknown = p_unknown[:, None] | v_unknown[None, :]
            allowed[unknown] = same[unknown]
        common = self.p_availability[rows, None] & self.v_availability[None, cols]
        allowed &= common != 0
        allowed &= self.volunteers.eligible[None, cols]
        p_languages, v_languages = self.p_languages[rows], self.v_languages[cols]
        if p_languages.shape[1] == 1:
            allowed &= (p_languages[:, 0, None] & v_languages[None, :, 0]) != 0
        else:
            allowed &= _overlap(p_languages, v_languages)
        self._apply_musts(allowed, rows, cols)
        if len(self.excluded):
            self._apply_exclusions(allowed, rows, cols)
        return allowed, chord2, same, common

    def _no_proximity_without_address(self, near, rows, cols):
        p_unknown = self.p_unknown_place[rows]
        v_unknown = self.v_unknown_place[cols]
        if p_unknown.any():
            near[p_unknown] = 0.0
        if v_unknown.any():
            near[:, v_unknown] = 0.0

    def _apply_musts(self, allowed, rows, cols):
        # Few people have a must: work on their rows or columns only.
        p, v = self.participants, self.volunteers
        some = np.flatnonzero(self.p_has_trait_must[rows])
        if len(some):
            allowed[some] &= ~_missing(self.p_trait_musts[rows[some]], self.v_traits[cols])
        some = np.flatnonzero(self.v_has_trait_must[cols])
        if len(some):
            allowed[:, some] &= ~_missing(self.v_trait_musts[cols[some]],
                                          self.p_traits[rows]).T
        some = np.flatnonzero(p.has_age_must[rows])
        if len(some):
            r = rows[some]
            allowed[some] &= _age_fits(v.age[None, cols], p.age_must_low[r, None],
                                       p.age_must_high[r, None])
        some = np.flatnonzero(v.has_age_must[cols])
        if len(some):
            c = cols[some]
            allowed[:, some] &= _age_fits(p.age[rows, None], v.age_must_low[None, c],
                                          v.age_must_high[None, c])

    def _add_age_preferences(self, score, rows, cols):
        p, v = self.participants, self.volunteers
        for a in range(p.age_preference_low.shape[1]):
            some = np.flatnonzero(~np.isnan(p.age_preference_low[rows, a]))
            r = rows[some]
            score[some] += _age_fits(v.age[None, cols], p.age_preference_low[r, a, None],
                                     p.age_preference_high[r, a, None]) * (
                self.p_wish_factor[r, None])
        for a in range(v.age_preference_low.shape[1]):
            some = np.flatnonzero(~np.isnan(v.age_preference_low[cols, a]))
            c = cols[some]
            score[:, some] += _age_fits(p.age[rows, None], v.age_preference_low[None, c, a],
                                        v.age_preference_high[None, c, a]) * (
                self.v_wish_factor[None, c])

    def _apply_exclusions(self, allowed: np.ndarray, rows: np.ndarray, cols: np.ndarray):
        row_at = np.full(len(self.participants), -1)
        row_at[rows] = np.arange(len(rows))
        col_at = np.full(len(self.volunteers), -1)
        col_at[cols] = np.arange(len(cols))
        r = row_at[self.excluded[:, 0]]
        c = col_at[self.excluded[:, 1]]
        hit = (r >= 0) & (c >= 0)
        allowed[r[hit], c[hit]] = False



def _top(values: np.ndarray, allowed: np.ndarray, k: int, ids: np.ndarray) -> np.ndarray:
    """Indices of the k best allowed values, best first; ties go to the lower id so the
    answer does not depend on the order of the input."""
    candidates = np.flatnonzero(allowed)
    if len(candidates) > k:
        # Keep everything tied with the k-th value, then order exactly.
        kth = np.partition(values[candidates], len(candidates) - k)[len(candidates) - k]
        candidates = candidates[values[candidates] >= kth]
    order = np.lexsort((ids[candidates], -values[candidates]))
    return candidates[order][:k]


def shortlist(
    participant: Profile,
    volunteers: ProfileBlock,
    k: int = 3,
    weights: Weights = DEFAULT_WEIGHTS,
    rarity: Mapping[int, float] | None = None,
    excluded_pairs: Collection[tuple[int, int]] = (),
    language: str | None = None,
    interest_labels: Mapping[int, str] = {},  # noqa: B006 - read only
) -> list[Candidate]:
    """The best k volunteers for a participant, best first, with reasons in `language`
    (no reasons when `language` is None)."""
    block = ProfileBlock.from_profiles([participant])
    pairing = Pairing(block, volunteers, weights, rarity, excluded_pairs)
    allowed, score = pairing.evaluate(np.zeros(1, dtype=np.int64), np.arange(len(volunteers)))
    best = _top(score[0], allowed[0], k, volunteers.ids)
    return [
        Candidate(
            volunteer_id=int(volunteers.ids[j]),
            score=float(score[0, j]),
            reasons=_reasons_or_none(participant, volunteers.profiles[j], language,
                                     interest_labels, rarity),
        )
        for j in best
    ]


def participants_for_volunteer(
    volunteer: Profile,
    participants: ProfileBlock,
    k: int = 3,
    weights: Weights = DEFAULT_WEIGHTS,
    rarity: Mapping[int, float] | None = None,
    excluded_pairs: Collection[tuple[int, int]] = (),
    today: date | None = None,
    language: str | None = None,
    interest_labels: Mapping[int, str] = {},  # noqa: B006 - read only
) -> list[WaitingCandidate]:
    """The waiting participants who fit a volunteer best, ranked by
    (1 - waiting_share) × score + waiting_share × waiting part (0..100, full after
    `waiting_full_days`), so that people who waited long come first among good fits."""
    today = today or date.today()
    block = ProfileBlock.from_profiles([volunteer])
    pairing = Pairing(participants, block, weights, rarity, excluded_pairs)
    allowed, score = pairing.evaluate(np.arange(len(participants)), np.zeros(1, dtype=np.int64))
    allowed, score = allowed[:, 0], score[:, 0]
    waited = np.nan_to_num(today.toordinal() - participants.waiting_since, nan=0.0)
    waited = np.maximum(waited, 0.0)
    waiting_part = 100.0 * np.minimum(waited / max(weights.waiting_full_days, 1), 1.0)
    rank = (1 - weights.waiting_share) * score + weights.waiting_share * waiting_part
    best = _top(rank, allowed, k, participants.ids)
    return [
        WaitingCandidate(
            participant_id=int(participants.ids[i]),
            score=float(score[i]),
            waiting_days=int(waited[i]),
            rank=float(rank[i]),
            reasons=_reasons_or_none(participants.profiles[i], volunteer, language,
                                     interest_labels, rarity),
        )
        for i in best
    ]


def _reasons_or_none(participant, volunteer, language, interest_labels, rarity):
    if language is None:
        return ()
    return reasons(participant, volunteer, language, interest_labels, rarity)
