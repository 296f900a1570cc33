"""The round's page in a real browser while the background job prepares it: the progress,
updated without a click, then the draft."""

import datetime

import pytest

from matching.proposals import services, tasks
from matching.proposals.models import ProposalRound, RoundStage
from organisations.scoping import organisation_scope
from tests.factories import CoordinatorFactory, OrganisationFactory
from tests.factories_matching import ParticipantFactory, VolunteerFactory

from .test_staff_pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_round_page_shows_the_jobs_progress_and_then_the_draft(
        desktop, live_server, screenshot, assert_accessible, monkeypatch):
    organisation = OrganisationFactory(name="Samen Op Weg Gent", slug="samen-op-weg")
    CoordinatorFactory(organisation=organisation, username="sofie", language="nl")
    ParticipantFactory(organisation=organisation, first_name="Fatima",
                       waiting_since=datetime.date(2025, 3, 1))
    VolunteerFactory(organisation=organisation, ready=True, first_name="Vera")
    queued = []
    # No worker has taken the job yet: the page shows it waiting.
    monkeypatch.setattr(tasks.prepare_round, "delay", queued.append)

    log_in(desktop, live_server)
    desktop.goto(f"{live_server.url}/rounds/")
    desktop.get_by_role("button", name="Maak een nieuwe ronde klaar").click()
    desktop.get_by_text("Wachten op de achtergrondtaak").wait_for()
    assert desktop.get_by_role("button", name="Annuleer deze ronde").is_visible()
    assert_accessible(desktop)
    screenshot(desktop, "waiting")
    (round_id,) = queued

    # The job moves on; the page follows by itself.
    ProposalRound.objects.filter(pk=round_id).update(stage=RoundStage.SCORING, progress=37)
    desktop.get_by_text("De paren scoren").wait_for()
    assert desktop.locator("progress").get_attribute("value") == "37"
    screenshot(desktop, "scoring")

    with organisation_scope(organisation):
        services.round_prepare(round_id)
    desktop.get_by_text("Fatima").wait_for()
    assert desktop.get_by_text("Vera").first.is_visible()
    assert desktop.get_by_role("button", name="Stuur deze ronde").is_visible()
    screenshot(desktop, "draft")
