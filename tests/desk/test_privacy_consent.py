"""Withdrawing consent for a purpose stops what the purpose covers: "share profile" hides the
participant's name and interests from the buddy's messages and pages; "referrer" blanks the
referrer's contact details and keeps them out. (Messages: tests/desk/test_privacy_retention.py.)"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from matching.intake import services as matching_services
from matching.intake.models import Participant
from matching.intake.reach import name_for_buddy
from matching.proposals import messaging
from matching.proposals import services as proposal_services
from matching.proposals.models import VolunteerOffer
from notifications.models import Message
from tests.factories_duos import ParticipantFactory, pending_duo, volunteer_with_account
from tests.factories_proposals import CandidateFactory, ProposalFactory


def _withdraw(participant, purpose):
    matching_services.participant_record_consent(participant=participant, purpose=purpose,
                                                 given=False)


def _offer(organisation, participant):
    proposal = ProposalFactory(organisation=organisation, participant=participant)
    CandidateFactory(proposal=proposal, position=1, volunteer__message_language="en")
    proposal_services.proposal_choose(proposal, 1, "link")
    return VolunteerOffer.objects.get()


@pytest.mark.django_db
@pytest.mark.parametrize("withdrawn", [False, True])
def test_the_offer_to_the_volunteer_names_the_participant_only_with_consent(
        organisation, withdrawn):
    participant = ParticipantFactory(organisation=organisation, first_name="Zoubida",
                                     status="proposal_open")
    if withdrawn:
        _withdraw(participant, "share_profile")
    offer = _offer(organisation, participant)
    messaging.ask_volunteer_to_accept(offer.pk)
    bodies = " ".join(Message.objects.filter(recipient_key=f"volunteer:{offer.volunteer_id}")
                      .values_list("body", flat=True))
    assert bodies
    assert ("Zoubida" in bodies) is not withdrawn  # English: the volunteer's language
    assert ("a participant" in bodies) is withdrawn


@pytest.mark.django_db
def test_the_volunteers_link_page_hides_name_and_interests_without_consent(client,
                                                                           organisation):
    participant = ParticipantFactory(organisation=organisation, first_name="Zoubida",
                                     status="proposal_open")
    offer = _offer(organisation, participant)
    url = reverse("link", kwargs={"token": proposal_services.offer_issue_link(offer.pk)})
    assert "Zoubida" in client.get(url).content.decode()
    _withdraw(participant, "share_profile")
    page = client.get(url).content.decode()
    assert "Zoubida" not in page and "a participant" in page
    assert "You both like" not in page


@pytest.mark.django_db
def test_the_buddys_duo_page_and_api_show_a_participant_who_withdrew_as_a_participant(
        client, organisation):
    volunteer, account = volunteer_with_account(organisation)
    participant = ParticipantFactory(organisation=organisation, first_name="Zoubida")
    pending_duo(organisation, participant=participant, volunteer=volunteer)
    client.force_login(account)
    assert "Zoubida" in client.get("/duos/my/").content.decode()
    _withdraw(participant, "share_profile")
    page = client.get("/duos/my/").content.decode()
    assert "Zoubida" not in page and "a participant" in page
    [duo] = client.get("/api/duos/my/duos/").json()["results"]
    assert duo["participant_first_name"] == "a participant"
    matching_services.participant_record_consent(participant=participant,
                                                 purpose="share_profile", given=True)
    assert "Zoubida" in client.get("/duos/my/").content.decode()


@pytest.mark.django_db
def test_withdrawing_referrer_consent_blanks_the_referrers_details_and_keeps_them_out(
        coordinator_client, organisation):
    participant = ParticipantFactory(organisation=organisation, referrer="other",
                                     referrer_detail="Mrs Peeters, OCMW Gent 09 123")
    _withdraw(participant, "referrer")
    participant.refresh_from_db()
    assert (participant.referrer, participant.referrer_detail) == ("other", "")
    with pytest.raises(ValidationError) as refused:
        matching_services.participant_update(participant=participant,
                                             referrer_detail="Mrs Peeters")
    assert "referrer_detail" in refused.value.message_dict
    assert Participant.objects.get(pk=participant.pk).referrer_detail == ""
    page = coordinator_client.get(reverse("matching:participant_detail",
                                          args=[participant.pk])).content.decode()
    assert "No contact with the referrer: consent withdrawn." in page
    matching_services.participant_record_consent(participant=participant, purpose="referrer",
                                                 given=True)
    matching_services.participant_update(participant=participant, referrer_detail="Mr Claes")
    assert Participant.objects.get(pk=participant.pk).referrer_detail == "Mr Claes"


@pytest.mark.django_db
def test_other_purposes_leave_the_referrer_and_the_name_alone(organisation):
    participant = ParticipantFactory(organisation=organisation, first_name="Zoubida",
                                     referrer_detail="OCMW Gent")
    _withdraw(participant, "sms")
    participant.refresh_from_db()
    assert participant.referrer_detail == "OCMW Gent"

    assert name_for_buddy(participant) == "Zoubida"


@pytest.mark.django_db
def test_the_neutral_name_is_in_the_volunteers_language(organisation):
    participant = ParticipantFactory(organisation=organisation, first_name="Zoubida")
    _withdraw(participant, "share_profile")
    assert [name_for_buddy(participant, language) for language in ("nl", "fr", "en")] == [
        "een deelnemer", "un participant", "a participant"]
