"""The coordinator's home and the reports in a real browser, on a phone-sized screen."""

import datetime

import pytest

from matching.intake.models import ParticipantStatus
from tests.browser.test_staff_pages import log_in
from tests.factories import CoordinatorFactory, OrganisationFactory
from tests.factories_coaching import SessionFactory
from tests.factories_duos import ParticipantFactory, active_duo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def busy_coordinator():
    organisation = OrganisationFactory(name="Samen Op Weg Gent", slug="samen-op-weg")
    coordinator = CoordinatorFactory(organisation=organisation, username="sofie",
                                     first_name="Sofie", language="nl")
    today = datetime.date.today()
    for i in range(6):
        active_duo(organisation, coordinator=coordinator,
                   start_date=today - datetime.timedelta(days=200 + 30 * i), duration_months=7)
        ParticipantFactory(organisation=organisation, status=ParticipantStatus.WAITING,
                           waiting_since=today - datetime.timedelta(days=20 * i))
    SessionFactory(organisation=organisation, facilitator=coordinator)
    return coordinator


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "the page scrolls sideways on a phone"


def test_home_and_reports_work_on_a_phone(
        phone, live_server, busy_coordinator, screenshot, assert_accessible):
    log_in(phone, live_server)
    phone.wait_for_url(f"{live_server.url}/")
    assert phone.get_by_role("heading", name="Opvolging vandaag").is_visible()
    assert phone.get_by_role("heading", name="Volgende intervisie").is_visible()
    assert_accessible(phone)
    _no_sideways_scroll(phone)
    screenshot(phone, "home-on-a-phone")
    phone.get_by_role("link", name="Open de rapporten").click()
    phone.wait_for_url(f"{live_server.url}/reports/")
    assert phone.locator("svg.bar-chart").count() == 4
    assert_accessible(phone)
    _no_sideways_scroll(phone)
    screenshot(phone, "reports-on-a-phone")
    phone.get_by_label("Periode", exact=True).select_option("last_year")
    phone.get_by_role("button", name="Toon").click()
    phone.wait_for_url("**/reports/?*preset=last_year*")
    assert_accessible(phone)
    screenshot(phone, "reports-last-year")
