"""Short lists keep each organisation's block of people between requests (matching/blocks):
every change made through the services shows in the very next short list, and a short list
costs the same small number of queries whatever the number of volunteers."""

import datetime

import pytest
from django.db import connection, transaction

from matching.intake import services
from matching.intake import versions as intake_versions
from matching.proposals import blocks
from matching.proposals import services as proposal_services
from matching.proposals.selectors import (
    participants_for_volunteer,
    shortlist_for_participant,
    waiting_participants,
)
from tests.factories_matching import InterestFactory, ParticipantFactory, VolunteerFactory


def _ids(entries):
    return [e.id for e in entries]


@pytest.fixture
def walking(organisation):
    return InterestFactory(organisation=organisation, label_en="Walking")


@pytest.fixture
def participant(organisation, walking):
    person = ParticipantFactory(organisation=organisation)
    person.interests.add(walking)
    return person


@pytest.mark.django_db
def test_an_unchanged_organisation_reuses_its_block(organisation, participant, on_commit):
    VolunteerFactory(organisation=organisation, ready=True)
    first = blocks.volunteer_block(organisation.pk)
    assert blocks.volunteer_block(organisation.pk) is first
    other = VolunteerFactory(organisation=organisation, ready=True)
    # Made without a service, nobody said it changed: the kept block is still used...
    assert other.pk not in blocks.volunteer_block(organisation.pk).ids
    with on_commit():  # ...until a service says so, once its transaction commits.
        intake_versions.volunteers_changed(organisation)
    assert other.pk in blocks.volunteer_block(organisation.pk).ids


@pytest.mark.django_db
def test_a_volunteer_paused_leaves_the_next_short_list(organisation, participant, on_commit):
    kept = VolunteerFactory(organisation=organisation, ready=True)
    paused = VolunteerFactory(organisation=organisation, ready=True)
    assert set(_ids(shortlist_for_participant(participant))) == {kept.pk, paused.pk}
    with on_commit():
        services.volunteer_set_status(volunteer=paused, status="paused")
    assert _ids(shortlist_for_participant(participant)) == [kept.pk]
    with on_commit():
        services.volunteer_set_status(volunteer=paused, status="active")
    assert set(_ids(shortlist_for_participant(participant))) == {kept.pk, paused.pk}


@pytest.mark.django_db
def test_new_interests_of_a_volunteer_change_the_next_short_list(
        organisation, participant, walking, on_commit):
    first = VolunteerFactory(organisation=organisation, ready=True)
    second = VolunteerFactory(organisation=organisation, ready=True)
    first.interests.add(walking)
    with on_commit():
        intake_versions.volunteers_changed(organisation)
    assert _ids(shortlist_for_participant(participant))[0] == first.pk
    with on_commit():
        services.volunteer_update(volunteer=first, interests=[])
        services.volunteer_update(volunteer=second, interests=[walking])
    entries = shortlist_for_participant(participant, language="en")
    assert _ids(entries)[0] == second.pk
    assert "You both like Walking" in entries[0].reasons


@pytest.mark.django_db
def test_a_volunteer_made_ready_joins_and_one_away_leaves_the_next_short_list(
        organisation, participant, on_commit):
    waiting = VolunteerFactory(organisation=organisation)
    assert shortlist_for_participant(participant) == []
    with on_commit():
        services.volunteer_mark_ready(volunteer=waiting, intake_talk_on=waiting.created_at.date(),
                                      certificate_seen_on=waiting.created_at.date(),
                                      training_done_on=waiting.created_at.date())
    assert _ids(shortlist_for_participant(participant)) == [waiting.pk]
    with on_commit():
        services.volunteer_update(volunteer=waiting,
                                  available_from=datetime.date.today() + datetime.timedelta(30))
    assert shortlist_for_participant(participant) == []


@pytest.mark.django_db
def test_a_volunteer_in_an_open_proposal_leaves_other_short_lists_until_it_closes(
        organisation, participant, on_commit):
    volunteer = VolunteerFactory(organisation=organisation, ready=True)
    other = ParticipantFactory(organisation=organisation)
    assert _ids(shortlist_for_participant(other)) == [volunteer.pk]
    with on_commit():
        proposal = proposal_services.proposal_create_single(participant=participant,
                                                    volunteers=[volunteer])
    assert shortlist_for_participant(other) == []
    with on_commit():
        proposal_services.proposal_none_of_these(proposal, "phone")
    assert _ids(shortlist_for_participant(other)) == [volunteer.pk]


@pytest.mark.django_db
def test_a_participant_paused_leaves_the_volunteers_next_short_list(
        organisation, participant, on_commit):
    volunteer = VolunteerFactory(organisation=organisation, ready=True)
    assert _ids(participants_for_volunteer(volunteer)) == [participant.pk]
    with on_commit():
        services.participant_pause(participant=participant,
                                   check_back_on=participant.waiting_since.replace(year=2099))
    assert participants_for_volunteer(volunteer) == []
    with on_commit():
        services.participant_resume(participant=participant)
    assert _ids(participants_for_volunteer(volunteer)) == [participant.pk]


@pytest.mark.django_db
def test_blocks_are_per_organisation(organisation, other_organisation, participant, on_commit):
    here = VolunteerFactory(organisation=organisation, ready=True)
    there = VolunteerFactory(organisation=other_organisation, ready=True)
    stranger = ParticipantFactory(organisation=other_organisation)
    assert _ids(shortlist_for_participant(participant)) == [here.pk]
    assert _ids(shortlist_for_participant(stranger)) == [there.pk]
    with on_commit():
        services.volunteer_set_status(volunteer=there, status="stopped")
    assert _ids(shortlist_for_participant(participant)) == [here.pk]
    assert shortlist_for_participant(stranger) == []


@pytest.mark.django_db
def test_a_change_rolled_back_keeps_the_block(organisation, participant):
    VolunteerFactory(organisation=organisation, ready=True)
    version = intake_versions.versions(organisation.pk)[0]
    blocks.volunteer_block(organisation.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        intake_versions.volunteers_changed(organisation)
        raise RuntimeError
    assert intake_versions.versions(organisation.pk)[0] == version


# Constant queries ---------------------------------------------------------------------------

# A profile is read in 1 query on PostgreSQL (arrays aggregated), 2 elsewhere.
PROFILE_QUERIES = 1 if connection.vendor == "postgresql" else 2
# Session and user (2), participant (1), the audit event of the view (1), settings (1), the
# participant's profile, interest labels (1), the volunteers excluded or busy (1), pairs
# whose duo ended (1), the three volunteers (1).
SHORTLIST_API_QUERIES = 9 + PROFILE_QUERIES
# Session and user (2), volunteer (1), the audit event (1), settings (1), the volunteer's
# profile, interest labels (1), pairs never proposed again (4), the three participants (1).
VOLUNTEER_SHORTLIST_API_QUERIES = 11 + PROFILE_QUERIES


@pytest.mark.django_db
@pytest.mark.parametrize("n", [3, 40])
def test_shortlist_api_costs_a_small_constant_number_of_queries(
        api_client, coordinator, organisation, participant, walking,
        django_assert_max_num_queries, n):
    for _ in range(n):
        VolunteerFactory(organisation=organisation, ready=True).interests.add(walking)
    api_client.force_login(coordinator)
    url = f"/api/participants/{participant.pk}/shortlist/"
    assert len(api_client.get(url).json()) == 3  # builds the block and the rarity
    with django_assert_max_num_queries(SHORTLIST_API_QUERIES):
        response = api_client.get(url)
    assert len(response.json()) == 3


@pytest.mark.django_db
@pytest.mark.parametrize("n", [3, 40])
def test_volunteer_shortlist_api_costs_a_small_constant_number_of_queries(
        api_client, coordinator, organisation, walking, django_assert_max_num_queries, n):
    for _ in range(n):
        ParticipantFactory(organisation=organisation).interests.add(walking)
    volunteer = VolunteerFactory(organisation=organisation, ready=True)
    api_client.force_login(coordinator)
    url = f"/api/volunteers/{volunteer.pk}/shortlist/"
    assert len(api_client.get(url).json()) == 3
    with django_assert_max_num_queries(VOLUNTEER_SHORTLIST_API_QUERIES):
        response = api_client.get(url)
    assert len(response.json()) == 3


@pytest.mark.django_db
def test_proposing_one_participant_after_another_keeps_the_volunteers_block(
        organisation, participant, on_commit):
    volunteer = VolunteerFactory(organisation=organisation, ready=True)
    other = VolunteerFactory(organisation=organisation, ready=True)
    block = blocks.volunteer_block(organisation.pk)
    with on_commit():
        proposal_services.proposal_create_single(participant=participant, volunteers=[volunteer])
    # Who is busy is read per short list: the 10,000 volunteers are not read again.
    assert blocks.volunteer_block(organisation.pk) is block
    next_one = ParticipantFactory(organisation=organisation)
    assert _ids(shortlist_for_participant(next_one)) == [other.pk]


@pytest.mark.django_db
def test_volunteers_answered_none_of_these_never_come_back_for_that_participant_only(
        organisation, participant, on_commit):
    refused = VolunteerFactory(organisation=organisation, ready=True)
    with on_commit():
        proposal = proposal_services.proposal_create_single(participant=participant,
                                                    volunteers=[refused])
        proposal_services.proposal_none_of_these(proposal, "link")
    assert shortlist_for_participant(participant) == []
    assert _ids(shortlist_for_participant(ParticipantFactory(organisation=organisation))) == [
        refused.pk]


@pytest.mark.django_db
def test_a_participant_paused_keeps_the_volunteers_block(organisation, participant, on_commit):
    VolunteerFactory(organisation=organisation, ready=True)
    block = blocks.volunteer_block(organisation.pk)
    waiting = blocks.participant_block(organisation.pk, waiting_participants(organisation.pk))
    with on_commit():
        services.participant_pause(participant=participant,
                                   check_back_on=participant.waiting_since.replace(year=2099))
    assert blocks.volunteer_block(organisation.pk) is block
    again = blocks.participant_block(organisation.pk, waiting_participants(organisation.pk))
    assert again is not waiting
