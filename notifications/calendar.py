"""The one calendar builder (RFC 5545, with icalendar) for every e-mail about an appointment.

An event keeps its UID for its whole life (`<uid>@<the site's host>`), and its SEQUENCE goes
up with every change, so a calendar program updates (METHOD:REQUEST) or removes
(METHOD:CANCEL) the event it already has instead of adding a second one. Times are written in
the project's time zone, with its VTIMEZONE.
"""

import datetime
import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from organisations.models import Organisation

PRODID = "-//Buddy//Buddy//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


def uid_for(uid) -> str:
    """The event's UID: its own id at the site's host name (unique across installations)."""
    return f"{uid}@{urlsplit(settings.SITE_URL).hostname or 'buddy'}"


def event_ics(*, uid, start: datetime.datetime, end: datetime.datetime, summary: str,
              method: str = REQUEST, sequence: int = 0, description: str = "",
              location: str = "", url: str = "", cancelled: bool = False,
              organiser_email: str = "", organiser_name: str = "", attendee_email: str = "",
              attendee_name: str = "", rsvp: bool = False, now=None) -> bytes:
    """The .ics content of one event."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid_for(uid))
    event.add("dtstamp", (now or timezone.now()).astimezone(datetime.UTC))
    event.add("dtstart", start.astimezone(tz))
    event.add("dtend", end.astimezone(tz))
    event.add("sequence", sequence)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if cancelled or method == CANCEL else "CONFIRMED")
    if organiser_email:
        organiser = vCalAddress(f"mailto:{organiser_email}")
        if organiser_name:
            organiser.params["cn"] = vText(organiser_name)
        event.add("organizer", organiser)
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        if attendee_name:
            attendee.params["cn"] = vText(attendee_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("TRUE" if rsvp else "FALSE")
        event.add("attendee", attendee)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def ics_for(appointment: dict, message) -> bytes:
    """The attachment of an e-mail that carries an appointment (`notify.Appointment`)."""
    organisation = Organisation.objects.get(pk=message.organisation_id)
    return event_ics(
        uid=appointment["uid"], method=appointment.get("method", REQUEST),
        start=_aware(appointment["start"]), end=_aware(appointment["end"]),
        summary=appointment["summary"], description=appointment.get("description", ""),
        location=appointment.get("location", ""), organiser_email=organisation.contact_email,
        organiser_name=organisation.name, attendee_email=message.email,
        attendee_name=message.first_name, rsvp=True, now=message.created_at,
    )


def _aware(text: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(text)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
