"""The staff pages in a real browser: log in, navigate, change language, on desktop and phone."""

import pytest

from tests.factories import CoordinatorFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator_account():
    organisation = OrganisationFactory(name="Samen Op Weg Gent", slug="samen-op-weg")
    return CoordinatorFactory(
        organisation=organisation, username="sofie", first_name="Sofie", language="nl"
    )


def log_in(page, live_server, username="sofie", password="correct-horse-battery"):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def test_coordinator_logs_in_and_lands_on_the_home_page(
    desktop, live_server, coordinator_account, screenshot, assert_accessible
):
    desktop.goto(f"{live_server.url}/")
    assert "/accounts/login/" in desktop.url
    assert_accessible(desktop)
    screenshot(desktop, "login")
    log_in(desktop, live_server)
    desktop.wait_for_url(f"{live_server.url}/")
    assert desktop.get_by_role("heading", level=1).inner_text() == "Goeiedag, Sofie"
    assert desktop.get_by_role("navigation", name="Hoofdmenu").is_visible()
    assert_accessible(desktop)
    screenshot(desktop, "home")


def test_wrong_password_is_explained_on_a_phone(
    phone, live_server, coordinator_account, screenshot, assert_accessible
):
    log_in(phone, live_server, password="wrong")
    assert phone.get_by_role("alert").is_visible()
    assert_accessible(phone)
    screenshot(phone, "wrong-password")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "the page scrolls sideways on a phone"


def test_keyboard_user_can_skip_to_content_and_switch_to_french(
    desktop, live_server, coordinator_account, screenshot
):
    log_in(desktop, live_server)
    desktop.wait_for_url(f"{live_server.url}/")
    desktop.keyboard.press("Tab")
    focused = desktop.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Naar de inhoud"
    desktop.get_by_label("Taal").select_option("fr")
    desktop.get_by_role("button", name="Wijzigen").click()
    desktop.wait_for_load_state()
    assert desktop.get_by_role("heading", level=1).inner_text() == "Bonjour, Sofie"
    screenshot(desktop, "home-in-french")
