"""Intake through the staff pages and the API: same rules, clear messages, nothing saved."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from matching.intake import services
from matching.intake.models import Participant, Volunteer
from tests.factories import CoordinatorFactory
from tests.factories_matching import (
    InterestCategoryFactory,
    InterestFactory,
    ParticipantFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db


def form_data(**extra):
    data = {"first_name": "Fatima", "last_name": "El Idrissi", "phone": "0470 12 34 56",
            "contact_channel": "sms", "message_language": "nl", "postcode": "9000",
            "languages": "nl, ar", "availability": ["0-0", "6-2"], "referrer": "ocmw",
            "buddy_gender_strength": "preference", "buddy_age_strength": "preference",
            "buddy_lived_experience_strength": "preference", "consents": ["data", "sms"],
            "intake_key": "token-1"}
    data.update(extra)
    return data


def test_participant_intake_page_puts_someone_on_the_waiting_list(coordinator_client,
                                                                  organisation, coordinator):
    interest = InterestFactory(organisation=organisation)
    response = coordinator_client.post(reverse("matching:participant_create"),
                                       form_data(interests=[interest.pk]))
    participant = Participant.objects.get()
    assert response.status_code == 302
    assert participant.availability == 1 | (1 << 20)
    assert participant.languages == ["nl", "ar"]
    recorded = {c.purpose: c.given for c in participant.consents.filter(recorded_by=coordinator)}
    # Consent is explicit: what was left unticked is recorded as refused.
    assert recorded == {"data": True, "sms": True, "share_profile": False, "referrer": False}
    # A double click sends the same token: still one participant.
    coordinator_client.post(reverse("matching:participant_create"), form_data())
    assert Participant.objects.count() == 1
    assert response["Location"].endswith("?step=2")  # the rest of the intake can wait
    page = coordinator_client.get(f"/participants/{participant.pk}/").content.decode()
    assert "Fatima" in page and "Monday morning" in page


@pytest.mark.parametrize("field, value, message", [
    ("phone", "12345", "is not a possible phone number"),
    ("postcode", "9999", "9999 is not a Belgian postcode."),
    ("waiting_since", "2999-01-01", "Waiting since cannot be in the future."),
])
def test_participant_intake_page_shows_clear_errors_and_saves_nothing(
    coordinator_client, field, value, message,
):
    response = coordinator_client.post(reverse("matching:participant_create"),
                                       form_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Participant.objects.count() == 0


def test_interest_of_another_organisation_is_refused_on_the_page_and_in_the_api(
    coordinator_client, other_organisation,
):
    foreign = InterestFactory(organisation=other_organisation)
    response = coordinator_client.post(reverse("matching:participant_create"),
                                       form_data(interests=[foreign.pk]))
    assert "not in your organisation&#x27;s catalogue" in response.content.decode()
    response = coordinator_client.post("/api/participants/", {
        "first_name": "Fatima", "phone": "0470123456", "postcode": "9000",
        "interests": [foreign.pk]}, content_type="application/json")
    assert response.status_code == 400
    assert "not in your organisation's catalogue" in \
        response.json()["error"]["fields"]["interests"][0]
    assert Participant.objects.count() == 0


def test_participant_api_validates_like_the_form(coordinator_client):
    url = "/api/participants/"
    bad = coordinator_client.post(url, {"first_name": "Ayse", "phone": "0470 12",
                                        "postcode": "1234"}, content_type="application/json")
    assert bad.status_code == 400
    fields = bad.json()["error"]["fields"]
    assert "not a possible phone number" in fields["phone"][0]
    assert fields["postcode"] == ["1234 is not a Belgian postcode."]
    future = coordinator_client.post(url, {"first_name": "Ayse", "phone": "0032 470 12 34 56",
                                           "postcode": "9050", "waiting_since": "2999-01-01"},
                                     content_type="application/json")
    assert future.json()["error"]["fields"]["waiting_since"] == [
        "Waiting since cannot be in the future."]
    assert Participant.objects.count() == 0
    good = coordinator_client.post(url, {"first_name": "Ayse", "phone": "0032 470 12 34 56",
                                         "postcode": "9050", "languages": ["tr"],
                                         "consents": ["data"]},
                                   content_type="application/json")
    assert good.status_code == 201, good.json()
    assert good.json()["phone"] == "+32470123456"
    assert good.json()["municipality"] == "Gent"


def test_participant_api_actions_change_the_waiting_list_status(coordinator_client,
                                                                organisation):
    participant = ParticipantFactory(organisation=organisation)
    url = f"/api/participants/{participant.pk}/"
    pause = coordinator_client.post(url + "pause/", {"check_back_on": "2999-01-01"},
                                    content_type="application/json")
    assert pause.json()["status"] == "paused"
    assert coordinator_client.post(url + "resume/").json()["status"] == "waiting"
    refused = coordinator_client.post(url + "withdraw/", {"reason": ""},
                                      content_type="application/json")
    assert refused.status_code == 400
    left = coordinator_client.post(url + "withdraw/", {"reason": "Moved"},
                                   content_type="application/json")
    assert left.json()["status"] == "withdrawn"


# Outside the test's transaction, in autocommit as in production: a service that locks a
# row must open its own transaction (PostgreSQL refuses a lock outside one; SQLite ignores it).
@pytest.mark.django_db(transaction=True)
def test_contact_with_a_participant_is_noted_through_the_api_and_the_page(
    coordinator_client, organisation,
):
    participant = ParticipantFactory(organisation=organisation, last_contact_on=None)
    url = f"/api/participants/{participant.pk}/contact/"
    today = coordinator_client.post(url, {}, content_type="application/json")
    assert today.status_code == 200, today.content
    assert today.json()["last_contact_on"] == timezone.localdate().isoformat()
    earlier = coordinator_client.post(url, {"on": "2026-01-06"},
                                      content_type="application/json")
    assert earlier.status_code == 200, earlier.content
    assert earlier.json()["last_contact_on"] == timezone.localdate().isoformat()
    participant.last_contact_on = None
    participant.save(update_fields=["last_contact_on"])
    page = coordinator_client.post(
        reverse("matching:participant_action", args=[participant.pk, "contact"]),
        {"on": "2026-01-06"})
    assert page.status_code == 302
    participant.refresh_from_db()
    assert participant.last_contact_on == datetime.date(2026, 1, 6)


def test_volunteer_ready_without_certificate_date_is_refused_on_page_and_api(
    coordinator_client, organisation,
):
    volunteer = VolunteerFactory(organisation=organisation)
    # The readiness dates are step 2 of the intake.
    data = {"wish_gender_strength": "preference", "wish_age_strength": "preference",
            "intake_talk_on": "2026-01-01", "certificate_seen": "on",
            "training_done_on": "2026-01-02"}
    response = coordinator_client.post(
        reverse("matching:volunteer_update", args=[volunteer.pk]) + "?step=2", data)
    assert "certificate of good conduct (model 2)" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.intake_talk_on is None and not volunteer.is_ready
    api = coordinator_client.post(f"/api/volunteers/{volunteer.pk}/mark-ready/",
                                  {"intake_talk_on": "2026-01-01",
                                   "training_done_on": "2026-01-02"},
                                  content_type="application/json")
    assert api.status_code == 400
    assert "certificate_seen_on" in api.json()["error"]["fields"]
    ok = coordinator_client.post(f"/api/volunteers/{volunteer.pk}/mark-ready/",
                                 {"intake_talk_on": "2026-01-01",
                                  "certificate_seen_on": "2025-12-20",
                                  "training_done_on": "2026-01-02"},
                                 content_type="application/json")
    assert ok.json()["ready"] is True and ok.json()["free_capacity"] == 1
    assert [v["id"] for v in coordinator_client.get("/api/volunteers/?ready=true").json()[
        "results"]] == [volunteer.pk]


def test_volunteer_intake_page_registers_a_volunteer(coordinator_client):
    data = {"first_name": "Lotte", "phone": "0486 11 22 33", "contact_channel": "sms",
            "message_language": "nl", "postcode": "9050", "capacity": "1",
            "wish_gender_strength": "preference", "wish_age_strength": "preference",
            "languages": "nl", "intake_key": "v-token"}
    response = coordinator_client.post(reverse("matching:volunteer_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    volunteer = Volunteer.objects.get()
    edit = coordinator_client.post(reverse("matching:volunteer_update", args=[volunteer.pk]),
                                   {**data, "capacity": "2"})
    assert edit.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.capacity == 2


def test_interest_catalogue_is_editable_by_the_organisation(coordinator_client, organisation):
    category = InterestCategoryFactory(organisation=organisation)
    coordinator_client.post(reverse("matching:interests"), {
        "interest-category": category.pk, "interest-key": "koken",
        "interest-label_nl": "Koken", "interest-label_fr": "Cuisine",
        "interest-label_en": "Cooking", "interest-is_active": "on"})
    interest = category.interests.get()
    assert (interest.organisation, interest.label_fr) == (organisation, "Cuisine")
    page = coordinator_client.get(reverse("matching:interests")).content.decode()
    assert "Cuisine" in page
    api = coordinator_client.get("/api/interests/").json()
    assert [row["key"] for row in api["results"]] == ["koken"]


def test_an_interest_is_renamed_through_the_api_without_naming_its_category_again(
    coordinator_client, organisation,
):
    category = InterestCategoryFactory(organisation=organisation)
    interest = InterestFactory(organisation=organisation, category=category, key="koken")
    url = f"/api/interests/{interest.pk}/"
    renamed = coordinator_client.patch(url, {"label_en": "Cooking together"},
                                       content_type="application/json")
    assert renamed.status_code == 200, renamed.content
    assert (renamed.json()["category"], renamed.json()["label_en"]) == (
        category.pk, "Cooking together")
    other = InterestCategoryFactory(organisation=organisation)
    moved = coordinator_client.patch(url, {"category": other.pk},
                                     content_type="application/json")
    assert moved.json()["category"] == other.pk
    interest.refresh_from_db()
    assert (interest.category, interest.label_en, interest.key) == (
        other, "Cooking together", "koken")


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_changed_volunteer_is_answered_with_the_free_capacity_like_the_list(
    coordinator_client, organisation, method,
):
    volunteer = VolunteerFactory(organisation=organisation, ready=True, capacity=1)
    url = f"/api/volunteers/{volunteer.pk}/"
    body = coordinator_client.get(url).json()
    assert body["free_capacity"] == 1
    data = {"first_name": body["first_name"], "postcode": body["postcode"], "capacity": 3}
    changed = getattr(coordinator_client, method)(url, data, content_type="application/json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["free_capacity"] == 3
    assert changed.json()["ready"] is True


def test_a_new_volunteer_is_answered_with_the_free_capacity(coordinator_client):
    created = coordinator_client.post("/api/volunteers/", {
        "first_name": "Lotte", "phone": "0486 11 22 33", "postcode": "9050", "capacity": 2},
        content_type="application/json")
    assert created.status_code == 201, created.content
    assert (created.json()["free_capacity"], created.json()["ready"]) == (2, False)


def test_participant_edit_and_detail_pages(coordinator_client, organisation):
    participant = ParticipantFactory(organisation=organisation, intake_note="Let op")
    url = reverse("matching:participant_update", args=[participant.pk])
    page = coordinator_client.get(url)
    assert page.status_code == 200
    data = form_data(waiting_since="2025-01-01")
    data.pop("intake_key")
    data.pop("consents")
    assert coordinator_client.post(url, data).status_code == 302
    participant.refresh_from_db()
    assert participant.first_name == "Fatima"
    assert participant.waiting_since == datetime.date(2025, 1, 1)
    detail = coordinator_client.get(reverse("matching:participant_detail",
                                            args=[participant.pk])).content.decode()
    assert "Let op" not in detail  # the edit form replaced the note with an empty one


def test_consent_recorded_later_keeps_who_and_what(coordinator_client, organisation,
                                                   coordinator):
    participant = ParticipantFactory(organisation=organisation)
    url = reverse("matching:participant_action", args=[participant.pk, "consent"])
    coordinator_client.post(url, {"purpose": "sms", "given": "", "note": "Wil geen sms meer"})
    consent = participant.consents.get()
    assert (consent.purpose, consent.given, consent.recorded_by) == ("sms", False, coordinator)


def test_volunteer_status_and_account_link(coordinator_client, organisation, volunteer_user):
    volunteer = VolunteerFactory(organisation=organisation, ready=True)
    coordinator_client.post(reverse("matching:volunteer_status", args=[volunteer.pk]),
                            {"status": "paused"})
    volunteer.refresh_from_db()
    assert volunteer.status == "paused"
    assert not Volunteer.objects.ready().exists()

    services.volunteer_update(volunteer=volunteer, user=volunteer_user)
    with pytest.raises(ValidationError):
        services.volunteer_update(volunteer=volunteer,
                                  user=CoordinatorFactory(organisation=organisation))


def test_errors_are_in_the_users_language(client, organisation):
    client.force_login(CoordinatorFactory(organisation=organisation, language="nl"))
    response = client.post("/api/participants/", {"first_name": "Ayse", "phone": "0470 12",
                                                  "postcode": "1234"},
                           content_type="application/json")
    fields = response.json()["error"]["fields"]
    assert fields["postcode"] == ["1234 is geen Belgische postcode."]
    assert fields["phone"][0].startswith("0470 12 is geen mogelijk telefoonnummer.")


def test_intake_of_a_possible_duplicate_is_flagged_not_merged(coordinator_client, organisation):
    ParticipantFactory(organisation=organisation, first_name="Firstcomer", last_name="X",
                       phone="+32470123456")
    response = coordinator_client.post(reverse("matching:participant_create"), form_data(),
                                       follow=True)
    assert "Possible duplicate" in response.content.decode()
    assert "Firstcomer X" in response.content.decode()
    assert Participant.objects.count() == 2


def test_intake_is_two_short_steps_and_shows_every_error_at_once(coordinator_client,
                                                                  organisation):
    page = coordinator_client.get("/participants/new/").content.decode()
    assert "Step 1 of 2" in page and 'name="buddy_gender"' not in page
    # A bad postcode (the service's check) and a missing first name (the form's) at once.
    response = coordinator_client.post("/participants/new/", {
        "first_name": "", "postcode": "9999", "phone": "0470 12 34 56",
        "contact_channel": "sms", "message_language": "nl"})
    errors = response.context["form"].errors
    assert "first_name" in errors and "postcode" in errors
    response = coordinator_client.post("/participants/new/", {
        "first_name": "Samira", "postcode": "9000", "phone": "0470 12 34 56",
        "contact_channel": "sms", "message_language": "fr", "languages": "Arabisch + Frans"})
    assert response.status_code == 302 and response["Location"].endswith("/edit/?step=2")
    samira = Participant.objects.get(first_name="Samira")
    assert (samira.languages, samira.referrer) == (["ar", "fr"], "")
    step_two = coordinator_client.get(response["Location"]).content.decode()
    assert "Step 2 of 2" in step_two and 'name="buddy_gender"' in step_two
    assert 'name="postcode"' not in step_two
    response = coordinator_client.post(response["Location"], {
        "referrer": "caw", "buddy_gender_strength": "preference",
        "buddy_age_strength": "preference", "buddy_lived_experience_strength": "preference"})
    assert response.status_code == 302, response.context["form"].errors
    samira.refresh_from_db()
    assert samira.referrer == "caw" and samira.postcode.code == "9000"


def test_a_date_that_cannot_be_in_the_future_stops_at_today_in_the_calendar(
        coordinator_client, organisation):
    page = coordinator_client.get("/participants/new/").content.decode()
    assert 'max="2026-11-17"' in page


def test_a_volunteers_intake_is_two_short_steps_too(coordinator_client, organisation):
    page = coordinator_client.get("/volunteers/new/").content.decode()
    assert "Step 1 of 2" in page
    assert 'name="availability"' in page and 'name="capacity"' in page
    assert 'name="motivation"' not in page and 'name="training_done_on"' not in page
    # Every error at once: the form's (no first name) and the service's (unknown postcode).
    response = coordinator_client.post("/volunteers/new/", {
        "first_name": "", "postcode": "9999", "phone": "0470 12 34 56",
        "contact_channel": "sms", "message_language": "nl"})
    errors = response.context["form"].errors
    assert "first_name" in errors and "postcode" in errors
    assert not Volunteer.objects.exists()
    response = coordinator_client.post("/volunteers/new/", {
        "first_name": "Lotte", "last_name": "Peeters", "postcode": "9050",
        "phone": "0486 11 22 33", "contact_channel": "sms", "message_language": "nl",
        "languages": "nl", "availability": ["0-0", "2-1"], "capacity": "1"})
    assert response.status_code == 302 and response["Location"].endswith("/edit/?step=2")
    lotte = Volunteer.objects.get(first_name="Lotte")
    assert not lotte.is_ready
    step_two = coordinator_client.get(response["Location"]).content.decode()
    assert "Step 2 of 2" in step_two and 'name="training_done_on"' in step_two
    assert 'name="postcode"' not in step_two and 'name="availability"' not in step_two
    response = coordinator_client.post(response["Location"], {
        "motivation": "Ik wil iets terugdoen.", "intake_talk_on": "2026-01-05",
        "certificate_seen": "on", "certificate_seen_on": "2026-01-02",
        "training_done_on": "2026-01-10", "wish_gender_strength": "preference",
        "wish_age_strength": "preference"})
    assert response.status_code == 302, response.context["form"].errors
    lotte.refresh_from_db()
    assert lotte.is_ready and lotte.motivation == "Ik wil iets terugdoen."
    assert lotte.postcode.code == "9050" and lotte.availability  # step 1 kept
