"""Participants and volunteers as `matching.scoring.Profile`s, in a constant number of queries.

Each loader reads compact rows (`values_list`, one query) and the interests of all of them
(one more query on the many-to-many table), so a short list among 10,000 volunteers costs
the same handful of queries as one among 3.
"""

import gc
import math
from collections import defaultdict
from contextlib import contextmanager
from datetime import date

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from matching.intake.models import Interest, Participant, Strength, Volunteer
from matching.intake.selectors import ON_WAITING_LIST
from matching.scoring import pairs
from matching.scoring.fit import age_bounds

from .models import MatchingSettings

COMMON_FIELDS = (
    "id", "languages", "availability", "gender", "birth_year", "age_range",
    "postcode__latitude", "postcode__longitude", "postcode__municipality",
)
PARTICIPANT_FIELDS = COMMON_FIELDS + (
    "buddy_gender", "buddy_gender_strength", "buddy_age_min", "buddy_age_max",
    "buddy_age_strength", "buddy_lived_experience", "buddy_lived_experience_strength",
    "waiting_since",
)
VOLUNTEER_FIELDS = COMMON_FIELDS + (
    "lived_experience", "wish_gender", "wish_gender_strength", "wish_age_min", "wish_age_max",
    "wish_age_strength",
)
MUST_STRENGTH = Strength.MUST
LIVED_EXPERIENCE = {"yes": True, "no": False}
WISHED_EXPERIENCE = {"with": True, "without": False}


def matching_settings(organisation) -> MatchingSettings:
    """The organisation's matching settings, created with the defaults on first use."""
    organisation_id = getattr(organisation, "pk", organisation)
    found = MatchingSettings.objects.filter(organisation_id=organisation_id).first()
    if found is not None:
        return found
    found, _created = MatchingSettings.objects.get_or_create(organisation_id=organisation_id)
    return found


@contextmanager
def collector_paused():
    """Loading thousands of people makes a dozen small objects each, and meanwhile Python's
    cycle collector walks the whole heap again and again: about half of the time a
    10,000-volunteer block takes to build (450 ms, 237 ms paused). Profiles hold no
    cycles, so the collector waits until the load is done. Process-wide while it lasts; a
    thread that finds it paused already leaves it to the one that paused it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def weights_of(settings: MatchingSettings) -> pairs.Weights:
    return pairs.Weights(
        interests=settings.weight_interests,
        availability=settings.weight_availability,
        proximity=settings.weight_proximity,
        participant_wishes=settings.weight_participant_wishes,
        volunteer_wishes=settings.weight_volunteer_wishes,
        max_distance_km=settings.max_distance_km,
    )


def _age(birth_year, age_range, year):
    bounds = age_bounds(birth_year, age_range, year)
    if bounds is None:
        return None
    low, high = bounds
    # A range (18-29) stands for its middle; a year of birth for this year's age.
    return (low + high) // 2 if not birth_year else high


def _age_wish(low, high, strength):
    if low is None and high is None:
        return None
    return pairs.Wish("age_range", (low or 0, high or 120), must=strength == MUST_STRENGTH)


def _participant_profile(row, interests, year) -> pairs.Profile:
    (pid, languages, availability, gender, birth_year, age_range, lat, lon, municipality,
     buddy_gender, gender_strength, age_min, age_max, age_strength, lived, lived_strength,
     waiting_since) = row
    wishes = []
    if buddy_gender:
        wishes.append(pairs.Wish("gender", buddy_gender, must=gender_strength == MUST_STRENGTH))
    age_wish = _age_wish(age_min, age_max, age_strength)
    if age_wish:
        wishes.append(age_wish)
    if lived in WISHED_EXPERIENCE:
        wishes.append(pairs.Wish("lived_experience", WISHED_EXPERIENCE[lived],
                                   must=lived_strength == MUST_STRENGTH))
    return pairs.Profile(
        id=pid, languages=frozenset(languages or ()), interests=frozenset(interests),
        availability=availability, lat=lat, lon=lon, municipality=municipality or "",
        gender=gender or "", age=_age(birth_year, age_range, year), wishes=tuple(wishes),
        waiting_since=waiting_since,
    )


def _volunteer_profile(row, interests, year, free_capacity=1) -> pairs.Profile:
    (vid, languages, availability, gender, birth_year, age_range, lat, lon, municipality,
     lived, wish_gender, gender_strength, age_min, age_max, age_strength) = row
    wishes = []
    if wish_gender:
        wishes.append(pairs.Wish("gender", wish_gender, must=gender_strength == MUST_STRENGTH))
    age_wish = _age_wish(age_min, age_max, age_strength)
    if age_wish:
        wishes.append(age_wish)
    return pairs.Profile(
        id=vid, languages=frozenset(languages or ()), interests=frozenset(interests),
        availability=availability, lat=lat, lon=lon, municipality=municipality or "",
        gender=gender or "", age=_age(birth_year, age_range, year),
        lived_experience=LIVED_EXPERIENCE.get(lived), wishes=tuple(wishes),
        ready=True, free_capacity=free_capacity,
    )


def _interests_of(through, owner_field, owners) -> dict[int, list[int]]:
    out = defaultdict(list)
    rows = through.objects.filter(**{f"{owner_field}__in": owners}).values_list(
        owner_field, "interest_id")
    for owner, interest in rows:
        out[owner].append(interest)
    return out


def participant_profiles(queryset, on: date | None = None) -> list[pairs.Profile]:
    """The participants of `queryset` as Profiles (one query on PostgreSQL, else two)."""
    year = (on or timezone.localdate()).year
    if connection.vendor == "postgresql":
        # One query: each row carries its interest ids.
        rows = list(queryset.values_list(*PARTICIPANT_FIELDS, _interest_ids()))
        return [_participant_profile(row[:-1], [i for i in row[-1] if i], year)
                for row in rows]
    rows = list(queryset.values_list(*PARTICIPANT_FIELDS))
    interests = _interests_of(Participant.interests.through, "participant_id",
                              queryset.values("pk"))
    return [_participant_profile(row, interests.get(row[0], ()), year) for row in rows]


def volunteer_profiles(queryset, on: date | None = None) -> list[pairs.Profile]:
    """The volunteers of `queryset` (ready ones, with capacity) as Profiles (two queries)."""
    year = (on or timezone.localdate()).year
    if connection.vendor == "postgresql":
        # One query: each row carries its interest ids.
        rows = list(queryset.values_list(*VOLUNTEER_FIELDS, _interest_ids()))
        return [_volunteer_profile(row[:-1], [i for i in row[-1] if i], year) for row in rows]
    rows = list(queryset.values_list(*VOLUNTEER_FIELDS))
    interests = _interests_of(Volunteer.interests.through, "volunteer_id",
                              queryset.values("pk"))
    return [_volunteer_profile(row, interests.get(row[0], ()), year) for row in rows]


def _interest_ids():
    return ArrayAgg("interests__id", default=[])


RARITY_SECONDS = 600


def interest_rarity(organisation) -> dict[int, float]:
    """The rarity weight of each interest among the organisation's waiting participants and
    volunteers, as `pairs.interest_rarity` computes it, from four counting queries.

    Rarity moves slowly (one person more or less hardly changes it), so it is cached for a
    few minutes per organisation: a short list then costs no counting over all volunteers."""
    organisation_id = getattr(organisation, "pk", organisation)
    key = f"matching:interest-rarity:{organisation_id}"
    found = cache.get(key)
    if found is None:
        found = _interest_rarity(organisation_id)
        cache.set(key, found, RARITY_SECONDS)
    return found


def _interest_rarity(organisation_id) -> dict[int, float]:
    people = Participant.objects.filter(organisation_id=organisation_id,
                                        status__in=ON_WAITING_LIST)
    volunteers = Volunteer.objects.filter(organisation_id=organisation_id, status="active")
    n = people.count() + volunteers.count()
    counts = defaultdict(int)
    for model, owner, owners in ((Participant, "participant", people),
                                 (Volunteer, "volunteer", volunteers)):
        rows = (model.interests.through.objects.filter(**{f"{owner}__in": owners})
                .values("interest_id").annotate(n=Count("id")).values_list("interest_id", "n"))
        for interest, count in rows:
            counts[interest] += count
    return {i: 1.0 + math.log((1 + n) / (1 + c)) for i, c in counts.items()}


def interest_labels(organisation) -> dict[str, dict[int, str]]:
    """{language: {interest id: label}} for the reasons (one query)."""
    organisation_id = getattr(organisation, "pk", organisation)
    labels = {"nl": {}, "fr": {}, "en": {}}
    rows = Interest.objects.filter(organisation_id=organisation_id).values_list(
        "id", "label_nl", "label_fr", "label_en")
    for pk, nl, fr, en in rows:
        labels["nl"][pk] = nl
        labels["fr"][pk] = fr or nl
        labels["en"][pk] = en or nl
    return labels
