"""Short lists, rounds and proposals through the staff pages, the API and the two
personal-link pages; the whole path from the waiting list to a confirmed match."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from matching.intake.models import Participant
from matching.proposals import services as proposal_services
from matching.proposals.models import (
    IntroductionMeeting,
    Match,
    Proposal,
    ProposalRound,
    VolunteerOffer,
)
from matching.proposals.profiles import matching_settings
from notifications import services as notify
from notifications.sms.backends import locmem
from tests.factories import CoordinatorFactory, OrganisationFactory
from tests.factories_matching import (
    InterestFactory,
    ParticipantFactory,
    VolunteerFactory,
)
from tests.factories_proposals import (
    CandidateFactory,
    ProposalFactory,
    fresh_rarity_cache,  # noqa: F401 (autouse)
)


class _SentLinks:
    """The tokens of the signed links sent so far by SMS and e-mail, by page."""

    PURPOSES = {"participant": "matching.proposal", "volunteer": "matching.offer"}

    def __getitem__(self, who):
        bodies = [sms.body for sms in locmem.outbox] + [m.body for m in mail.outbox]
        found = []
        for body in bodies:
            for token in re.findall(r"/s/([0-9A-Za-z]+)", body):
                link, _parts = notify.link_resolve(token)
                if link is not None and link.purpose == self.PURPOSES[who]:
                    found.append(token)
        return found


@pytest.fixture
def links():
    """The tokens of the links the participant and the volunteer really received."""
    return _SentLinks()


def _page(token):
    return reverse("link", kwargs={"token": token})


def _post_and_commit(client, url, data, capture):
    with capture(execute=True):
        return client.post(url, data)


@pytest.mark.django_db
def test_whole_path_from_waiting_list_to_match_through_pages_and_links(
        client, coordinator, organisation, links, django_capture_on_commit_callbacks):
    walking = InterestFactory(organisation=organisation, label_nl="Wandelen",
                              label_en="Walking")
    participant = ParticipantFactory(organisation=organisation, message_language="nl",
                                     first_name="Fatima", intake_note="privé")
    participant.interests.add(walking)
    volunteers = [VolunteerFactory(organisation=organisation, ready=True,
                                   first_name=name, last_name="Achternaam",
                                   introduction=f"Ik ben {name}.")
                  for name in ("Vera", "Jan")]
    volunteers[0].interests.add(walking)
    client.force_login(coordinator)
    capture = django_capture_on_commit_callbacks

    with capture(execute=True):  # the background job runs once the request committed
        response = client.post(reverse("proposals:round_list"))
    proposal_round = ProposalRound.objects.get()
    assert response.url == reverse("proposals:round_detail", args=[proposal_round.pk])
    page = client.get(response.url).content.decode()
    assert "Fatima" in page and "Vera" in page
    response = _post_and_commit(client, reverse("proposals:round_send",
                                                args=[proposal_round.pk]), {}, capture)
    assert response.status_code == 302
    # One SMS to the participant, with the link and the numbers to reply.
    to_participant = [sms for sms in locmem.outbox if sms.to == str(participant.phone)]
    assert len(to_participant) == 1
    assert "/s/" in to_participant[0].body and "1 " in to_participant[0].body
    token = links["participant"][-1]

    # The participant's page: their language, first names, area, no surname, no address.
    client.logout()
    page = client.get(_page(token))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'lang="nl"' in text
    assert "Vera" in text and "Jan" in text and "Achternaam" not in text
    assert "Gent" in text and "Ik ben Vera." in text and "Wandelen" in text
    assert "<script" not in text
    assert len(page.content) < 8000
    vera = Proposal.objects.get().candidates.get(volunteer=volunteers[0]).position
    response = _post_and_commit(client, _page(token),
                                {"answer": str(vera)}, capture)
    assert response.status_code == 302
    assert "Vera" in client.get(response.url).content.decode()

    # The chosen volunteer accepts through their link.
    volunteer_token = links["volunteer"][-1]
    page = client.get(_page(volunteer_token))
    assert "Fatima" in page.content.decode() and "privé" not in page.content.decode()
    client.post(_page(volunteer_token),
                {"answer": "accept"})
    assert VolunteerOffer.objects.get().status == "accepted"

    # The coordinator plans the meeting, records it and both answers.
    client.force_login(coordinator)
    offer = VolunteerOffer.objects.get()
    proposal = Proposal.objects.get()
    client.post(reverse("proposals:meeting_plan", args=[offer.pk]),
                {"planned_at": "2026-12-01T14:00", "place": "De Krook"})
    meeting = IntroductionMeeting.objects.get()
    assert meeting.place == "De Krook"
    detail = client.get(reverse("proposals:proposal_detail", args=[proposal.pk]))
    assert "De Krook" in detail.content.decode()
    # Not held before the day it is planned for.
    client.post(reverse("proposals:meeting_record", args=[meeting.pk, "held"]))
    assert IntroductionMeeting.objects.get().held_on is None
    with time_machine.travel(datetime.datetime(2026, 12, 1, 16, 0, tzinfo=datetime.UTC)):
        client.force_login(coordinator)  # two weeks on, the session has ended
        client.post(reverse("proposals:meeting_record", args=[meeting.pk, "held"]))
        client.post(reverse("proposals:meeting_record", args=[meeting.pk, "participant"]),
                    {"goes_on": "yes"})
        client.post(reverse("proposals:meeting_record", args=[meeting.pk, "volunteer"]),
                    {"goes_on": "yes"})
    match = Match.objects.get()
    assert (match.participant, match.volunteer) == (participant, volunteers[0])
    participant.refresh_from_db()
    assert participant.status == "matched"


@pytest.mark.django_db
def test_coordinator_records_a_phone_answer_and_a_volunteer_decline(
        coordinator_client, organisation):
    proposal = ProposalFactory(organisation=organisation)
    first = CandidateFactory(proposal=proposal, position=1)
    CandidateFactory(proposal=proposal, position=2)
    url = reverse("proposals:proposal_answer", args=[proposal.pk])
    response = coordinator_client.post(url, {"answer": "1"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.channel) == ("chosen", "phone")
    assert proposal.recorded_by.username == "sofie"
    # A second recording (double click) changes nothing and says so.
    response = coordinator_client.post(url, {"answer": "2"}, follow=True)
    assert "already" in response.content.decode()
    offer = VolunteerOffer.objects.get()
    assert offer.volunteer == first.volunteer
    coordinator_client.post(reverse("proposals:offer_answer", args=[offer.pk]),
                            {"answer": "decline"})
    proposal.refresh_from_db()
    assert proposal.status == "open"
    assert list(proposal.candidates.filter(status="offered").values_list(
        "position", flat=True)) == [2]


@pytest.mark.django_db
def test_coordinator_makes_a_one_off_proposal_from_the_short_list(
        coordinator_client, organisation):
    participant = ParticipantFactory(organisation=organisation)
    volunteer = VolunteerFactory(organisation=organisation, ready=True, first_name="Vera")
    page = coordinator_client.get(reverse("proposals:participant_shortlist",
                                          args=[participant.pk]))
    assert "Vera" in page.content.decode()
    response = coordinator_client.post(reverse("proposals:proposal_create",
                                               args=[participant.pk]),
                                       {"volunteer": [str(volunteer.pk)]})
    proposal = Proposal.objects.get()
    assert response.url == reverse("proposals:proposal_detail", args=[proposal.pk])
    assert proposal.status == "open"
    participant.refresh_from_db()
    assert participant.status == "proposal_open"
    # The same volunteer for someone else: refused with a message, nothing created.
    other = ParticipantFactory(organisation=organisation)
    response = coordinator_client.post(reverse("proposals:proposal_create", args=[other.pk]),
                                       {"volunteer": [str(volunteer.pk)]}, follow=True)
    assert Proposal.objects.count() == 1
    assert "cannot be proposed" in response.content.decode()


# The participant's link: bad input ----------------------------------------------------------


@pytest.fixture
def participant_link(organisation, links):
    proposal = ProposalFactory(organisation=organisation, participant__message_language="en")
    for position in (1, 2):
        CandidateFactory(proposal=proposal, position=position)
    token = proposal_services.proposal_issue_link(proposal.pk)
    return proposal, _page(token)


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["x", "a" * 64, "A" * 32, "1", "%00"])
def test_a_wrong_or_tampered_link_shows_nothing(client, participant_link, token):
    proposal, url = participant_link
    real = url.split("/")[-1]
    names = [c.volunteer.first_name for c in proposal.candidates.select_related("volunteer")]
    for bad in (token, real[:-1] + ("B" if real[-1] != "B" else "C"), real + "x"):
        response = client.get(_page(bad))
        assert response.status_code == 404
        text = response.content.decode()
        # notifications' one friendly page (it may name the organisation the token names,
        # and speaks the language it names: "…x" appended can make a token that names "nl").
        assert 'id="link-heading"' in text
        assert not any(re.search(rf"\b{re.escape(name)}\b", text) for name in names)
        assert "choose" not in text.lower()
        response = client.post(_page(bad),
                               {"answer": "1"})
        assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == "open"


@pytest.mark.django_db
def test_a_reused_link_after_the_choice_shows_the_choice_and_changes_nothing(
        client, participant_link):
    proposal, url = participant_link
    assert client.post(url, {"answer": "1"}).status_code == 302
    response = client.post(url, {"answer": "2"})
    assert response.status_code == 409
    assert "already" in response.content.decode()
    assert VolunteerOffer.objects.count() == 1
    assert proposal.candidates.get(position=1).status == "chosen"


@pytest.mark.django_db
@pytest.mark.parametrize("answer", ["9", "0", "abc", ""])
def test_an_unknown_candidate_number_on_the_page_is_a_clear_answer(
        client, participant_link, answer):
    proposal, url = participant_link
    response = client.post(url, {"answer": answer})
    assert response.status_code == 409
    assert "no number" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "open"


@pytest.mark.django_db
def test_an_expired_link_says_so_and_changes_nothing(client, participant_link):
    proposal, url = participant_link
    with time_machine.travel(proposal.expires_at + datetime.timedelta(hours=1)):
        page = client.get(url)
        assert "expired" in page.content.decode()
        response = client.post(url, {"answer": "1"})
    assert response.status_code == 409
    proposal.refresh_from_db()
    assert proposal.status == "open"


@pytest.mark.django_db
def test_none_of_these_and_call_me_from_the_page(client, organisation, links):
    proposal = ProposalFactory(organisation=organisation)
    CandidateFactory(proposal=proposal, position=1)
    url = _page(proposal_services.proposal_issue_link(
        proposal.pk))
    client.post(url, {"answer": "call_me"})
    proposal.refresh_from_db()
    assert proposal.status == "call_me"
    client.post(url, {"answer": "none", "reason": "Liever iemand uit mijn buurt"})
    proposal.refresh_from_db()
    assert proposal.status == "none_of_these"
    assert proposal.reason == "Liever iemand uit mijn buurt"
    assert proposal.participant.waiting_since == Participant.objects.get(
        pk=proposal.participant_id).waiting_since


@pytest.mark.django_db
def test_participant_page_speaks_french_to_a_french_speaker(client, organisation, links):
    proposal = ProposalFactory(organisation=organisation,
                               participant__message_language="fr")
    CandidateFactory(proposal=proposal, position=1)
    url = _page(proposal_services.proposal_issue_link(
        proposal.pk))
    text = client.get(url).content.decode()
    assert 'lang="fr"' in text


@pytest.mark.django_db
def test_volunteer_link_answer_twice_changes_nothing_the_second_time(client, organisation):
    proposal = ProposalFactory(organisation=organisation)
    CandidateFactory(proposal=proposal, position=1)
    proposal_services.proposal_choose(proposal, 1, "link")
    offer = VolunteerOffer.objects.get()
    url = _page(proposal_services.offer_issue_link(offer.pk))
    assert client.post(url, {"answer": "accept"}).status_code == 302
    response = client.post(url, {"answer": "decline"})
    assert response.status_code == 409
    offer.refresh_from_db()
    assert offer.status == "accepted"
    assert client.get(_page("nope")).status_code == 404


# The API ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_shortlist_api_gives_scores_and_reasons(api_client, coordinator, organisation):
    walking = InterestFactory(organisation=organisation, label_en="Walking")
    participant = ParticipantFactory(organisation=organisation)
    participant.interests.add(walking)
    best = VolunteerFactory(organisation=organisation, ready=True)
    best.interests.add(walking)
    VolunteerFactory(organisation=organisation, ready=True)
    VolunteerFactory(organisation=organisation)  # not ready
    api_client.force_login(coordinator)
    data = api_client.get(f"/api/participants/{participant.pk}/shortlist/").json()
    assert [row["id"] for row in data][0] == best.pk
    assert len(data) == 2
    assert "You both like Walking" in data[0]["reasons"]
    assert data[0]["score"] > data[1]["score"]
    rows = api_client.get(f"/api/volunteers/{best.pk}/shortlist/").json()
    assert [row["id"] for row in rows] == [participant.pk]
    assert rows[0]["waiting_days"] >= 0


@pytest.mark.django_db
def test_shortlist_api_of_another_organisation_is_not_found(api_client, organisation):
    participant = ParticipantFactory(organisation=organisation)
    intruder = CoordinatorFactory(organisation=OrganisationFactory())
    api_client.force_login(intruder)
    assert api_client.get(f"/api/participants/{participant.pk}/shortlist/").status_code == 404


@pytest.mark.django_db
def test_api_records_a_phone_answer_and_refuses_a_second_one(api_client, coordinator,
                                                             organisation):
    proposal = ProposalFactory(organisation=organisation)
    CandidateFactory(proposal=proposal, position=1)
    api_client.force_login(coordinator)
    response = api_client.post(f"/api/proposals/{proposal.pk}/answer/", {"answer": "1"},
                               format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "chosen"
    response = api_client.post(f"/api/proposals/{proposal.pk}/answer/", {"answer": "none"},
                               format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_answered"


@pytest.mark.django_db
def test_api_runs_and_sends_a_round(api_client, coordinator, organisation,
                                    django_capture_on_commit_callbacks):
    ParticipantFactory(organisation=organisation)
    VolunteerFactory(organisation=organisation, ready=True)
    api_client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/proposal-rounds/")
    assert response.status_code == 202 and response.json()["status"] == "preparing"
    created = api_client.get(f"/api/proposal-rounds/{response.json()['id']}/").json()
    assert created["status"] == "draft" and created["progress"] == 100
    sent = api_client.post(f"/api/proposal-rounds/{created['id']}/send/").json()
    assert sent["status"] == "sent"
    assert api_client.post(f"/api/proposal-rounds/{created['id']}/send/").status_code == 200
    assert Proposal.objects.get().status == "open"


# Constant queries ---------------------------------------------------------------------------


def _volunteers(organisation, n):
    interest = InterestFactory(organisation=organisation)
    for _ in range(n):
        VolunteerFactory(organisation=organisation, ready=True).interests.add(interest)
    return interest


@pytest.mark.django_db
@pytest.mark.parametrize("n", [3, 30])
def test_shortlist_api_queries_do_not_grow_with_the_volunteers(
        api_client, coordinator, organisation, django_assert_max_num_queries, n):
    interest = _volunteers(organisation, n)
    participant = ParticipantFactory(organisation=organisation)
    participant.interests.add(interest)
    api_client.force_login(coordinator)
    # One more than the reads: the audit event (one INSERT).
    with django_assert_max_num_queries(25):
        response = api_client.get(f"/api/participants/{participant.pk}/shortlist/")
    assert len(response.json()) == 3


@pytest.mark.django_db
@pytest.mark.parametrize("n", [3, 30])
def test_shortlist_page_queries_do_not_grow_with_the_volunteers(
        coordinator_client, organisation, django_assert_max_num_queries, n):
    _volunteers(organisation, n)
    participant = ParticipantFactory(organisation=organisation)
    with django_assert_max_num_queries(27):
        response = coordinator_client.get(reverse("proposals:participant_shortlist",
                                                  args=[participant.pk]))
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("n", [2, 20])
def test_round_and_overview_pages_use_a_constant_number_of_queries(
        coordinator, coordinator_client, organisation, django_assert_max_num_queries, n):
    for _ in range(n):
        ParticipantFactory(organisation=organisation)
        VolunteerFactory(organisation=organisation, ready=True)
    proposal_round = proposal_services.round_create(organisation=organisation, by=coordinator)
    assert proposal_round.proposals.count() == n
    with django_assert_max_num_queries(12):
        coordinator_client.get(reverse("proposals:round_detail", args=[proposal_round.pk]))
    proposal_services.round_send(proposal_round=proposal_round)
    with django_assert_max_num_queries(16):
        response = coordinator_client.get(reverse("proposals:overview"))
    assert len(re.findall(r"/proposals/\d+/", response.content.decode())) >= n


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 3])
def test_participant_page_uses_a_constant_number_of_queries(
        client, organisation, links, django_assert_max_num_queries, n):
    proposal = ProposalFactory(organisation=organisation, participant__message_language="en")
    interest = InterestFactory(organisation=organisation)
    proposal.participant.interests.add(interest)
    for position in range(1, n + 1):
        CandidateFactory(proposal=proposal, position=position).volunteer.interests.add(interest)
    url = _page(proposal_services.proposal_issue_link(
        proposal.pk))
    with django_assert_max_num_queries(5):
        response = client.get(url)
    assert response.content.decode().count("I choose") == n
    # Opened again: the link and the proposal; the page itself comes from the cache.
    with django_assert_max_num_queries(2):
        again = client.get(url)
    assert again.content == response.content


@pytest.mark.django_db
def test_matching_settings_page_saves_and_checks_the_order_of_days(coordinator_client,
                                                                   organisation):
    url = reverse("proposals:settings")
    assert coordinator_client.get(url).status_code == 200
    data = {"shortlist_size": 4, "weight_interests": 50, "weight_availability": 20,
            "weight_proximity": 20, "weight_participant_wishes": 5,
            "weight_volunteer_wishes": 5, "max_distance_km": 10, "reminder_after_days": 5,
            "call_task_after_days": 4, "link_valid_days": 21}
    response = coordinator_client.post(url, data)
    assert response.status_code == 200
    data["call_task_after_days"] = 9
    assert coordinator_client.post(url, data).status_code == 302

    assert matching_settings(organisation).shortlist_size == 4


@pytest.mark.django_db
def test_api_records_the_volunteers_answer_once(api_client, coordinator, organisation):
    proposal = ProposalFactory(organisation=organisation)
    CandidateFactory(proposal=proposal, position=1)
    proposal_services.proposal_choose(proposal, 1, "sms")
    offer = VolunteerOffer.objects.get()
    api_client.force_login(coordinator)
    url = f"/api/volunteer-offers/{offer.pk}/answer/"
    assert api_client.post(url, {"accept": True}, format="json").json()["status"] == "accepted"
    response = api_client.post(url, {"accept": False}, format="json")
    assert response.status_code == 409
    assert api_client.post(url, {}, format="json").status_code == 400
    offer.refresh_from_db()
    assert offer.status == "accepted"


@pytest.mark.django_db
def test_volunteer_short_list_page_shows_waiting_participants_longest_waiting_first(
        coordinator_client, organisation):
    volunteer = VolunteerFactory(organisation=organisation, ready=True)
    ParticipantFactory(organisation=organisation, first_name="Recent",
                       waiting_since=datetime.date(2026, 10, 1))
    ParticipantFactory(organisation=organisation, first_name="Longwaiting",
                       waiting_since=datetime.date(2025, 1, 1))
    text = coordinator_client.get(reverse("proposals:volunteer_shortlist",
                                          args=[volunteer.pk])).content.decode()
    assert text.index("Longwaiting") < text.index("Recent")


@pytest.mark.django_db
def test_the_participant_can_answer_without_cookies(organisation, links):
    proposal = ProposalFactory(organisation=organisation)
    CandidateFactory(proposal=proposal, position=1)
    url = _page(proposal_services.proposal_issue_link(
        proposal.pk))
    phone = Client(enforce_csrf_checks=True)
    assert phone.post(url, {"answer": "1"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "chosen"


@pytest.mark.django_db
def test_round_page_shows_reasons_and_swaps_a_candidate(coordinator, coordinator_client,
                                                        organisation):
    walking = InterestFactory(organisation=organisation, label_en="Walking")
    participant = ParticipantFactory(organisation=organisation)
    participant.interests.add(walking)
    first = VolunteerFactory(organisation=organisation, ready=True)
    first.interests.add(walking)
    proposal_round = proposal_services.round_create(organisation=organisation, by=coordinator)
    spare = VolunteerFactory(organisation=organisation, ready=True, first_name="Spare")
    page = coordinator_client.get(reverse("proposals:round_detail",
                                          args=[proposal_round.pk])).content.decode()
    assert "You both like Walking" in page
    assert f'<option value="{spare.pk}">' in page
    candidate = proposal_round.proposals.get().candidates.get()
    coordinator_client.post(reverse("proposals:round_candidate", args=[candidate.pk, "swap"]),
                            {"volunteer": str(spare.pk)})
    candidate.refresh_from_db()
    assert candidate.volunteer == spare
    coordinator_client.post(reverse("proposals:round_send", args=[proposal_round.pk]))
    response = coordinator_client.post(
        reverse("proposals:round_candidate", args=[candidate.pk, "remove"]), follow=True)
    assert "cannot be changed" in response.content.decode()


@pytest.mark.django_db
def test_link_of_a_withdrawn_proposal_says_the_place_is_kept(client, organisation, links):
    proposal = ProposalFactory(organisation=organisation, participant__message_language="en")
    CandidateFactory(proposal=proposal, position=1)
    url = _page(proposal_services.proposal_issue_link(
        proposal.pk))
    proposal_services.proposal_withdraw(proposal=proposal)
    text = client.get(url).content.decode()
    assert "keep your place" in text
    assert "I choose" not in text


@pytest.mark.night
@pytest.mark.django_db
def test_a_round_sent_at_night_tells_the_coordinator_when_the_sms_go_out(
        coordinator_client, organisation, coordinator, django_capture_on_commit_callbacks):
    ParticipantFactory(organisation=organisation, phone="+32470123456")
    VolunteerFactory(organisation=organisation, ready=True)
    proposal_round = proposal_services.round_create(organisation=organisation, by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("proposals:round_send", args=[proposal_round.pk]), follow=True)
    page = response.content.decode()
    assert "The round was sent." in page
    assert "they go out today at 09:00" in page
    assert locmem.outbox == []  # nothing sent at 03:00


@pytest.mark.django_db
def test_a_round_sent_by_day_says_nothing_about_waiting(
        coordinator_client, organisation, coordinator, django_capture_on_commit_callbacks):
    ParticipantFactory(organisation=organisation, phone="+32470123456")
    VolunteerFactory(organisation=organisation, ready=True)
    proposal_round = proposal_services.round_create(organisation=organisation, by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("proposals:round_send", args=[proposal_round.pk]), follow=True)
    assert "The messages wait" not in response.content.decode()
    assert len(locmem.outbox) == 1
