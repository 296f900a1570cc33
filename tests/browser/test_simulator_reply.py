"""The phone simulator of `make run` in a real browser: the coordinator opens it, finds the
proposal SMS the participant got, answers "2" from that phone, and sees on the proposal's
page that the participant chose the second buddy (the real inbound path: parsing, the open
question, the proposal's reply handler)."""

import pytest

from matching.proposals import services as proposals
from matching.proposals.models import ProposalStatus
from notifications.models import Message
from tests.factories import CoordinatorFactory, OrganisationFactory
from tests.factories_matching import ParticipantFactory, VolunteerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = "+32470123456"


def test_a_reply_through_the_simulator_changes_the_proposal(desktop, live_server, settings,
                                                             screenshot, assert_accessible):
    settings.SMS_SIMULATOR = True
    organisation = OrganisationFactory(name="Samen Op Weg Gent", slug="samen-op-weg")
    coordinator = CoordinatorFactory(organisation=organisation, username="sofie",
                                     language="nl")
    participant = ParticipantFactory(organisation=organisation, first_name="Aïcha",
                                     phone=PHONE, message_language="nl")
    first, second = (VolunteerFactory(organisation=organisation, ready=True, first_name=name,
                                      last_name="Peeters") for name in ("Bram", "Griet"))
    proposal = proposals.proposal_create_single(participant=participant,
                                                volunteers=[first, second], by=coordinator)

    page = desktop
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Gebruikersnaam").fill("sofie")
    page.get_by_label("Wachtwoord").fill("correct-horse-battery")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="Open de telefoonsimulator").click()
    card = page.locator(f"#phone-{PHONE.lstrip('+')}")
    assert "Aicha" in card.inner_text()  # the SMS as the phone shows it, in GSM-7 letters
    assert_accessible(page)
    screenshot(page, "simulator-proposal")
    card.get_by_label("Antwoord vanaf deze telefoon").fill("2")
    with page.expect_navigation():
        card.get_by_role("button", name="Antwoord versturen").click()
    assert "Het antwoord kwam binnen als sms van" in page.inner_text("main")
    screenshot(page, "simulator-answered")

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CHOSEN
    assert Message.objects.get(direction="in").backend == "simulator"
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    assert page.locator("main .lead .badge").inner_text() == "Gekozen"
    chosen = page.locator("main li", has_text="Griet").inner_text()
    assert "Griet" in chosen and "Bram" not in chosen
    assert_accessible(page)
    screenshot(page, "proposal-chosen")
