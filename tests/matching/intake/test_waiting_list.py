"""The waiting list: fit counts, figures, recruitment, pages and API in constant queries."""

import datetime
import random

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.intake import selectors
from matching.intake.availability import bit, to_mask
from matching.intake.models import Postcode
from matching.scoring import fit
from organisations.scoping import organisation_scope
from tests.factories_matching import (
    InterestFactory,
    ParticipantFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

MONDAY_MORNING = bit(0, 0)


def profile(**kwargs):
    base = {"languages": frozenset({"nl"}), "availability": MONDAY_MORNING}
    base.update(kwargs)
    return fit.FitProfile(**base)


def test_availability_bit_is_day_times_three_plus_part():
    assert bit(0, 0) == 1
    assert bit(0, 2) == 1 << 2
    assert bit(6, 2) == 1 << 20
    assert to_mask([(1, 1), (2, 0)]) == (1 << 4) | (1 << 6)


def test_a_pair_needs_a_shared_language_and_a_shared_moment():
    assert fit.hard_fit(profile(), profile())
    assert not fit.hard_fit(profile(), profile(languages=frozenset({"fr"})))
    assert not fit.hard_fit(profile(), profile(availability=bit(0, 1)))


def test_must_wishes_of_both_sides_are_hard_rules_and_preferences_are_not():
    woman = profile(gender="female", age=(40, 41), lived_experience="yes")
    man = profile(gender="male", age=(25, 26), lived_experience="no")
    wants_woman = profile(wish_gender="female", wish_gender_must=True)
    assert fit.hard_fit(wants_woman, woman)
    assert not fit.hard_fit(wants_woman, man)
    assert fit.hard_fit(profile(wish_gender="female"), man)  # only a preference
    wants_young = profile(wish_age_min=20, wish_age_max=30, wish_age_must=True)
    assert fit.hard_fit(wants_young, man) and not fit.hard_fit(wants_young, woman)
    wants_experience = profile(wish_lived_experience="with", wish_lived_experience_must=True)
    assert fit.hard_fit(wants_experience, woman) and not fit.hard_fit(wants_experience, man)
    volunteer_wants_man = profile(wish_gender="male", wish_gender_must=True)
    assert fit.hard_fit(man, volunteer_wants_man)
    assert not fit.hard_fit(woman, volunteer_wants_man)


def test_fit_count_counts_only_ready_volunteers_with_capacity(organisation):
    participant = ParticipantFactory(organisation=organisation, availability=MONDAY_MORNING)
    VolunteerFactory(organisation=organisation, ready=True, availability=MONDAY_MORNING)
    VolunteerFactory(organisation=organisation, ready=True, availability=MONDAY_MORNING)
    VolunteerFactory(organisation=organisation, availability=MONDAY_MORNING)  # not ready
    VolunteerFactory(organisation=organisation, ready=True, availability=bit(3, 2))
    with organisation_scope(organisation):
        assert selectors.fit_counts([participant]) == {participant.id: 2}


@time_machine.travel(datetime.datetime(2026, 6, 1, 12, 0), tick=False)
def test_figures_give_number_waiting_median_and_longest(organisation):
    for days in (10, 20, 100):
        ParticipantFactory(organisation=organisation,
                           waiting_since=datetime.date(2026, 6, 1) - datetime.timedelta(days))
    ParticipantFactory(organisation=organisation, status="paused",
                       waiting_since=datetime.date(2020, 1, 1))
    with organisation_scope(organisation):
        figures = selectors.waiting_figures()
    assert (figures.number_waiting, figures.median_days, figures.longest_days) == (3, 20, 100)


def test_recruitment_sums_unfitted_participants_by_interest_language_and_area(organisation):
    walking = InterestFactory(organisation=organisation, label_en="Walking")
    unfitted = ParticipantFactory(organisation=organisation, languages=["ar"])
    unfitted.interests.add(walking)
    ParticipantFactory(organisation=organisation, languages=["nl"])
    VolunteerFactory(organisation=organisation, ready=True, languages=["nl"])
    with organisation_scope(organisation):
        result = selectors.recruitment()
    assert (result.waiting, result.unfitted) == (2, 1)
    assert result.by_interest == [("Walking", 1)]
    assert result.by_language == [("ar", 1)]
    assert result.by_municipality == [("Gent", 1)]


def _people(organisation, n):
    interest = InterestFactory(organisation=organisation)
    for i in range(n):
        participant = ParticipantFactory(organisation=organisation, languages=["nl", "ar"])
        participant.interests.add(interest)
        VolunteerFactory(organisation=organisation, ready=i % 2 == 0)


@pytest.mark.parametrize("url", ["/waiting-list/", "/api/waiting-list/", "/api/participants/",
                                 "/api/volunteers/", "/volunteers/", "/recruitment/",
                                 "/waiting-list/export.xlsx"])
def test_waiting_list_uses_the_same_number_of_queries_for_3_or_30_people(
    coordinator_client, organisation, django_assert_max_num_queries, url,
):
    _people(organisation, 3)
    with CaptureQueriesContext(connection) as small:
        assert coordinator_client.get(url).status_code == 200
    _people(organisation, 27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = coordinator_client.get(url)
    assert response.status_code == 200


def test_waiting_list_page_shows_figures_fit_and_who_has_no_fit(coordinator_client, organisation):
    ParticipantFactory(organisation=organisation, first_name="Nobodyfits", languages=["ar"])
    ParticipantFactory(organisation=organisation, first_name="Somebodyfits")
    VolunteerFactory(organisation=organisation, ready=True)
    response = coordinator_client.get(reverse("matching:waiting_list"))
    text = response.content.decode()
    assert "median waiting time" in text
    assert text.count('class="no-fit"') == 1
    response = coordinator_client.get(reverse("matching:waiting_list") + "?fit=none")
    assert "Nobodyfits" in response.content.decode()
    assert "Somebodyfits" not in response.content.decode()


def test_waiting_list_filters_by_language_municipality_and_waiting_time(
    coordinator_client, organisation,
):
    ParticipantFactory(organisation=organisation, first_name="Ayse", languages=["tr"],
                       waiting_since=datetime.date(2020, 1, 1))
    ParticipantFactory(organisation=organisation, first_name="Dirk",
                       postcode=Postcode.objects.get(code="9880"))
    api = "/api/waiting-list/"
    names = lambda q: {r["first_name"] for r in coordinator_client.get(api + q).json()["results"]}  # noqa: E731
    assert names("?language=tr") == {"Ayse"}
    assert names("?municipality=Aalter") == {"Dirk"}
    assert names("?waited_months=24") == {"Ayse"}
    body = coordinator_client.get(api).json()
    assert body["figures"]["number_waiting"] == 2
    assert {"fit_count", "days_waiting", "last_contact_on"} <= set(body["results"][0])


@pytest.mark.parametrize("months", ["99999999999", "1201", "-1", "1e400"])
def test_a_waiting_time_out_of_range_is_refused_clearly_by_the_api_and_the_page(
    coordinator_client, organisation, months,
):
    ParticipantFactory(organisation=organisation, first_name="Ayse")
    api = coordinator_client.get("/api/waiting-list/", {"waited_months": months})
    assert api.status_code == 400
    error = api.json()["error"]
    assert (error["code"], list(error["fields"])) == ("invalid", ["waited_months"])
    assert error["fields"]["waited_months"][0].startswith("Ensure this value is")
    page = coordinator_client.get(reverse("matching:waiting_list"), {"waited_months": months})
    assert page.status_code == 200
    assert 'class="field-error"' in page.content.decode()
    export = coordinator_client.get(reverse("matching:waiting_list_export", args=["csv"]),
                                    {"waited_months": months})
    assert export.status_code == 200
    assert coordinator_client.get("/api/waiting-list/", {"waited_months": "1200"}).json()[
        "results"] == []


def test_recruitment_page_names_languages_and_links_to_the_unfitted(coordinator_client,
                                                                    organisation):
    ParticipantFactory(organisation=organisation, languages=["ar"])
    page = coordinator_client.get(reverse("matching:recruitment")).content.decode()
    assert "Arabic (ar)" in page
    assert "?fit=none&amp;status=waiting" in page
    assert coordinator_client.get("/api/recruitment/").json()["by_language"] == [
        {"code": "ar", "count": 1}]


def test_fit_counts_match_the_pairwise_rule_for_many_profiles():
    rng = random.Random(7)
    languages = ["nl", "fr", "ar", "tr"]

    def random_profile():
        return fit.FitProfile(
            languages=frozenset(rng.sample(languages, rng.randint(1, 2))),
            availability=rng.getrandbits(21) & rng.getrandbits(21),
            gender=rng.choice(["female", "male", ""]), age=(30, 31),
            wish_gender=rng.choice(["", "female"]), wish_gender_must=rng.random() < .3,
        )

    participants = {i: random_profile() for i in range(40)}
    volunteers = [random_profile() for _ in range(60)]
    expected = {pid: sum(fit.hard_fit(p, v) for v in volunteers)
                for pid, p in participants.items()}
    assert fit.count_fits(participants, volunteers) == expected
    assert any(expected.values()) and not all(expected.values())


def test_a_pause_whose_check_back_date_has_come_is_flagged(coordinator_client, organisation):
    ParticipantFactory(organisation=organisation, status="paused",
                       check_back_on=datetime.date(2000, 1, 1))
    page = coordinator_client.get(reverse("matching:waiting_list")).content.decode()
    assert "call now" in page


def test_waiting_list_sorts_by_column(coordinator_client, organisation):
    ParticipantFactory(organisation=organisation, first_name="Zoe",
                       waiting_since=datetime.date(2024, 1, 1))
    ParticipantFactory(organisation=organisation, first_name="Anna",
                       waiting_since=datetime.date(2025, 1, 1))
    url = reverse("matching:waiting_list")
    # Only the table: the coordinator's own (random) name is in the page's header.
    by_date = coordinator_client.get(url).content.decode().split("<table", 1)[1]
    assert by_date.index(">Zoe ") < by_date.index(">Anna ")
    by_name = coordinator_client.get(url + "?ordering=name").content.decode()
    assert 'aria-sort="ascending"' in by_name and "ordering=-name" in by_name
    by_name = by_name.split("<table", 1)[1]
    assert by_name.index(">Anna ") < by_name.index(">Zoe ")
