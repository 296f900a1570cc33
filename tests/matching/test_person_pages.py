"""The person pages as the coordinator's hub: the place on the waiting list, the short list
with one button to propose, who fits but is held elsewhere (and until when), proposals and
answers, the duo once matched, messages, the timeline; the volunteer's side; and every list
leading to the next step."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.proposals.models import Proposal
from tests.factories_coaching import (
    AttendanceFactory,
    SessionFactory,
    TrainingCompletionFactory,
    TrainingModuleFactory,
)
from tests.factories_duos import active_duo
from tests.factories_matching import InterestFactory, ParticipantFactory, VolunteerFactory
from tests.factories_proposals import (
    CandidateFactory,
    ProposalFactory,
    fresh_rarity_cache,  # noqa: F401 (autouse)
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def walking(organisation):
    return InterestFactory(organisation=organisation, label_nl="Wandelen",
                           label_en="Walking")


def _page(client, person):
    kind = "participant" if hasattr(person, "waiting_since") else "volunteer"
    return client.get(reverse(f"matching:{kind}_detail", args=[person.pk])).content.decode()


def test_the_participant_page_shows_the_place_on_the_list_and_the_short_list_to_propose(
        coordinator_client, organisation, walking):
    ParticipantFactory(organisation=organisation, waiting_since=datetime.date(2025, 1, 1))
    samira = ParticipantFactory(organisation=organisation, first_name="Samira",
                                waiting_since=datetime.date(2025, 6, 1))
    lotte = VolunteerFactory(organisation=organisation, first_name="Lotte", ready=True)
    samira.interests.set([walking])
    lotte.interests.set([walking])
    page = _page(coordinator_client, samira)
    assert "number 2 of 2 on the waiting list" in page
    assert "Lotte" in page and "Walking" in page  # a reason, in the reader's language
    assert reverse("proposals:proposal_create", args=[samira.pk]) in page
    response = coordinator_client.post(reverse("proposals:proposal_create", args=[samira.pk]),
                                       {"volunteer": [lotte.pk]})
    assert response.status_code == 302
    page = _page(coordinator_client, samira)
    assert "A proposal is in progress" in page and "Proposal sent" in page


def test_volunteers_held_in_another_proposal_are_named_with_until_when(
        coordinator_client, organisation, walking):
    other = ParticipantFactory(organisation=organisation, first_name="Omar")
    samira = ParticipantFactory(organisation=organisation, first_name="Samira")
    lotte = VolunteerFactory(organisation=organisation, first_name="Lotte", ready=True)
    proposal = ProposalFactory(organisation=organisation, participant=other,
                               expires_at=datetime.datetime(2026, 12, 8, 12, 0,
                                                            tzinfo=datetime.UTC))
    CandidateFactory(proposal=proposal, volunteer=lotte)
    page = _page(coordinator_client, samira)
    assert "No available volunteer fits the hard rules right now." in page
    assert "They fit, but are held elsewhere now" in page
    assert "in the proposal to Omar" in page and "8 December 2026" in page


def test_after_the_match_the_participant_page_links_to_the_duo(coordinator_client,
                                                                organisation):
    duo = active_duo(organisation)
    duo.participant.status = "matched"
    duo.participant.save()
    page = _page(coordinator_client, duo.participant)
    assert reverse("duos:detail", args=[duo.pk]) in page
    assert "waiting since" not in page and "was on the waiting list from" in page
    assert "Duo with" in page  # the timeline


def test_the_volunteer_page_shows_duos_proposals_training_and_intervision(
        coordinator_client, organisation):
    duo = active_duo(organisation)
    volunteer = duo.volunteer
    CandidateFactory(volunteer=volunteer, proposal=ProposalFactory(organisation=organisation))
    module = TrainingModuleFactory(organisation=organisation, name_nl="Basisvorming",
                                   name_en="Basic training")
    TrainingCompletionFactory(module=module, volunteer=volunteer)
    AttendanceFactory(session=SessionFactory(organisation=organisation, topic="Grenzen"),
                      volunteer=volunteer)
    page = _page(coordinator_client, volunteer)
    assert duo.participant.display_name in page
    assert "Proposals this volunteer is in" in page
    assert "Basic training" in page and "Grenzen" in page
    assert reverse("proposals:volunteer_shortlist", args=[volunteer.pk]) in page


def test_the_person_pages_cost_the_same_queries_with_more_history(coordinator_client,
                                                                  organisation):
    samira = ParticipantFactory(organisation=organisation)
    VolunteerFactory.create_batch(3, organisation=organisation, ready=True)

    def queries():
        _page(coordinator_client, samira)  # warms the kept short-list blocks
        with CaptureQueriesContext(connection) as captured:
            _page(coordinator_client, samira)
        return len(captured)

    CandidateFactory(proposal=ProposalFactory(organisation=organisation, participant=samira,
                                              status="none_of_these"))
    before = queries()
    for _ in range(5):
        CandidateFactory(proposal=ProposalFactory(organisation=organisation, participant=samira,
                                                  status="none_of_these"))
    assert queries() == before


def test_each_waiting_list_row_links_to_its_short_list(coordinator_client, organisation):
    samira = ParticipantFactory(organisation=organisation)
    VolunteerFactory(organisation=organisation, ready=True)
    page = coordinator_client.get(reverse("matching:waiting_list")).content.decode()
    assert reverse("proposals:participant_shortlist", args=[samira.pk]) in page
    assert Proposal.objects.count() == 0
