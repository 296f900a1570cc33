"""The whole journey in a real browser, against the live server: intake, a proposal round,
the participant's choice on a phone, the volunteer's yes, the introduction meeting and the
duo's start; a meeting logged through the signed link of a reminder; an intervision session
and the volunteer's yes through the invitation link; the end question four weeks before the
end, answered by SMS reply, the closure and the participant back on the waiting list with
the original date.

The clock is moved with time-machine and the reminders go out through the real dispatcher
(`reminders.dispatch_due` in notifications/tasks.py, tasks run in place in the tests). Links
are taken from what the system sends (the in-memory SMS outbox), never built by the test,
and every personal link is opened in a fresh browser context that is not logged in. A
screenshot of each step goes to test-output/screenshots/<test>/, and axe-core checks every
page the journey visits.
"""

import datetime
import re
import urllib.error
import urllib.request
import zoneinfo
from urllib.parse import urlencode, urlsplit

import pytest
import time_machine
from django.utils import formats, translation
from twilio.request_validator import RequestValidator

from coaching.models import IntervisionSession
from duos.models import FREQUENCY_DAYS, Duo, DuoStatus, EndAnswer, MeetingLog
from matching.intake.models import Participant, ParticipantStatus, Volunteer
from matching.proposals.models import Match
from notifications.sms.backends import locmem
from notifications.tasks import reminders_dispatch_due
from tests.factories import CoordinatorFactory, OrganisationFactory
from tests.factories_matching import InterestFactory

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URL = re.compile(r"https?://\S+")
PARTICIPANT_PHONE = "+32470123456"
VOLUNTEER_PHONE = "+32486112233"
TWILIO_TOKEN = "journey-twilio-token"
BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")


def brussels(day, hour=10):
    """Ten in the morning in Brussels: outside the quiet hours of SMS."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=BRUSSELS)


def run_reminders() -> int:
    """One run of the beat's dispatcher, as beat would queue it (in place in the tests)."""
    return reminders_dispatch_due.delay().get()


def texts_to(phone, since=0) -> list[str]:
    """The SMS sent to `phone`, from position `since` of the outbox on."""
    return [sms.body for sms in locmem.outbox[since:] if sms.to == phone]


def fresh_phone(request, browser):
    """A phone-sized page in a new browser context: no cookies, nobody logged in."""
    context = browser.new_context(viewport=PHONE, locale="nl-BE")
    context.set_default_timeout(15_000)
    request.addfinalizer(context.close)
    return context.new_page()


def sms_reply(base, sender, body, sid) -> int:
    """An SMS reply as Twilio forwards it: a signed POST to the inbound webhook."""
    url = f"{base}/sms/twilio/inbound/"
    params = {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender,
              "To": "+3228080000", "Body": body, "NumMedia": "0"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    request = urllib.request.Request(url, data=urlencode(params).encode(), headers={
        "X-Twilio-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def coordinator_account():
    organisation = OrganisationFactory(name="Samen Op Weg Gent", slug="samen-op-weg")
    InterestFactory(organisation=organisation, label_nl="Wandelen", label_en="Walking")
    return CoordinatorFactory(organisation=organisation, username="sofie",
                              first_name="Sofie", language="nl")


class SentLinks:
    """The personal links the system sent by SMS (the in-memory outbox), newest first."""

    def __init__(self):
        self.seen = set()

    def newest(self, phone, words=()) -> str:
        """The path of the newest link not taken yet (sent to `phone`)."""
        for text in reversed(texts_to(phone)):
            if not all(word in text for word in words):
                continue
            for url in reversed(URL.findall(text)):
                path = urlsplit(url.rstrip(".,)")).path
                if path not in self.seen:
                    self.seen.add(path)
                    return path
        raise AssertionError(f"no link was sent to {phone}")


@pytest.fixture
def sent_links():
    return SentLinks()


def fill(page, data):
    """Fills a form by field name: text, date, select; lists check checkboxes or a radio."""
    for name, value in data.items():
        field = page.locator(f"[name='{name}']")
        if isinstance(value, list):
            for item in value:
                page.locator(f"[name='{name}'][value='{item}']").check()
            continue
        kind = field.first.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if kind.startswith("select"):
            field.first.select_option(value)
        elif kind == "input:checkbox":
            field.first.check()
        else:
            field.first.fill(value)


class EveryPageChecked:
    """Runs axe-core through `check(page)` and remembers every page that loaded in a
    watched tab: a page left (or still open at the end) without a check is a failure, so
    no page of the journey escapes the accessibility check."""

    def __init__(self, assert_accessible):
        self.assert_accessible = assert_accessible
        self.pending = {}  # page -> the address loaded and not checked yet
        self.missed = []

    def watch(self, page):
        page.on("load", lambda loaded: self._loaded(loaded))
        return page

    def _loaded(self, page):
        if page in self.pending:
            self.missed.append(self.pending[page])
        self.pending[page] = page.url

    def check(self, page):
        # Playwright hands a page's "load" event to `_loaded` at its next call into the
        # browser, which may be the check itself: forget the page only once it is checked.
        result = self.assert_accessible(page)
        self.pending.pop(page, None)
        return result

    def assert_every_page_was_checked(self):
        unchecked = self.missed + list(self.pending.values())
        assert not unchecked, f"pages not checked by axe-core: {unchecked}"


def submit(page, screenshot, assert_accessible, step):
    assert_accessible(page)
    screenshot(page, step)
    with page.expect_navigation():
        page.locator("main form button[type=submit], main form input[type=submit]").last.click()
    assert_accessible(page)


def log_in(page, live_server, check, username="sofie"):
    page.goto(f"{live_server.url}/accounts/login/")
    check(page)
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill("correct-horse-battery")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server.url}/")
    check(page)


def test_the_journey_from_intake_to_closure_and_back_on_the_waiting_list(
        request, browser, desktop, phone, live_server, coordinator_account, sent_links,
        screenshot, assert_accessible, settings):
    base = live_server.url
    pages = EveryPageChecked(assert_accessible)
    assert_accessible = pages.check
    pages.watch(desktop)
    pages.watch(phone)

    def fresh_phone_page():
        return pages.watch(fresh_phone(request, browser))

    # 1. The coordinator logs in and does the intake of a participant and a volunteer.
    log_in(desktop, live_server, assert_accessible)
    assert_accessible(desktop)
    screenshot(desktop, "1-home")
    desktop.goto(f"{base}/participants/new/")
    fill(desktop, {
        "first_name": "Fatima", "last_name": "El Idrissi", "phone": "0470 12 34 56",
        "contact_channel": "sms", "message_language": "nl", "postcode": "9000",
        "languages": "nl, ar", "availability": ["0-0", "0-1", "2-1", "5-1"],
        "consents": ["data", "sms", "share_profile"],
    })
    submit(desktop, screenshot, assert_accessible, "1-participant-intake")
    # Step 2 of the intake: the rest, which could wait.
    fill(desktop, {"referrer": "ocmw"})
    submit(desktop, screenshot, assert_accessible, "1-participant-intake-step-2")
    participant = Participant.objects.get(first_name="Fatima")
    assert participant.referrer == "ocmw"
    assert participant.status == ParticipantStatus.WAITING
    waiting_since = participant.waiting_since
    desktop.goto(f"{base}/volunteers/new/")
    fill(desktop, {
        "first_name": "Lotte", "last_name": "Peeters", "phone": "0486 11 22 33",
        "contact_channel": "sms", "message_language": "nl", "postcode": "9050",
        "languages": "nl", "availability": ["0-0", "0-1", "2-1", "5-1"], "capacity": "1",
    })
    submit(desktop, screenshot, assert_accessible, "1-volunteer-intake")
    volunteer = Volunteer.objects.get(first_name="Lotte")
    assert not volunteer.is_ready  # registered; proposed only once ready (step 2)
    fill(desktop, {
        "intake_talk_on": "2026-01-05", "certificate_seen": True,
        "certificate_seen_on": "2026-01-02", "training_done_on": "2026-01-10",
        "introduction": "Ik wandel graag.",
    })
    submit(desktop, screenshot, assert_accessible, "1-volunteer-intake-step-2")
    volunteer.refresh_from_db()
    assert volunteer.is_ready and volunteer.introduction == "Ik wandel graag."
    desktop.goto(f"{base}/waiting-list/")
    assert desktop.get_by_role("link", name=re.compile("Fatima")).is_visible()
    assert_accessible(desktop)
    screenshot(desktop, "1-waiting-list")

    # 2. A proposal round, sent; the participant opens the link on a phone and chooses.
    desktop.goto(f"{base}/rounds/")
    assert_accessible(desktop)
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="Maak een nieuwe ronde klaar").click()
    assert_accessible(desktop)
    assert "Lotte" in desktop.content()
    assert_accessible(desktop)
    screenshot(desktop, "2-round-draft")
    with desktop.expect_navigation():
        desktop.locator("form[action$='/send/'] button").click()
    assert_accessible(desktop)
    screenshot(desktop, "2-round-sent")
    phone.goto(base + sent_links.newest(PARTICIPANT_PHONE))
    assert "Lotte" in phone.content() and "Peeters" not in phone.content()
    assert_accessible(phone)
    screenshot(phone, "2-participant-link")
    with phone.expect_navigation():
        phone.locator("button[name=answer]").first.click()
    assert_accessible(phone)
    screenshot(phone, "2-participant-chose")

    # 3. The volunteer accepts through their link; the coordinator records the meeting.
    volunteer_phone = fresh_phone_page()
    volunteer_phone.goto(base + sent_links.newest(VOLUNTEER_PHONE))
    assert "Fatima" in volunteer_phone.content()
    assert_accessible(volunteer_phone)
    screenshot(volunteer_phone, "3-volunteer-link")
    with volunteer_phone.expect_navigation():
        volunteer_phone.locator("button[name=answer][value=accept]").click()
    assert_accessible(volunteer_phone)
    screenshot(volunteer_phone, "3-volunteer-accepted")

    proposal_path = f"{base}/proposals/{participant.proposals.get().pk}/"
    desktop.goto(proposal_path)
    assert_accessible(desktop)
    meeting_day = datetime.date.today()  # this afternoon: held today, not before its day
    fill(desktop, {"planned_at": f"{meeting_day.isoformat()}T14:00", "place": "De Krook"})
    with desktop.expect_navigation():
        desktop.locator("form[action$='/meeting/'] button[type=submit]").click()
    assert_accessible(desktop)
    screenshot(desktop, "3-meeting-planned")
    with desktop.expect_navigation():
        desktop.locator("form[action$='/held/'] button[type=submit]").click()
    assert_accessible(desktop)
    for side in ("participant", "volunteer"):
        with desktop.expect_navigation():
            desktop.locator(f"form[action$='/{side}/'] button[value=yes]").click()
        assert_accessible(desktop)
    assert_accessible(desktop)
    screenshot(desktop, "3-both-said-yes")
    assert Match.objects.filter(participant=participant, volunteer=volunteer).exists()
    duo = Duo.objects.get(participant=participant, volunteer=volunteer)
    desktop.goto(f"{base}/duos/{duo.pk}/")
    assert_accessible(desktop)
    screenshot(desktop, "3-duo-agreement-pending")
    # The duo's length is asked, never assumed: nobody can confirm before it is filled in.
    assert desktop.locator("#length-to-agree").is_visible()
    assert desktop.locator("form[action$='/agreement/phone/']").count() == 0
    with desktop.expect_navigation():
        desktop.locator(f"a[href$='/duos/{duo.pk}/agreement/']").click()
    assert_accessible(desktop)
    fill(desktop, {"duration_kind": "months", "duration_months": "9"})
    with desktop.expect_navigation():
        desktop.locator("main form button[type=submit]").click()
    assert_accessible(desktop)
    duo.agreement.refresh_from_db()
    assert (duo.agreement.duration_kind, duo.agreement.duration_months) == ("months", 9)
    for side in ("volunteer", "participant"):
        form = desktop.locator("form[action$='/agreement/phone/']")
        form.locator("[name=side]").select_option(side)
        with desktop.expect_navigation():
            form.locator("button[type=submit]").click()
        assert_accessible(desktop)
    duo.refresh_from_db()
    assert duo.status == DuoStatus.ACTIVE
    assert_accessible(desktop)
    screenshot(desktop, "3-duo-started")

    # 4. A meeting-log reminder falls due one agreed interval after the start: the real
    # dispatcher sends the volunteer a signed link, which they open on their phone without
    # logging in; the link is spent by the log it saves.
    duo.refresh_from_db()
    interval = FREQUENCY_DAYS[duo.agreement.meeting_frequency]
    log_day = duo.started_on + datetime.timedelta(days=interval)
    with time_machine.travel(brussels(log_day - datetime.timedelta(days=1)), tick=True) as clock:
        mark = len(locmem.outbox)
        run_reminders()
        assert not texts_to(VOLUNTEER_PHONE, since=mark), "a log reminder came a day early"
        clock.move_to(brussels(log_day))
        mark = len(locmem.outbox)
        run_reminders()
        reminder = [t for t in texts_to(VOLUNTEER_PHONE, since=mark) if "/s/" in t]
        assert len(reminder) == 1, reminder
        log_link = sent_links.newest(VOLUNTEER_PHONE)
        run_reminders()  # a second run sends nothing twice
        assert len([t for t in texts_to(VOLUNTEER_PHONE, since=mark) if "/s/" in t]) == 1

        volunteer_link = fresh_phone_page()
        volunteer_link.goto(base + log_link)
        assert "Fatima" in volunteer_link.content()
        assert volunteer_link.locator("a[href*='/accounts/logout']").count() == 0
        fill(volunteer_link, {"date": log_day.isoformat(), "duration": "one_two",
                              "activities": ["walk"], "how_it_went": ["4"]})
        submit(volunteer_link, screenshot, assert_accessible, "4-meeting-log-link")
        volunteer_link.locator("main .card").wait_for()
        assert "Bedankt" in volunteer_link.content()
        assert_accessible(volunteer_link)
        screenshot(volunteer_link, "4-meeting-logged")
        log = MeetingLog.objects.get(duo=duo)
        assert (log.date, log.did_not_meet, log.how_it_went) == (log_day, False, 4)

        # The same link a second time: the friendly "no longer works" page, nothing saved.
        second = volunteer_link.goto(base + log_link)
        assert second.status == 404
        volunteer_link.locator("#link-heading").wait_for()
        assert volunteer_link.locator("#link-heading").inner_text() == "Deze link werkt niet meer"
        assert volunteer_link.locator("main form").count() == 0
        assert_accessible(volunteer_link)
        screenshot(volunteer_link, "4-link-already-used")
        assert MeetingLog.objects.filter(duo=duo).count() == 1

        # 5. The next day the coordinator plans an intervision session and invites the
        # volunteers; the volunteer answers yes through the link in the invitation.
        clock.move_to(brussels(log_day + datetime.timedelta(days=1)))
        # The staff session ran out while the clock moved.
        log_in(desktop, live_server, assert_accessible)
        session_day = log_day + datetime.timedelta(days=15)
        desktop.goto(f"{base}/coaching/sessions/new/")
        fill(desktop, {"topic": "Grenzen stellen", "date": session_day.isoformat(),
                       "start_time": "19:00", "end_time": "21:00",
                       "place": "Sint-Pietersnieuwstraat 1, Gent", "audience": ["volunteers"]})
        submit(desktop, screenshot, assert_accessible, "5-session-form")
        session = IntervisionSession.objects.get(topic="Grenzen stellen")
        desktop.goto(f"{base}/coaching/sessions/{session.pk}/")
        assert_accessible(desktop)
        mark = len(locmem.outbox)
        with desktop.expect_navigation():
            desktop.locator("form[action$='/invite/'] button[type=submit]").click()
        assert_accessible(desktop)
        invitation = session.invitations.get(volunteer=volunteer)
        assert len(texts_to(VOLUNTEER_PHONE, since=mark)) == 1
        screenshot(desktop, "5-session-invited")

        invitation_page = fresh_phone_page()
        invitation_page.goto(base + sent_links.newest(VOLUNTEER_PHONE))
        assert "Grenzen stellen" in invitation_page.content()
        assert_accessible(invitation_page)
        screenshot(invitation_page, "5-invitation-link")
        invitation_page.locator("button[name=answer][value=yes]").click()
        invitation_page.get_by_text("Je antwoord: Ja").wait_for()
        assert_accessible(invitation_page)
        screenshot(invitation_page, "5-volunteer-said-yes")
        invitation.refresh_from_db()
        assert (invitation.answer, invitation.channel) == ("yes", "link")

        desktop.goto(f"{base}/coaching/sessions/{session.pk}/")
        row = desktop.locator(f"#invitation-{invitation.pk}")
        assert "Lotte" in row.inner_text() and "Ja" in row.inner_text()
        assert_accessible(desktop)
        screenshot(desktop, "5-coordinator-sees-yes")

        # 6. Four weeks before the agreed end the dispatcher asks both; each answers "stop"
        # by SMS reply (the product's path: the question has no link) through the
        # provider's signed webhook; the coordinator closes the duo and the participant is
        # back on the waiting list with the original waiting date.
        duo.refresh_from_db()
        end_date = duo.agreement.end_date
        assert end_date is not None
        four_weeks_before = end_date - datetime.timedelta(weeks=4)
        clock.move_to(brussels(four_weeks_before - datetime.timedelta(days=1)))
        mark = len(locmem.outbox)
        run_reminders()
        end_date_text = end_date.strftime("%d/%m")
        asked = [t for phone_number in (PARTICIPANT_PHONE, VOLUNTEER_PHONE)
                 for t in texts_to(phone_number, since=mark) if end_date_text in t]
        assert asked == [], "the end question came early"
        clock.move_to(brussels(four_weeks_before))
        mark = len(locmem.outbox)
        run_reminders()
        for phone_number in (PARTICIPANT_PHONE, VOLUNTEER_PHONE):
            question = [t for t in texts_to(phone_number, since=mark) if end_date_text in t]
            assert len(question) == 1, (phone_number, texts_to(phone_number, since=mark))
            assert "2 om te stoppen" in question[0]
        duo.refresh_from_db()
        assert (duo.status, duo.end_question_asked_on) == (DuoStatus.ENDING, four_weeks_before)

        settings.SITE_URL = base  # the address the provider signs
        settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
        for number, phone_number in enumerate((PARTICIPANT_PHONE, VOLUNTEER_PHONE)):
            assert sms_reply(base, phone_number, "2", sid=f"SMend{number}") == 200
        answers = dict(EndAnswer.objects.filter(duo=duo).values_list("side", "answer"))
        assert answers == {"participant": "close", "volunteer": "close"}

        log_in(desktop, live_server, assert_accessible)
        desktop.goto(f"{base}/duos/{duo.pk}/")
        # Both answers are in: the ending is recorded, the coordinator closes the duo.
        assert desktop.get_by_role("link", name="Duo afsluiten").is_visible()
        assert_accessible(desktop)
        screenshot(desktop, "6-both-answered")
        desktop.goto(f"{base}/duos/{duo.pk}/end/")
        fill(desktop, {"exit_conversation_done": True, "participant_wants_new_buddy": True,
                       "volunteer_next": "pool"})
        submit(desktop, screenshot, assert_accessible, "6-close-form")
        duo.refresh_from_db()
        assert duo.status == DuoStatus.CLOSED
        participant.refresh_from_db()
        assert participant.status == ParticipantStatus.WAITING
        assert participant.waiting_since == waiting_since

        desktop.goto(f"{base}/waiting-list/")
        row = desktop.locator("table.waiting-list tbody tr").filter(has_text="Fatima")
        with translation.override("nl"):
            original = formats.date_format(waiting_since, "j M Y")
        assert f"sinds {original}" in row.inner_text(), row.inner_text()
        assert_accessible(desktop)
        screenshot(desktop, "6-back-on-the-waiting-list")
    pages.assert_every_page_was_checked()
