"""The calendar attachment (RFC 5545) and the messaging placeholder."""

import datetime
from types import SimpleNamespace

import icalendar
from django.utils import timezone

from coaching.calendar import CANCEL, session_ics
from notifications.calendar import ics_for
from tests.factories_coaching import SessionFactory


def test_the_calendar_event_is_in_brussels_time_with_its_timezone(organisation):
    start = timezone.make_aware(datetime.datetime(2027, 3, 4, 19, 0))
    session = SessionFactory(organisation=organisation, starts_at=start,
                             ends_at=start + datetime.timedelta(hours=2),
                             online_link="https://meet.example.org/intervisie")
    calendar = icalendar.Calendar.from_ical(session_ics(
        session, attendee_email="an@example.org", organiser_email="team@example.org"))
    (timezone_component,) = calendar.walk("VTIMEZONE")
    assert timezone_component["tzid"] == "Europe/Brussels"
    (event,) = calendar.walk("VEVENT")
    assert event["dtstart"].params["TZID"] == "Europe/Brussels"
    assert event.decoded("dtstart").replace(tzinfo=None) == datetime.datetime(2027, 3, 4, 19)
    assert event.decoded("dtend") - event.decoded("dtstart") == datetime.timedelta(hours=2)
    assert event["url"] == "https://meet.example.org/intervisie"
    assert "mailto:team@example.org" in str(event["organizer"])
    assert event["dtstamp"].dt.tzinfo is not None


def test_a_cancelled_session_keeps_its_uid_with_a_higher_sequence(organisation):
    session = SessionFactory(organisation=organisation)
    before = icalendar.Calendar.from_ical(session_ics(session))
    session.sequence += 1
    after = icalendar.Calendar.from_ical(session_ics(session, method=CANCEL))
    (old,), (new,) = before.walk("VEVENT"), after.walk("VEVENT")
    assert old["uid"] == new["uid"]
    assert (old["sequence"], new["sequence"]) == (0, 1)
    assert (before["method"], after["method"]) == ("REQUEST", "CANCEL")


def test_every_calendar_attachment_has_one_uid_form_at_the_sites_host(organisation, settings):
    """Sessions and the appointments other rooms send share one builder: one UID domain."""
    settings.SITE_URL = "https://buddy.example.org"
    session = SessionFactory(organisation=organisation)
    (event,) = icalendar.Calendar.from_ical(session_ics(session)).walk("VEVENT")
    assert event["uid"] == f"{session.uid}@buddy.example.org"
    start = timezone.make_aware(datetime.datetime(2027, 3, 4, 14, 0))
    message = SimpleNamespace(organisation_id=organisation.pk, email="an@example.org",
                              first_name="Aïcha", created_at=timezone.now())
    appointment = {"uid": "meeting-7", "summary": "Kennismaking", "start": start.isoformat(),
                   "end": (start + datetime.timedelta(hours=1)).isoformat()}
    (other,) = icalendar.Calendar.from_ical(ics_for(appointment, message)).walk("VEVENT")
    assert other["uid"] == "meeting-7@buddy.example.org"
    assert other["dtstart"].params["TZID"] == "Europe/Brussels"
    assert str(other["attendee"].params["cn"]) == "Aïcha"
