"""Intake of participants and volunteers: phones, postcodes, bad input, waiting-list changes."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from matching.intake import services
from matching.intake.models import ConsentRecord, Participant, ParticipantStatus, Volunteer
from organisations.scoping import organisation_scope
from tests.factories import OrganisationFactory
from tests.factories_matching import (
    InterestFactory,
    ParticipantFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db


def intake(organisation, **fields):
    data = {"first_name": "Fatima", "last_name": "El Idrissi", "phone": "0470 12 34 56",
            "postcode": "9000", "languages": ["nl"], "availability": 1}
    data.update(fields)
    return services.participant_intake(organisation=organisation, **data)


@pytest.mark.parametrize("written", [
    "0470 12 34 56", "+32470123456", "0032 470 12 34 56", "0470/12.34.56", "+32 (0)470 12 34 56",
])
def test_belgian_mobile_numbers_in_every_usual_writing_are_stored_in_e164(organisation, written):
    participant = intake(organisation, phone=written)
    participant.refresh_from_db()
    assert participant.phone.as_e164 == "+32470123456"


@pytest.mark.parametrize("written", ["06 12345678", "+31 6 12345678", "0031 6 1234 5678"])
def test_dutch_mobile_numbers_are_accepted(organisation, written):
    participant = intake(organisation, phone=written)
    assert participant.phone.as_e164 == "+31612345678"


def test_impossible_phone_number_is_refused_and_nothing_saved(organisation):
    with pytest.raises(ValidationError) as error:
        intake(organisation, phone="0470 12")
    assert "not a possible phone number" in error.value.message_dict["phone"][0]
    assert Participant.objects.count() == 0


def test_landline_cannot_be_the_sms_channel(organisation):
    with pytest.raises(ValidationError) as error:
        intake(organisation, phone="09 210 10 10", contact_channel="sms")
    assert "not a mobile number" in error.value.message_dict["phone"][0]
    participant = intake(organisation, phone="09 210 10 10", contact_channel="call")
    assert participant.phone.as_e164 == "+3292101010"


def test_postcode_is_checked_against_real_belgian_postcodes(organisation):
    participant = intake(organisation, postcode="9030")
    assert participant.postcode.municipality == "Gent"
    assert participant.postcode.latitude == pytest.approx(51.07, abs=0.05)
    with pytest.raises(ValidationError) as error:
        intake(organisation, postcode="9999")
    assert error.value.message_dict["postcode"] == ["9999 is not a Belgian postcode."]
    assert Participant.objects.count() == 1


def test_municipality_must_belong_to_the_postcode(organisation):
    assert intake(organisation, postcode="9030", municipality="Mariakerke").postcode.code == "9030"
    assert intake(organisation, postcode="9000", municipality="Gand").postcode.code == "9000"
    with pytest.raises(ValidationError) as error:
        intake(organisation, postcode="9000", municipality="Antwerpen")
    assert "belongs to Gent, not to Antwerpen" in error.value.message_dict["municipality"][0]


def test_postcode_of_two_municipalities_asks_which_one(organisation):
    with pytest.raises(ValidationError) as error:
        intake(organisation, postcode="1040")
    assert "several municipalities" in error.value.message_dict["municipality"][0]
    assert intake(organisation, postcode="1040",
                  municipality="Etterbeek").postcode.municipality == "Etterbeek"


def test_interest_of_another_organisation_is_refused(organisation, other_organisation):
    foreign = InterestFactory(organisation=other_organisation)
    with pytest.raises(ValidationError) as error:
        intake(organisation, interests=[foreign])
    assert "not in your organisation's catalogue" in error.value.message_dict["interests"][0]
    assert Participant.objects.count() == 0


@time_machine.travel(datetime.datetime(2026, 3, 1, 10, 0), tick=False)
def test_waiting_since_in_the_future_is_refused(organisation):
    with pytest.raises(ValidationError) as error:
        intake(organisation, waiting_since=datetime.date(2026, 3, 2))
    assert error.value.message_dict["waiting_since"] == ["Waiting since cannot be in the future."]
    assert intake(organisation).waiting_since == datetime.date(2026, 3, 1)


def test_unknown_language_code_is_refused(organisation):
    with pytest.raises(ValidationError) as error:
        intake(organisation, languages=["nl", "xx"])
    assert "xx" in error.value.message_dict["languages"][0]


def test_same_intake_key_twice_creates_one_participant(organisation):
    first = intake(organisation, intake_key="form-123", consents=["data"])
    second = intake(organisation, intake_key="form-123", consents=["data"])
    assert first.pk == second.pk
    assert Participant.objects.count() == 1
    assert ConsentRecord.objects.count() == 1


def test_consents_record_purpose_time_and_coordinator(organisation, coordinator):
    participant = intake(organisation, consents=["data", "sms"], recorded_by=coordinator)
    consents = {c.purpose: c for c in participant.consents.all()}
    assert set(consents) == {"data", "sms"}
    assert consents["sms"].recorded_by == coordinator


@time_machine.travel(datetime.datetime(2026, 6, 1, 10, 0), tick=False)
def test_pause_and_resume_keep_the_waiting_since_date(organisation):
    participant = ParticipantFactory(organisation=organisation,
                                     waiting_since=datetime.date(2025, 1, 1))
    services.participant_pause(participant=participant, check_back_on=datetime.date(2026, 7, 1))
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.PAUSED
    services.participant_resume(participant=participant)
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.WAITING
    assert participant.waiting_since == datetime.date(2025, 1, 1)
    assert participant.check_back_on is None


@time_machine.travel(datetime.datetime(2026, 6, 1, 10, 0), tick=False)
def test_pause_needs_a_check_back_date_in_the_future(organisation):
    participant = ParticipantFactory(organisation=organisation)
    with pytest.raises(ValidationError):
        services.participant_pause(participant=participant,
                                   check_back_on=datetime.date(2026, 5, 1))
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.WAITING


@time_machine.travel(datetime.datetime(2026, 6, 1, 10, 0), tick=False)
def test_return_after_a_duo_keeps_the_date_but_after_leaving_for_good_starts_today(
    organisation,
):
    matched = ParticipantFactory(organisation=organisation, status="matched",
                                 waiting_since=datetime.date(2025, 2, 2))
    services.participant_return_to_waiting_list(participant=matched)
    matched.refresh_from_db()
    assert (matched.status, matched.waiting_since) == ("waiting", datetime.date(2025, 2, 2))

    left = ParticipantFactory(organisation=organisation, waiting_since=datetime.date(2025, 2, 2))
    with pytest.raises(ValidationError):
        services.participant_withdraw(participant=left, reason="  ")
    services.participant_withdraw(participant=left, reason="Moved to Bruges")
    services.participant_return_to_waiting_list(participant=left)
    left.refresh_from_db()
    assert (left.status, left.waiting_since) == ("waiting", datetime.date(2026, 6, 1))


def test_volunteer_marked_ready_without_certificate_date_is_refused(organisation):
    volunteer = VolunteerFactory(organisation=organisation)
    with pytest.raises(ValidationError) as error:
        services.volunteer_mark_ready(volunteer=volunteer, intake_talk_on=datetime.date(2026, 1, 1),
                                      certificate_seen_on=None,
                                      training_done_on=datetime.date(2026, 1, 2))
    assert "certificate of good conduct" in error.value.message_dict["certificate_seen_on"][0]
    volunteer.refresh_from_db()
    assert volunteer.intake_talk_on is None
    assert not Volunteer.objects.ready().exists()


def test_certificate_ticked_without_date_is_refused_at_intake(organisation):
    with pytest.raises(ValidationError) as error:
        services.volunteer_intake(organisation=organisation, first_name="Lotte", postcode="9050",
                                  phone="0486 11 22 33", certificate_seen=True)
    assert "certificate_seen_on" in error.value.message_dict
    assert Volunteer.objects.count() == 0


def test_only_ready_volunteers_with_free_capacity_can_be_proposed(organisation):
    ready = VolunteerFactory(organisation=organisation, ready=True)
    VolunteerFactory(organisation=organisation, ready=True, training_done_on=None)
    VolunteerFactory(organisation=organisation, ready=True, status="stopped")
    VolunteerFactory(organisation=organisation, ready=True,
                     available_until=datetime.date(2020, 1, 1))
    VolunteerFactory(organisation=OrganisationFactory(), ready=True)

    with organisation_scope(organisation):
        assert list(Volunteer.objects.ready_with_capacity()) == [ready]
        assert Volunteer.objects.ready_with_capacity().get().free_capacity == 1


def test_volunteer_introduction_uses_the_first_name_only(organisation):
    with pytest.raises(ValidationError) as error:
        services.volunteer_intake(organisation=organisation, first_name="Lotte",
                                  last_name="Janssens", postcode="9050", phone="0486 11 22 33",
                                  introduction="Hoi, ik ben Lotte Janssens uit Gentbrugge.")
    assert "first name only" in error.value.message_dict["introduction"][0]
    volunteer = services.volunteer_intake(
        organisation=organisation, first_name="Lotte", last_name="Janssens", postcode="9050",
        phone="0486 11 22 33", introduction="Hoi, ik ben Lotte uit Gentbrugge.")
    assert volunteer.pk
