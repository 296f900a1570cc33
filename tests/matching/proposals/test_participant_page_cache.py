"""The participant's link page is kept in the cache between visits: whatever changes what
it shows (an answer, a volunteer's introduction or interests, expiry) shows at the next
visit."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from matching.intake import services
from matching.proposals import services as proposal_services
from notifications.models import SignedLink
from tests.factories_matching import InterestFactory
from tests.factories_proposals import CandidateFactory, ProposalFactory


def _page(token):
    return reverse("link", kwargs={"token": token})


@pytest.fixture
def proposal(organisation):
    proposal = ProposalFactory(organisation=organisation, participant__message_language="en")
    for position in (1, 2):
        CandidateFactory(proposal=proposal, position=position)
    return proposal


@pytest.fixture
def url(proposal):
    return _page(proposal_services.proposal_issue_link(proposal.pk))


@pytest.mark.django_db
def test_a_new_introduction_shows_at_the_next_visit(client, proposal, url, on_commit):
    volunteer = proposal.candidates.get(position=1).volunteer
    assert "I choose" in client.get(url).content.decode()
    with on_commit():
        services.volunteer_update(volunteer=volunteer, introduction="I love long walks.")
    assert "I love long walks." in client.get(url).content.decode()


@pytest.mark.django_db
def test_new_shared_interests_show_at_the_next_visit(client, organisation, proposal, url,
                                                      on_commit):
    chess = InterestFactory(organisation=organisation, label_en="Chess")
    proposal.participant.interests.add(chess)
    volunteer = proposal.candidates.get(position=2).volunteer
    assert "Chess" not in client.get(url).content.decode()
    with on_commit():
        services.volunteer_update(volunteer=volunteer, interests=[chess])
    assert "You both like: Chess" in client.get(url).content.decode()


@pytest.mark.django_db
def test_an_answer_by_phone_shows_at_the_next_visit(client, coordinator, proposal, url,
                                                     on_commit):
    assert "I choose" in client.get(url).content.decode()
    with on_commit():
        proposal_services.proposal_none_of_these(proposal, "phone", recorded_by=coordinator)
    text = client.get(url).content.decode()
    assert "I choose" not in text
    assert "You keep your place on the waiting list" in text


@pytest.mark.django_db
def test_an_expired_proposal_shows_expired_at_the_next_visit(client, proposal, url):
    assert "I choose" in client.get(url).content.decode()
    proposal.refresh_from_db()
    with time_machine.travel(proposal.expires_at + datetime.timedelta(hours=1)):
        text = client.get(url).content.decode()
    assert "expired" in text
    assert "I choose" not in text


@pytest.mark.django_db
def test_the_page_in_another_language_is_kept_apart(client, proposal, url):
    assert "Choose your buddy" in client.get(url).content.decode()
    proposal.participant.message_language = "fr"
    proposal.participant.save()
    french = _page(proposal_services.proposal_issue_link(proposal.pk))
    assert "Choose your buddy" not in client.get(french).content.decode()
    assert "Choose your buddy" in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_signed_link_skips_the_session_and_second_factor_middleware(
        client, coordinator, url, settings, django_assert_max_num_queries):
    settings.REQUIRE_TWO_FACTOR = True
    client.force_login(coordinator)  # a coordinator without a verified second factor
    assert client.get("/participants/").status_code == 302  # staff pages ask for the code
    client.get(url)
    # Neither the session nor the user is read: the link and the proposal only.
    with django_assert_max_num_queries(2):
        response = client.get(url)
    assert response.status_code == 200
    assert "I choose" in response.content.decode()


@pytest.mark.django_db
def test_the_second_visit_takes_the_short_path_with_the_same_page(
        client, proposal, url, django_assert_num_queries):
    first = client.get(url)
    with django_assert_num_queries(1):  # only: does the link still work?
        second = client.get(url)
    assert second.content == first.content and second.status_code == 200
    assert dict(second.items()) == dict(first.items())  # CSP, no-store, noindex, ...
    assert not second.cookies


@pytest.mark.django_db
def test_a_revoked_link_is_never_answered_from_the_kept_page(client, proposal, url):
    assert "I choose" in client.get(url).content.decode()
    SignedLink.objects.update(revoked_at=datetime.datetime.now(datetime.UTC))
    page = client.get(url).content.decode()
    assert "I choose" not in page


@pytest.mark.django_db
def test_the_kept_page_ends_with_the_answer_window(client, proposal, url):
    assert "I choose" in client.get(url).content.decode()
    with time_machine.travel(proposal.expires_at + datetime.timedelta(minutes=1)):
        assert "I choose" not in client.get(url).content.decode()
