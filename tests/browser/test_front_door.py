"""The front door in a real browser: a volunteer applies on a 320-pixel phone without an
account, the coordinator moves them through the screening stages to ready, and they appear
in a waiting participant's short list. Every page passes axe-core (no serious or critical
violation), the public pages load no script and do not scroll sideways."""


import pytest

from matching.intake.applications.models import Application
from matching.intake.models import ParticipantStatus, Volunteer, VolunteerStatus
from matching.intake.screening.models import ScreeningStage, ScreeningStep
from tests.factories_matching import InterestFactory, ParticipantFactory

from .test_journey import coordinator_account, fill, log_in  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SMALL_PHONE = {"width": 320, "height": 640}


@pytest.fixture
def small_phone(browser):
    context = browser.new_context(viewport=SMALL_PHONE, locale="nl-BE")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def check_public(page, assert_accessible):
    assert "<script" not in page.content()
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SMALL_PHONE["width"], "the page scrolls sideways on a small phone"


def test_a_volunteer_applies_is_screened_and_appears_in_a_short_list(
        small_phone, desktop, live_server, coordinator_account, screenshot,  # noqa: F811
        assert_accessible):
    organisation = coordinator_account.organisation
    walking = InterestFactory(organisation=organisation, label_nl="Fietsen", label_en="Cycling")
    participant = ParticipantFactory(organisation=organisation, first_name="Fatima",
                                     languages=["nl"],
                                     status=ParticipantStatus.WAITING)
    participant.interests.add(walking)
    base = live_server.url

    # 1. A volunteer applies on a small phone, in Dutch, without an account.
    page = small_phone
    page.goto(f"{base}/apply/samen-op-weg/")
    assert page.get_by_role("heading", level=1).inner_text() == "Word buddy"
    check_public(page, assert_accessible)
    screenshot(page, "1-apply")
    fill(page, {
        "first_name": "Lotte", "last_name": "Peeters", "phone": "0486 11 22 33",
        "contact_channel": ["sms"], "message_language": ["nl"], "postcode": "9000",
        "languages": "Nederlands", "interests": [str(walking.pk)],
        "availability": ["0-0", "0-1", "2-1", "5-1"], "meeting_frequency": "weekly",
        "motivation": "Ik fiets graag en heb tijd op zaterdag.",
        "consents": ["data", "messages", "share_profile"],
    })
    screenshot(page, "1-apply-filled")
    with page.expect_navigation():
        page.get_by_role("button", name="Verstuur mijn aanmelding").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Bedankt"
    check_public(page, assert_accessible)
    screenshot(page, "1-thanks")
    volunteer = Volunteer.objects.get(first_name="Lotte")
    assert volunteer.status == VolunteerStatus.APPLIED
    assert Application.objects.get().volunteer == volunteer

    # 2. The coordinator sees them on the screening board and records each step.
    log_in(desktop, live_server, assert_accessible)
    desktop.goto(f"{base}/screening/")
    assert_accessible(desktop)
    screenshot(desktop, "2-board")
    with desktop.expect_navigation():
        desktop.get_by_role("link", name="Lotte Peeters").click()
    assert_accessible(desktop)
    for kind in ("intake_planned", "intake_held", "certificate", "references", "training",
                 "ready"):
        stage = ScreeningStage.objects.get(organisation=organisation, kind=kind)
        desktop.locator("select[name=stage]").select_option(str(stage.pk))
        desktop.locator("[name=note]").fill(f"Stap {kind}")
        with desktop.expect_navigation():
            desktop.get_by_role("button", name="Opslaan").click()
        assert_accessible(desktop)
        assert ScreeningStep.objects.get(volunteer=volunteer, is_current=True).stage == stage
        screenshot(desktop, f"2-step-{kind}")
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.ACTIVE and volunteer.is_ready

    # 3. Ready: they are in the waiting participant's short list.
    desktop.goto(f"{base}/participants/{participant.pk}/")
    assert_accessible(desktop)
    screenshot(desktop, "3-short-list")
    assert "Lotte" in desktop.content()
