"""Calendar attachments (RFC 5545) for e-mails about an appointment, made with icalendar."""

from datetime import datetime

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from organisations.models import Organisation


def ics_for(appointment: dict, message) -> bytes:
    organisation = Organisation.objects.get(pk=message.organisation_id)
    calendar = Calendar()
    calendar.add("prodid", "-//Buddy//notifications//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"{appointment['uid']}@{settings.SITE_URL.split('://')[-1]}")
    event.add("summary", appointment["summary"])
    event.add("dtstart", datetime.fromisoformat(appointment["start"]))
    event.add("dtend", datetime.fromisoformat(appointment["end"]))
    event.add("dtstamp", message.created_at)
    if appointment.get("location"):
        event.add("location", appointment["location"])
    if appointment.get("description"):
        event.add("description", appointment["description"])
    if organisation.contact_email:
        organizer = vCalAddress(f"mailto:{organisation.contact_email}")
        organizer.params["cn"] = vText(organisation.name)
        event["organizer"] = organizer
    attendee = vCalAddress(f"mailto:{message.email}")
    attendee.params["cn"] = vText(message.first_name)
    attendee.params["rsvp"] = vText("TRUE")
    event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()
