"""Kept blocks: a changed volunteer's row is updated in place, not the whole block rebuilt;
the blocks of a process stay under the memory cap, least recently used out first."""

import gc

import pytest

from matching.intake import services as intake_services
from matching.proposals import blocks, selectors
from matching.proposals.profiles import collector_paused, volunteer_profiles
from matching.scoring import pairs
from tests.factories import OrganisationFactory
from tests.factories_matching import InterestFactory, ParticipantFactory, VolunteerFactory
from tests.factories_proposals import fresh_rarity_cache  # noqa: F401 (autouse)


@pytest.mark.django_db
def test_a_changed_volunteer_updates_their_row_and_the_list_is_the_rebuilt_ones(
        organisation, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    walking = InterestFactory(organisation=organisation, key="walking")
    chess = InterestFactory(organisation=organisation, key="chess")
    participant = ParticipantFactory(organisation=organisation)
    participant.interests.add(chess)
    volunteers = [VolunteerFactory(organisation=organisation, ready=True) for _ in range(6)]
    for volunteer in volunteers:
        volunteer.interests.add(walking)
    first = selectors.shortlist_for_participant(participant)
    assert blocks.stats["built"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.volunteer_update(volunteer=volunteers[4], interests=[chess])
        intake_services.volunteer_set_status(volunteer=volunteers[5], status="paused")
    with django_assert_max_num_queries(12):
        again = selectors.shortlist_for_participant(participant)
    assert blocks.stats == {**blocks.stats, "built": 1, "updated": 1}
    assert again[0].id == volunteers[4].pk  # now shares chess
    assert volunteers[5].pk not in {entry.id for entry in again}
    assert len(first) == 3
    kept = blocks.volunteer_block(organisation.pk)
    rebuilt = pairs.ProfileBlock.from_profiles(volunteer_profiles(
        blocks._ready_volunteers(organisation.pk, None)))
    assert sorted(kept.ids) == sorted(rebuilt.ids)
    assert volunteers[5].pk not in kept.ids
    # An organisation-wide change builds it again.
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.shortlists_changed(organisation)
    selectors.shortlist_for_participant(participant)
    assert blocks.stats["built"] == 2


@pytest.mark.django_db
def test_the_kept_blocks_stay_under_the_cap_least_recently_used_out_first(settings):
    organisations = [OrganisationFactory() for _ in range(3)]
    for organisation in organisations:
        VolunteerFactory.create_batch(3, organisation=organisation, ready=True)
    one_block = blocks.volunteer_block(organisations[0].pk).nbytes
    settings.MATCHING_BLOCKS_MAX_MB = 2.5 * one_block / 2**20  # room for two
    blocks.volunteer_block(organisations[1].pk)
    blocks.volunteer_block(organisations[0].pk)  # used again: the most recent
    blocks.volunteer_block(organisations[2].pk)
    kept = {organisation_id for _kind, organisation_id in blocks._blocks}
    assert kept == {organisations[0].pk, organisations[2].pk}
    assert blocks.kept_bytes() <= settings.MATCHING_BLOCKS_MAX_MB * 2**20


@pytest.mark.django_db
def test_a_block_is_built_with_the_cycle_collector_paused_and_turned_back_on(
        organisation, monkeypatch):
    # The collector would walk the whole heap again and again while thousands of profiles
    # are made; it waits until the block is built, and is on again after, even after an
    # error.
    VolunteerFactory.create_batch(2, organisation=organisation, ready=True)
    seen = []
    build = pairs.ProfileBlock.from_profiles

    def from_profiles(profiles_):
        seen.append(gc.isenabled())
        return build(profiles_)

    monkeypatch.setattr(pairs.ProfileBlock, "from_profiles", from_profiles)
    assert gc.isenabled()
    blocks.volunteer_block(organisation.pk)
    assert seen == [False] and gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        with collector_paused():  # the inner one leaves it to the outer one
            assert not gc.isenabled()
        assert not gc.isenabled()
        raise RuntimeError("a loader failed")
    assert gc.isenabled()
