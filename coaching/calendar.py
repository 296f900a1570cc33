"""The calendar attachment of an intervision invitation (RFC 5545, built with icalendar).

A pure function of the session: the UID stays the same for the session's whole life and the
SEQUENCE goes up with every change, so a calendar program updates (METHOD:REQUEST) or removes
(METHOD:CANCEL) the event it already has instead of adding a second one.
"""

import zoneinfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Buddy//Intervision//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


def session_ics(session, *, method=REQUEST, attendee_email="", organiser_email="",
                organiser_name="", now=None) -> bytes:
    """The .ics content for one session, in the organisation's time zone (with VTIMEZONE)."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", f"{session.uid}@buddy")
    event.add("dtstamp", (now or timezone.now()).astimezone(zoneinfo.ZoneInfo("UTC")))
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    event.add("sequence", session.sequence)
    event.add("summary", session.topic)
    if session.theme_description:
        event.add("description", session.theme_description)
    if session.place:
        event.add("location", session.place)
    elif session.online_link:
        event.add("location", session.online_link)
    if session.online_link:
        event.add("url", session.online_link)
    cancelled = method == CANCEL or session.status == "cancelled"
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if organiser_email:
        organiser = vCalAddress(f"mailto:{organiser_email}")
        if organiser_name:
            organiser.params["cn"] = vText(organiser_name)
        event.add("organizer", organiser)
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
