"""The front door in a real browser: a volunteer applies on a 320-pixel phone without an
account, the coordinator moves them through the screening stages to ready, and they appear
in a waiting participant's short list. Every page passes axe-core (no serious or critical
violation), the public pages load no script and do not scroll sideways."""


import datetime

import pytest
import time_machine
from django.utils import timezone

from matching.intake.applications.models import Application
from matching.intake.models import Participant, ParticipantStatus, Volunteer, VolunteerStatus
from matching.intake.referrals.models import Partner
from matching.intake.screening.models import ScreeningStage, ScreeningStep
from notifications.sms.backends import locmem
from tests.factories import VolunteerUserFactory
from tests.factories_matching import InterestFactory, ParticipantFactory, VolunteerFactory

from .test_journey import (  # noqa: F401  (coordinator_account is a fixture)
    TWILIO_TOKEN,
    coordinator_account,
    fill,
    log_in,
    sms_reply,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BRUSSELS = timezone.get_default_timezone()




def test_a_volunteer_applies_is_screened_and_appears_in_a_short_list(
        small_phone, desktop, live_server, coordinator_account, screenshot,  # noqa: F811
        assert_accessible, check_public):
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
    check_public(page)
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
    check_public(page)
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


def test_a_partner_refers_and_the_participants_yes_by_sms_puts_them_on_the_list(
        small_phone, live_server, coordinator_account, screenshot, assert_accessible,  # noqa: F811
        settings, check_public):
    organisation = coordinator_account.organisation
    partner = Partner.objects.create(organisation=organisation, name="Buurtwerk Noord",
                                     kind="other")
    base = live_server.url
    page = small_phone
    with time_machine.travel(datetime.datetime(2026, 11, 10, 11, tzinfo=BRUSSELS),
                             tick=True):
        page.goto(f"{base}/refer/{partner.token}/")
        check_public(page)
        screenshot(page, "1-refer")
        fill(page, {
            "first_name": "Amina", "last_name": "Haddad", "phone": "0471 55 66 77",
            "contact_channel": ["sms"], "message_language": ["nl"], "postcode": "9000",
            "languages": "Nederlands, Arabisch", "availability": ["2-1"],
            "consent_recorded": True, "consents": ["sms"], "referred_by": "Els",
        })
        with page.expect_navigation():
            page.get_by_role("button", name="Verstuur de doorverwijzing").click()
        check_public(page)
        screenshot(page, "1-referred")
    participant = Participant.objects.get(first_name="Amina")
    assert participant.status == ParticipantStatus.TO_CONFIRM
    asked = [sms.body for sms in locmem.outbox if sms.to == "+32471556677"]
    assert len(asked) == 1 and "JA" in asked[0]

    # A week later she replies YES through the provider's signed webhook.
    settings.SITE_URL = base
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    with time_machine.travel(datetime.datetime(2026, 11, 17, 18, tzinfo=BRUSSELS), tick=True):
        assert sms_reply(base, "+32471556677", "Ja", sid="SMref1") == 200
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.WAITING
    assert participant.waiting_since == datetime.date(2026, 11, 10)  # the referral date
    page.goto(f"{base}/refer/{partner.token}/")
    assert "op de wachtlijst" in page.content()
    check_public(page)
    screenshot(page, "2-partner-sees-status")


def test_a_volunteer_takes_a_break_from_their_own_page_and_leaves_the_short_lists(
        desktop, live_server, coordinator_account, screenshot, assert_accessible):  # noqa: F811
    organisation = coordinator_account.organisation
    user = VolunteerUserFactory(organisation=organisation, username="lotte", language="nl")
    user.set_password("correct-horse-battery")
    user.save()
    volunteer = VolunteerFactory(organisation=organisation, user=user, ready=True,
                                 first_name="Lotte", languages=["nl"])
    participant = ParticipantFactory(organisation=organisation, first_name="Fatima",
                                     languages=["nl"])
    ready = Volunteer.objects.ready_with_capacity
    assert ready().filter(pk=volunteer.pk).exists()
    log_in(desktop, live_server, assert_accessible, username="lotte")
    desktop.goto(f"{live_server.url}/me/")
    assert_accessible(desktop)
    screenshot(desktop, "1-my-page")
    desktop.locator("[name=until]").fill("2027-01-15")
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="Pauze nemen").click()
    assert_accessible(desktop)
    screenshot(desktop, "2-on-a-break")
    assert "Ik ben er weer" in desktop.content()
    volunteer.refresh_from_db()
    assert volunteer.available_from == datetime.date(2027, 1, 15)
    assert not ready().filter(pk=volunteer.pk).exists()
    assert ready(datetime.date(2027, 1, 15)).filter(pk=volunteer.pk).exists()
    # The coordinator's short list of a waiting participant no longer offers her.
    coordinator = desktop.context.browser.new_context(viewport={"width": 1280, "height": 900},
                                                      locale="nl-BE").new_page()
    log_in(coordinator, live_server, assert_accessible)
    coordinator.goto(f"{live_server.url}/participants/{participant.pk}/")
    assert_accessible(coordinator)
    screenshot(coordinator, "3-short-list-without-her")
    assert "Lotte" not in coordinator.content()
    coordinator.context.close()
