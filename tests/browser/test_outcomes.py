"""The outcome page and the survey's link page in a real browser, with axe: the page a
coordinator reads on a phone, and the page a participant answers on a 320 px screen
without JavaScript."""

import pytest

from notifications.services import link_create
from outcomes import services
from outcomes.models import Answer, Survey
from tests.browser.test_staff_pages import log_in
from tests.factories import CoordinatorFactory, OrganisationFactory
from tests.outcomes.test_outcome_report import history
from tests.outcomes.test_outcomes_lasting import ended_duos

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator_with_history():
    organisation = OrganisationFactory(name="Samen Op Weg Gent", slug="samen-op-weg")
    coordinator = CoordinatorFactory(organisation=organisation, username="sofie",
                                     first_name="Sofie", language="nl")
    history(organisation, coordinator, [(1, 3, "ocmw")] * 5 + [(0, 2, "caw")] * 5)
    return coordinator


def test_the_outcome_page_works_on_a_phone(phone, live_server, coordinator_with_history,
                                           screenshot, assert_accessible):
    log_in(phone, live_server)
    phone.wait_for_url(f"{live_server.url}/")
    phone.goto(f"{live_server.url}/reports/outcomes/")
    assert phone.get_by_role("heading", name="Resultaten: maakt de buddy een verschil?") \
        .is_visible()
    assert phone.locator("svg.bar-chart").count() >= 1
    assert "+2.00" in phone.content()
    assert_accessible(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "outcomes-on-a-phone")


def test_the_survey_page_is_answered_at_320_pixels_without_javascript(
        browser, live_server, coordinator_with_history, screenshot, assert_accessible):
    survey = Survey.objects.filter(moment="follow_up").first()
    Answer.objects.filter(survey=survey).delete()
    _link, url = link_create(organisation_id=survey.organisation_id,
                             recipient_key=survey.person_key, language="nl",
                             purpose=services.PURPOSE, subject=f"survey:{survey.pk}")
    path = url.split("/s/", 1)[1]
    context = browser.new_context(viewport={"width": 320, "height": 640},
                                  java_script_enabled=False, locale="nl-BE")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/s/{path}")
        assert page.get_by_role("heading", name="Je netwerk").is_visible()
        screenshot(page, "survey-at-320")
        page.get_by_label("Op hoeveel mensen kan je rekenen als je hulp nodig hebt?").fill("3")
        page.get_by_role("group", name="Hoe vaak voel je je alleen?").get_by_label("2").check()
        page.get_by_role("button", name="Mijn antwoorden versturen").click()
        assert page.get_by_text("Bedankt voor je antwoorden!").is_visible()
    finally:
        context.close()
    assert sorted(Answer.objects.filter(survey=survey).values_list("number", flat=True)) == [
        2, 3]
    page_with_axe = browser.new_context(viewport={"width": 320, "height": 640},
                                        locale="nl-BE").new_page()
    try:
        _link, url = link_create(organisation_id=survey.organisation_id,
                                 recipient_key=survey.person_key, language="nl",
                                 purpose=services.PURPOSE, subject=f"survey:{survey.pk}")
        page_with_axe.goto(f"{live_server.url}/s/{url.split('/s/', 1)[1]}")
        assert_accessible(page_with_axe)
        assert page_with_axe.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        page_with_axe.context.close()


def test_what_makes_a_duo_last_works_on_a_phone(phone, live_server, coordinator_with_history,
                                                screenshot, assert_accessible):
    ended_duos(coordinator_with_history.organisation, 40)
    log_in(phone, live_server)
    phone.wait_for_url(f"{live_server.url}/")
    phone.goto(f"{live_server.url}/reports/lasting/")
    assert phone.get_by_role("heading", name="Wat een duo doet duren").is_visible()
    assert phone.locator("svg.bar-chart").count() >= 6  # one per factor
    first_factor = phone.locator("div.table-scroll tbody th").first
    assert first_factor.inner_text() == "Gemeenschappelijke vrije tijd"
    screenshot(phone, "lasting-on-a-phone")
    assert_accessible(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
