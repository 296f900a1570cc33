"""Synthetic but realistic waiting lists and volunteers for the benchmarks (and tests).

People live around a few Belgian cities; interests have a skewed popularity; most speak
Dutch or French, many some English, newcomers often another language; availability leans
to evenings and weekends for volunteers; some have wishes, a few of them musts; about 5% of
the volunteers are not ready.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np

from matching.scoring.pairs import Profile, Wish

CITIES = (
    # name, lat, lon, share of people, share speaking Dutch, share speaking French
    ("Antwerpen", 51.2194, 4.4025, 0.25, 0.95, 0.15),
    ("Gent", 51.0543, 3.7174, 0.20, 0.95, 0.15),
    ("Brussel", 50.8503, 4.3517, 0.30, 0.45, 0.85),
    ("Leuven", 50.8798, 4.7005, 0.10, 0.95, 0.20),
    ("Liège", 50.6326, 5.5797, 0.15, 0.10, 0.97),
)
OTHER_LANGUAGES = ("ar", "tr", "ps", "ti", "uk", "ru", "es", "pl", "ro", "so", "fa", "am")
INTERESTS = (
    "walking", "cooking", "coffee", "music", "cinema", "football", "reading", "gardening",
    "museums", "cycling", "board games", "swimming", "dancing", "photography", "knitting",
    "chess", "theatre", "fishing", "painting", "languages", "computers", "volunteering",
    "yoga", "running", "concerts", "history", "nature", "baking", "crafts", "birdwatching",
)
INTEREST_LABELS = dict(enumerate(INTERESTS, start=1))
SPREAD_KM = 7.0
TODAY = date(2026, 11, 1)


def _slot_probabilities(volunteer: bool) -> np.ndarray:
    # Per slot (day * 3 + part): volunteers work on weekdays, so evenings and weekends.
    p = np.empty(21)
    for day in range(7):
        weekend = day >= 5
        for part in range(3):
            if volunteer:
                p[day * 3 + part] = 0.45 if weekend else (0.35 if part == 2 else 0.10)
            else:
                p[day * 3 + part] = 0.30 if part < 2 else 0.15
    return p


def _place(rng: np.random.Generator, cities=CITIES):
    shares = np.array([c[3] for c in cities])
    city = cities[rng.choice(len(cities), p=shares / shares.sum())]
    name, lat0, lon0 = city[:3]
    north, east = rng.normal(0.0, SPREAD_KM, 2)
    lat = lat0 + north / 111.2
    lon = lon0 + east / (111.2 * math.cos(math.radians(lat0)))
    radius = math.hypot(north, east)
    if radius < 5:
        municipality = name
    else:
        # Rings of 5 km cut in 8 sectors stand in for the surrounding municipalities.
        sector = int((math.degrees(math.atan2(north, east)) + 180) // 45)
        municipality = f"{name}-{int(radius // 5)}-{sector}"
    return city, lat, lon, municipality


def _languages(rng, city, volunteer: bool) -> frozenset[str]:
    languages = set()
    if rng.random() < city[4]:
        languages.add("nl")
    if rng.random() < city[5]:
        languages.add("fr")
    if rng.random() < (0.5 if volunteer else 0.3):
        languages.add("en")
    if not volunteer and rng.random() < 0.25:
        languages.add(OTHER_LANGUAGES[int(rng.zipf(1.6) - 1) % len(OTHER_LANGUAGES)])
    if volunteer and rng.random() < 0.05:
        languages.add(OTHER_LANGUAGES[rng.integers(len(OTHER_LANGUAGES))])
    if not languages:
        languages.add("nl" if city[4] > city[5] else "fr")
    return frozenset(sorted(languages)[:3])


def _interests(rng, popularity) -> frozenset[int]:
    count = int(rng.integers(2, 7))
    chosen = rng.choice(len(INTERESTS), size=count, replace=False, p=popularity)
    return frozenset(int(i) + 1 for i in chosen)


def _availability(rng, probabilities) -> int:
    mask = 0
    while not mask:
        bits = rng.random(21) < probabilities
        mask = int(sum(1 << i for i in np.flatnonzero(bits)))
    return mask


def _wishes(rng, volunteer: bool) -> tuple[Wish, ...]:
    wishes = []
    if rng.random() < (0.10 if volunteer else 0.15):
        wishes.append(Wish("gender", str(rng.choice(["f", "m"])), must=rng.random() < 0.3))
    if rng.random() < 0.10:
        low = int(rng.integers(18, 50))
        wishes.append(Wish("age_range", (low, low + int(rng.integers(15, 40))),
                           must=rng.random() < 0.25))
    if not volunteer and rng.random() < 0.05:
        wishes.append(Wish("lived_experience", True, must=rng.random() < 0.2))
    return tuple(wishes)


def _person(rng, person_id, volunteer, popularity, slot_probabilities,
            cities=CITIES) -> Profile:
    city, lat, lon, municipality = _place(rng, cities)
    known_place = rng.random() > 0.03
    gender = str(rng.choice(["f", "m", "x", ""], p=[0.52, 0.40, 0.03, 0.05]))
    age = int(rng.integers(20, 76) if volunteer else rng.integers(18, 81))
    lived = rng.choice([True, False, None], p=[0.3, 0.6, 0.1])
    waiting = None if volunteer else TODAY - timedelta(days=int(rng.integers(0, 730)))
    return Profile(
        id=person_id,
        languages=_languages(rng, city, volunteer),
        interests=_interests(rng, popularity),
        availability=_availability(rng, slot_probabilities),
        lat=round(lat, 5) if known_place else None,
        lon=round(lon, 5) if known_place else None,
        municipality=municipality,
        gender=gender,
        age=age if rng.random() > 0.05 else None,
        lived_experience=None if lived is None else bool(lived),
        wishes=_wishes(rng, volunteer),
        waiting_since=waiting,
        ready=bool(rng.random() > 0.05) if volunteer else True,
        free_capacity=int(rng.choice([1, 1, 1, 2])) if volunteer else 0,
    )


# Most Flemish projects work in one city or region: everyone around Ghent, where about 40%
# of the pairs keep the hard rules (five cities: under 10%).
ONE_CITY = tuple(c for c in CITIES if c[0] == "Gent")


def generate(n_participants: int, n_volunteers: int, seed: int = 0, cities=CITIES):
    """(participants, volunteers) with ids 1.. and 1_000_001.., living around `cities`
    (`CITIES`: five, `ONE_CITY`: Ghent only)."""
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, len(INTERESTS) + 1) ** 0.9
    popularity /= popularity.sum()
    p_slots, v_slots = _slot_probabilities(False), _slot_probabilities(True)
    participants = [_person(rng, i + 1, False, popularity, p_slots, cities)
                    for i in range(n_participants)]
    volunteers = [_person(rng, 1_000_001 + i, True, popularity, v_slots, cities)
                  for i in range(n_volunteers)]
    return participants, volunteers
