"""The password reset in a real browser on a 320-pixel phone: from the login page to a new
password, accessible at every step, nothing scrolls sideways, and no page loads a script
(the flow needs no JavaScript). JavaScript stays on in the browser because axe-core runs in
the page."""

import re

import pytest
from django.core import mail

from tests.factories import CoordinatorFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]




def test_a_coordinator_resets_the_password_on_a_small_phone(
    small_phone, live_server, screenshot, check_public
):
    organisation = OrganisationFactory(name="Samen Op Weg Gent", slug="samen-op-weg")
    CoordinatorFactory(organisation=organisation, username="sofie", language="nl")
    page = small_phone
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    page.get_by_label("Gebruikersnaam, e-mailadres of gsm-nummer").fill("sofie")
    check_public(page)
    screenshot(page, "ask")
    page.get_by_role("button", name="Stuur me een link").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Kijk in je mailbox of op je gsm")
    check_public(page)
    screenshot(page, "sent")

    path = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[0].body).group(1)
    page.goto(f"{live_server.url}{path}")
    assert page.get_by_role("heading", level=1).inner_text() == "Kies een nieuw wachtwoord"
    page.locator("#id_new_password1").fill("a-new-long-passphrase-42")
    page.locator("#id_new_password2").fill("a-new-long-passphrase-42")
    check_public(page)
    screenshot(page, "choose")
    page.get_by_role("button", name="Nieuw wachtwoord bewaren").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Je wachtwoord is gewijzigd"
    check_public(page)
    screenshot(page, "done")
