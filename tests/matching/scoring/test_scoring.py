"""The pair score: hard rules, soft parts, reasons; scalar and vectorised paths agree."""

import dataclasses
from datetime import date

import numpy as np
import pytest

from benchmarks.data import generate
from matching.scoring.pairs import (
    EXCLUDED,
    MUST_WISH,
    NO_LANGUAGE,
    NO_TIME,
    NOT_READY,
    TOO_FAR,
    Pairing,
    Profile,
    ProfileBlock,
    Weights,
    Wish,
    hard_rule_failures,
    interest_rarity,
    participants_for_volunteer,
    reasons,
    score_pair,
    shortlist,
    slot,
)
from matching.scoring.rounds import build_candidate_graph

GENT = (51.0543, 3.7174)
SATURDAY_AFTERNOON = slot(5, 1)
MONDAY_EVENING = slot(0, 2)
WALKING, COOKING, CHESS = 1, 2, 3
LABELS = {
    "en": {WALKING: "walking", COOKING: "cooking", CHESS: "chess"},
    "nl": {WALKING: "wandelen", COOKING: "koken", CHESS: "schaken"},
    "fr": {WALKING: "la marche", COOKING: "la cuisine", CHESS: "les échecs"},
}


def km_north(km: float) -> tuple[float, float]:
    return GENT[0] + km / 111.195, GENT[1]


PARTICIPANT = Profile(
    id=1, languages=frozenset({"nl", "en"}), interests=frozenset({WALKING, COOKING}),
    availability=SATURDAY_AFTERNOON | MONDAY_EVENING, lat=GENT[0], lon=GENT[1],
    municipality="Gent", gender="female", age=34, lived_experience=True,
    waiting_since=date(2025, 1, 1),
)
VOLUNTEER = Profile(
    id=101, languages=frozenset({"nl"}), interests=frozenset({WALKING, COOKING, CHESS}),
    availability=SATURDAY_AFTERNOON, lat=km_north(3)[0], lon=GENT[1],
    municipality="Merelbeke", gender="female", age=61, lived_experience=True,
    ready=True, free_capacity=1,
)


def allowed_everywhere(participant, volunteer, excluded=()):
    """The verdict of the scalar path, the short list and the round's graph (they agree)."""
    scalar = score_pair(participant, volunteer, excluded_pairs=excluded) is not None
    listed = [c.volunteer_id for c in shortlist(participant, ProfileBlock.from_profiles(
        [volunteer]), excluded_pairs=excluded)]
    graph = build_candidate_graph([participant], [volunteer], excluded_pairs=excluded)
    assert scalar == (listed == [volunteer.id]) == (graph.edge_count == 1)
    return scalar


def test_the_base_pair_keeps_every_hard_rule():
    assert hard_rule_failures(PARTICIPANT, VOLUNTEER) == []
    assert allowed_everywhere(PARTICIPANT, VOLUNTEER)


def change(profile, **changes):
    return dataclasses.replace(profile, **changes)


HARD_RULE_CASES = {
    "volunteer not ready": (NOT_READY, {}, {"ready": False}),
    "volunteer without free capacity": (NOT_READY, {}, {"free_capacity": 0}),
    "no shared language": (NO_LANGUAGE, {}, {"languages": frozenset({"fr"})}),
    "participant's must wish on gender": (
        MUST_WISH, {"wishes": (Wish("gender", "male", must=True),)}, {}),
    "must wish against an unknown value": (
        MUST_WISH, {"wishes": (Wish("gender", "female", must=True),)}, {"gender": ""}),
    "volunteer's must wish on age": (
        MUST_WISH, {}, {"wishes": (Wish("age_range", (50, 70), must=True),)}),
    "volunteer's must wish against an unknown age": (
        MUST_WISH, {"age": None}, {"wishes": (Wish("age_range", (18, 99), must=True),)}),
    "must wish on lived experience": (
        MUST_WISH, {"wishes": (Wish("lived_experience", True, must=True),)},
        {"lived_experience": None}),
    "no common free time": (NO_TIME, {}, {"availability": MONDAY_EVENING << 3}),
    "too far": (TOO_FAR, {}, {"lat": km_north(16)[0]}),
    "unknown address in another municipality": (TOO_FAR, {"lat": None, "lon": None}, {}),
}


@pytest.mark.parametrize("case", sorted(HARD_RULE_CASES))
def test_each_hard_rule_refuses_the_candidate(case):
    rule, participant_changes, volunteer_changes = HARD_RULE_CASES[case]
    participant = change(PARTICIPANT, **participant_changes)
    volunteer = change(VOLUNTEER, **volunteer_changes)
    assert hard_rule_failures(participant, volunteer) == [rule]
    assert not allowed_everywhere(participant, volunteer)


def test_a_pair_declined_or_ended_before_is_refused():
    excluded = {(PARTICIPANT.id, VOLUNTEER.id)}
    assert hard_rule_failures(PARTICIPANT, VOLUNTEER, excluded_pairs=excluded) == [EXCLUDED]
    assert not allowed_everywhere(PARTICIPANT, VOLUNTEER, excluded)


def test_unknown_address_is_allowed_in_the_same_municipality():
    participant = change(PARTICIPANT, lat=None, lon=None)
    volunteer = change(VOLUNTEER, municipality="Gent")
    assert allowed_everywhere(participant, volunteer)


def test_a_preference_wish_that_does_not_hold_lowers_the_score_only():
    prefers_male = change(PARTICIPANT, wishes=(Wish("gender", "male"),))
    assert allowed_everywhere(prefers_male, VOLUNTEER)
    assert score_pair(prefers_male, VOLUNTEER) < score_pair(PARTICIPANT, VOLUNTEER)


def test_the_distance_limit_is_the_organisations():
    far = change(VOLUNTEER, lat=km_north(20)[0])
    assert score_pair(PARTICIPANT, far) is None
    assert score_pair(PARTICIPANT, far, Weights(max_distance_km=25)) is not None


def test_a_shared_rare_interest_counts_more_than_a_shared_common_one():
    # Everybody likes walking; one other person plays chess.
    crowd = [Profile(id=1000 + i, interests=frozenset({WALKING})) for i in range(50)]
    crowd.append(Profile(id=2000, interests=frozenset({CHESS})))
    rarity = interest_rarity(crowd)
    assert rarity[CHESS] > rarity[WALKING]
    participant = change(PARTICIPANT, interests=frozenset({WALKING, CHESS}))
    walker = change(VOLUNTEER, id=201, interests=frozenset({WALKING}))
    chess_player = change(VOLUNTEER, id=202, interests=frozenset({CHESS}))
    assert score_pair(participant, chess_player, rarity=rarity) > score_pair(
        participant, walker, rarity=rarity)
    best = shortlist(participant, ProfileBlock.from_profiles([walker, chess_player]), k=2,
                     rarity=rarity)
    assert [c.volunteer_id for c in best] == [202, 201]


def test_scores_stay_between_0_and_100():
    perfect = change(VOLUNTEER, municipality="Gent", availability=PARTICIPANT.availability)
    assert score_pair(PARTICIPANT, perfect) == pytest.approx(100.0)
    nothing_shared = change(VOLUNTEER, interests=frozenset(), lat=km_north(14)[0])
    assert 0 <= score_pair(PARTICIPANT, nothing_shared) < 50


def test_the_vectorised_path_agrees_with_the_scalar_path():
    participants, volunteers = generate(25, 300, seed=7)
    rarity = interest_rarity(participants + volunteers)
    excluded = {(participants[0].id, volunteers[0].id)}
    block = ProfileBlock.from_profiles(volunteers)
    pairing = Pairing(ProfileBlock.from_profiles(participants), block, Weights(), rarity,
                      excluded)
    allowed, score = pairing.evaluate(np.arange(len(participants)), np.arange(len(volunteers)))
    checked = 0
    for i, participant in enumerate(participants):
        for j, volunteer in enumerate(volunteers):
            expected = score_pair(participant, volunteer, Weights(), rarity, excluded)
            assert allowed[i, j] == (expected is not None), (participant, volunteer)
            if expected is not None:
                assert score[i, j] == pytest.approx(expected, abs=1e-6)
                checked += 1
    assert checked > 100  # the data has enough allowed pairs to mean something


def test_shortlist_gives_the_k_best_best_first():
    participants, volunteers = generate(5, 400, seed=3)
    rarity = interest_rarity(participants + volunteers)
    block = ProfileBlock.from_profiles(volunteers)
    for participant in participants:
        scores = sorted(
            (s for v in volunteers if (s := score_pair(participant, v, rarity=rarity))
             is not None), reverse=True)
        got = shortlist(participant, block, k=3, rarity=rarity)
        assert [c.score for c in got] == pytest.approx(scores[:3])


def test_volunteers_short_list_puts_longer_waiting_first_among_equal_fits():
    waiting = [change(PARTICIPANT, id=i, waiting_since=date(2026, 1, i)) for i in (1, 2, 3)]
    got = participants_for_volunteer(VOLUNTEER, ProfileBlock.from_profiles(waiting), k=2,
                                     today=date(2026, 6, 1))
    assert [c.participant_id for c in got] == [1, 2]
    assert got[0].waiting_days > got[1].waiting_days


EXPECTED_REASONS = {
    "en": ("You both like cooking and walking", "Both free on Saturday afternoon",
           "Lives 3 km away"),
    "nl": ("Jullie houden allebei van koken en wandelen", "Allebei vrij op zaterdagnamiddag",
           "Woont op 3 km"),
    "fr": ("Vous aimez tous les deux la cuisine et la marche",
           "Tous les deux libres le samedi après-midi", "Habite à 3 km"),
}


@pytest.mark.parametrize("language", sorted(EXPECTED_REASONS))
def test_reasons_are_plain_words_in_the_readers_language(language):
    got = reasons(PARTICIPANT, VOLUNTEER, language, LABELS[language])
    assert got == EXPECTED_REASONS[language]


def test_reasons_name_the_rarest_interests_first():
    rarity = {WALKING: 1.0, COOKING: 3.0}
    assert reasons(PARTICIPANT, VOLUNTEER, "en", LABELS["en"], rarity)[0] == (
        "You both like cooking and walking")
    rarity = {WALKING: 3.0, COOKING: 1.0}
    assert reasons(PARTICIPANT, VOLUNTEER, "en", LABELS["en"], rarity)[0] == (
        "You both like walking and cooking")


def test_reasons_for_unknown_addresses_say_same_municipality_only():
    participant = change(PARTICIPANT, lat=None, lon=None, municipality="Gent")
    volunteer = change(VOLUNTEER, municipality="Gent")
    assert reasons(participant, volunteer, "en", LABELS["en"])[-1] == (
        "Lives in the same municipality")


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_reasons_never_reveal_sensitive_data(language):
    # Both have a gender, an age, lived experience, an exact address and wishes that hold.
    participant = change(PARTICIPANT, wishes=(
        Wish("gender", "female"), Wish("lived_experience", True, must=True),
        Wish("age_range", (55, 65)),
    ))
    volunteer = change(VOLUNTEER, municipality="Gent", lat=51.06712, lon=3.72345, wishes=(
        Wish("age_range", (30, 40), must=True),))
    text = " ".join(reasons(participant, volunteer, language, LABELS[language])).lower()
    forbidden = [
        "female", "male", "woman", "man ", "vrouw", "femme", "homme", "gender", "geslacht",
        "genre", "lived", "experience", "ervaring", "expérience", "61", "34", "age", "leeftijd",
        "51.06", "3.72", "wish", "wens", "souhait", "Gent".lower(),
    ]
    assert [word for word in forbidden if word in text] == []


def test_a_kept_block_prepares_its_side_of_a_pairing_once():
    # A short list pairs one participant with the organisation's kept block of volunteers:
    # the block's side (languages, traits, homes, moments) is prepared for the first short
    # list and reused by the next, with the same scores as a block built afresh.
    participants, volunteers = generate(4, 300, seed=3)
    block = ProfileBlock.from_profiles(volunteers)
    rows, cols = np.zeros(1, dtype=np.int64), np.arange(len(volunteers))
    for participant in participants:
        me = ProfileBlock.from_profiles([participant])
        first, again = Pairing(me, block), Pairing(me, block)
        assert again.v_chord is first.v_chord and again.v_languages is first.v_languages
        assert again.v_traits is first.v_traits
        fresh = Pairing(me, ProfileBlock.from_profiles(volunteers))
        for kept, new in zip(again.evaluate(rows, cols), fresh.evaluate(rows, cols),
                             strict=True):
            assert np.array_equal(kept, new)
    # A changed block is a new block: nothing prepared for the old one carries over.
    changed = block.replaced([volunteers[0].id], [])
    assert len(changed) == len(volunteers) - 1
    assert Pairing(me, changed).v_chord.shape[0] == len(volunteers) - 1
