"""A coordinator's first week, in a real browser: from their own spreadsheets to the first
proposal. A new coordinator logs in, imports the volunteers (a messy XLSX) and the waiting
list (the messy semicolon CSV in docs/import/), resolves the values the import could not
place and the duplicate, commits, opens the first participant, proposes from the short list
and sees the SMS go out. Every click is counted (test-output/first-week.json) and every page
is checked by axe-core (no serious or critical violation)."""

import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from matching.intake.models import Participant, Volunteer
from notifications.sms.backends import locmem
from tests.browser.test_journey import EveryPageChecked
from tests.factories import CoordinatorFactory, OrganisationFactory
from tests.factories_matching import InterestCategoryFactory, InterestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
PARTICIPANTS_CSV = ROOT / "docs" / "import" / "wachtlijst-deelnemers.csv"
VOLUNTEERS_XLSX = ROOT / "docs" / "import" / "vrijwilligers.xlsx"
# The volunteers' sheet as a coordinator keeps it: Dutch headers, "geen gsm" with an e-mail,
# languages and availability in words, readiness dates in three ways.
VOLUNTEER_ROWS = [
    ["Voornaam", "Achternaam", "GSM", "Mail", "Postcode", "Woonplaats", "Talen",
     "Wanneer vrij", "Hobby's", "Aantal duo's", "Geslacht", "Intakegesprek", "Uittreksel",
     "Vorming"],
    ["Lotte", "Janssens", "0486 11 22 33", None, 9030, "Mariakerke", "NL/FR",
     "ma nm, wo vm", "Koken, Wandelen", 2, "V", "12/01/2026", "2026-01-03", "1/2/2026"],
    ["Pieter", "De Smet", "geen gsm", "pieter@example.org", "9000", "gent", "Nederlands",
     "za vm", "Voetbal", "1", "m", "15/01/2026", "10/01/2026", "01/02/2026"],
    ["Hanne", "Wuyts", "+32 475 99 88 77", "", 9040, "", "nl + fr + Arabisch",
     "do vm, 's avonds", "Wandelen", "", "x", "20/01/2026", "18/01/2026", "01/02/2026"],
]
# What each unknown value of the participants' file means, as the coordinator says it.
MEANINGS = {
    "Nederlands oefenen": "taal", "Breien": "-", "Tekenen": "-", "Huisarts": "other",
    "Vluchtelingenwerk": "other", "Tigrinees": "ti", "9000 Gentbrugge": "9050 Gent",
}


def volunteers_xlsx() -> bytes:
    workbook = Workbook()
    for row in VOLUNTEER_ROWS:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class Clicks:
    """Counts what the coordinator does: a click, a choice in a list, a file picked."""

    def __init__(self):
        self.count, self.steps = 0, []

    def __call__(self, step, action):
        self.count += 1
        self.steps.append(step)
        return action()


@pytest.fixture
def new_coordinator():
    organisation = OrganisationFactory(name="Samen Op Weg Gent", slug="samen-op-weg")
    together = InterestCategoryFactory(organisation=organisation, label_nl="Samen")
    for key, label in [("wandelen", "Wandelen"), ("koken", "Koken"), ("taal", "Taal oefenen"),
                       ("voetbal", "Voetbal"), ("schaken", "Schaken"), ("lezen", "Lezen")]:
        InterestFactory(organisation=organisation, category=together, key=key,
                        label_nl=label, label_en=label)
    return CoordinatorFactory(organisation=organisation, username="sofie", first_name="Sofie",
                              language="nl")


def test_a_new_coordinator_goes_from_spreadsheets_to_the_first_proposal(
        desktop, live_server, new_coordinator, screenshot, assert_accessible, tmp_path):
    page, base, click = desktop, live_server.url, Clicks()
    pages = EveryPageChecked(assert_accessible)
    check = pages.check
    pages.watch(page)
    xlsx = tmp_path / VOLUNTEERS_XLSX.name
    xlsx.write_bytes(volunteers_xlsx())

    page.goto(f"{base}/accounts/login/")
    check(page)
    page.get_by_label("Gebruikersnaam").fill("sofie")
    page.get_by_label("Wachtwoord").fill("correct-horse-battery")
    click("log in", lambda: page.get_by_role("button", name="Inloggen").click())
    page.wait_for_url(f"{base}/")
    check(page)

    def import_file(path, kind, step):
        click("open the menu group", lambda: page.locator("summary", has_text="Wachtlijst")
              .click())
        click("import", lambda: page.get_by_role("link", name="Een rekenblad importeren")
              .click())
        page.wait_for_url(f"{base}/imports/")
        check(page)
        click("who is in the file", lambda: page.get_by_label("Wie staat er in het bestand?")
              .select_option(kind))
        click("choose the file", lambda: page.get_by_label("Rekenblad (CSV of XLSX)")
              .set_input_files(str(path)))
        click("upload", lambda: page.get_by_role("button", name="Opladen").click())
        page.wait_for_url(f"{base}/imports/*/")
        check(page)
        screenshot(page, f"{step}-columns")
        click("check", lambda: page.get_by_role("button", name="Controleer het bestand")
              .click())
        page.wait_for_load_state()
        check(page)
        screenshot(page, f"{step}-checked")

    def commit(step):
        click("commit", lambda: page.get_by_role("button", name="importeren").click())
        page.wait_for_selector("text=geïmporteerd")
        check(page)
        screenshot(page, f"{step}-done")

    import_file(xlsx, "volunteers", "volunteers")
    commit("volunteers")
    assert Volunteer.objects.count() == 3 and Volunteer.objects.ready().count() == 3

    import_file(PARTICIPANTS_CSV, "participants", "participants")
    assert "Waarden die de import niet kon plaatsen" in page.content()
    for label, answer in MEANINGS.items():
        field = page.get_by_label(f"“{label}”", exact=True)
        click(f"resolve {label}", lambda f=field, a=answer: f.select_option(a))
    click("decide on the duplicate", lambda: page.get_by_label(
        "Alleen de eerdere rij houden").check())
    click("skip the bad row", lambda: page.get_by_label(
        "Sla de rij met fouten over en importeer de andere").check())
    click("resolve", lambda: page.get_by_role("button", name="Bewaren en opnieuw controleren")
          .click())
    page.wait_for_load_state()
    check(page)
    screenshot(page, "participants-resolved")
    assert Participant.objects.count() == 0  # nothing lands before the commit
    commit("participants")
    assert Participant.objects.count() == 7  # Tom has no phone nor e-mail: skipped

    click("open the waiting list", lambda: page.get_by_role("link", name="Open de wachtlijst")
          .click())
    page.wait_for_url(f"{base}/waiting-list/")
    check(page)
    first = page.locator("main table tbody tr").first.locator("a").first
    name = first.inner_text()
    click("open the first participant", first.click)
    page.wait_for_url(f"{base}/participants/*/")
    check(page)
    screenshot(page, "first-participant")
    assert page.get_by_role("heading", name="Koppelen").is_visible()
    click("propose", lambda: page.get_by_role("button", name="Stuur dit voorstel").click())
    page.wait_for_url(f"{base}/proposals/*/")
    check(page)
    screenshot(page, "proposal-sent")
    participant = Participant.objects.get(first_name=name.split()[0])
    assert [sms.to for sms in locmem.outbox] == [str(participant.phone)]
    page.goto(f"{base}/participants/{participant.pk}/")
    check(page)
    assert page.get_by_role("heading", name="Berichten").is_visible()
    assert "buddyvoorstel" in page.locator("main").inner_text()  # the SMS on their page
    screenshot(page, "sms-on-the-participants-page")
    pages.assert_every_page_was_checked()

    out = ROOT / "test-output"
    out.mkdir(exist_ok=True)
    (out / "first-week.json").write_text(json.dumps(
        {"clicks": click.count, "steps": click.steps}, indent=1))
    print(f"\nfirst week: {click.count} clicks")
    assert click.count <= 30, click.steps
