"""The calendar attachment (RFC 5545) and the messaging placeholder."""

import datetime

import icalendar
from django.utils import timezone

from coaching.calendar import CANCEL, session_ics
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
