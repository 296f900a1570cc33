"""The hard rules: could this volunteer be a buddy for this participant at all?

One place for the rules, shared by the waiting list (how many ready volunteers could fit
someone) and, later, the scoring of short lists. Each side is a compact `FitProfile` built
from one `values()` query, so counting fits for a whole list costs no query per row.

A pair fits when
- they share at least one language;
- they share at least one moment of the week (availability masks, see `availability`);
- the volunteer is ready with free capacity (the caller passes only such volunteers:
  `Volunteer.objects.ready_with_capacity()`);
- every wish marked *must*, of either side, is met: gender, age range, and (participant's
  wish) a buddy with or without lived experience of poverty. A must on something the other
  side did not tell (gender or age unknown) is not met.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.utils import timezone

MUST = "must"


def age_bounds(birth_year, age_range, year=None):
    """(youngest, oldest) a person can be this year, or None when unknown."""
    if birth_year:
        year = year or timezone.localdate().year
        return (year - birth_year - 1, year - birth_year)
    if age_range:
        low, high = age_range.split("-")
        return (int(low), int(high))
    return None


@dataclass(frozen=True, slots=True)
class FitProfile:
    """What the hard rules need of one person (either side)."""

    languages: frozenset
    availability: int
    gender: str = ""
    age: tuple | None = None
    lived_experience: str = ""  # volunteer: "yes", "no" or "" (not said)
    wish_gender: str = ""
    wish_gender_must: bool = False
    wish_age_min: int | None = None
    wish_age_max: int | None = None
    wish_age_must: bool = False
    wish_lived_experience: str = ""  # participant: "with", "without" or ""
    wish_lived_experience_must: bool = False


def _age_fits(age, low, high) -> bool:
    if low is None and high is None:
        return True
    if age is None:
        return False
    low = 0 if low is None else low
    high = 200 if high is None else high
    return age[1] >= low and age[0] <= high


def _wishes_met(wisher: FitProfile, other: FitProfile) -> bool:
    if wisher.wish_gender_must and wisher.wish_gender and other.gender != wisher.wish_gender:
        return False
    if wisher.wish_age_must and not _age_fits(other.age, wisher.wish_age_min,
                                              wisher.wish_age_max):
        return False
    if wisher.wish_lived_experience_must and wisher.wish_lived_experience:
        wanted = "yes" if wisher.wish_lived_experience == "with" else "no"
        if other.lived_experience != wanted:
            return False
    return True


def hard_fit(participant: FitProfile, volunteer: FitProfile) -> bool:
    """True when no hard rule keeps this volunteer from this participant."""
    return (
        bool(participant.availability & volunteer.availability)
        and not participant.languages.isdisjoint(volunteer.languages)
        and _wishes_met(participant, volunteer)
        and _wishes_met(volunteer, participant)
    )


def count_fits(participants: dict, volunteers) -> dict:
    """For each participant id in `participants` ({id: FitProfile}), how many of the
    `volunteers` (FitProfiles) fit. Identical volunteer profiles are checked once, and only
    volunteers sharing a language with the participant are looked at."""
    by_language = defaultdict(list)
    for volunteer, n in Counter(volunteers).items():
        for language in volunteer.languages:
            by_language[language].append((volunteer, n))
    counts = {}
    for pid, profile in participants.items():
        seen, total = set(), 0
        for language in profile.languages:
            for volunteer, n in by_language.get(language, ()):
                if id(volunteer) not in seen:
                    seen.add(id(volunteer))
                    if hard_fit(profile, volunteer):
                        total += n
        counts[pid] = total
    return counts


PARTICIPANT_FIT_FIELDS = [
    "id", "languages", "availability", "gender", "birth_year", "age_range",
    "buddy_gender", "buddy_gender_strength", "buddy_age_min", "buddy_age_max",
    "buddy_age_strength", "buddy_lived_experience", "buddy_lived_experience_strength",
]
VOLUNTEER_FIT_FIELDS = [
    "id", "languages", "availability", "gender", "birth_year", "age_range", "lived_experience",
    "wish_gender", "wish_gender_strength", "wish_age_min", "wish_age_max", "wish_age_strength",
]


def participant_profile(row: dict, year=None) -> FitProfile:
    """A FitProfile from a participant's `values(*PARTICIPANT_FIT_FIELDS)` row."""
    return FitProfile(
        languages=frozenset(row["languages"] or ()),
        availability=row["availability"],
        gender=row["gender"],
        age=age_bounds(row["birth_year"], row["age_range"], year),
        wish_gender=row["buddy_gender"],
        wish_gender_must=row["buddy_gender_strength"] == MUST,
        wish_age_min=row["buddy_age_min"],
        wish_age_max=row["buddy_age_max"],
        wish_age_must=row["buddy_age_strength"] == MUST,
        wish_lived_experience=row["buddy_lived_experience"],
        wish_lived_experience_must=row["buddy_lived_experience_strength"] == MUST,
    )


def volunteer_profile(row: dict, year=None) -> FitProfile:
    """A FitProfile from a volunteer's `values(*VOLUNTEER_FIT_FIELDS)` row."""
    return FitProfile(
        languages=frozenset(row["languages"] or ()),
        availability=row["availability"],
        gender=row["gender"],
        age=age_bounds(row["birth_year"], row["age_range"], year),
        lived_experience=row["lived_experience"],
        wish_gender=row["wish_gender"],
        wish_gender_must=row["wish_gender_strength"] == MUST,
        wish_age_min=row["wish_age_min"],
        wish_age_max=row["wish_age_max"],
        wish_age_must=row["wish_age_strength"] == MUST,
    )
