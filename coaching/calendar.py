"""The calendar attachment of an intervision invitation: a pure function of the session, built
by notifications' one calendar builder (the session's UID stays, its SEQUENCE goes up)."""

from notifications.calendar import CANCEL, REQUEST, event_ics

__all__ = ["CANCEL", "REQUEST", "session_ics"]


def session_ics(session, *, method=REQUEST, attendee_email="", organiser_email="",
                organiser_name="", now=None) -> bytes:
    """The .ics content for one session, in the organisation's time zone (with VTIMEZONE)."""
    return event_ics(
        uid=session.uid, method=method, sequence=session.sequence,
        start=session.starts_at, end=session.ends_at, summary=session.topic,
        description=session.theme_description,
        location=session.place or session.online_link, url=session.online_link,
        cancelled=session.status == "cancelled", organiser_email=organiser_email,
        organiser_name=organiser_name, attendee_email=attendee_email, now=now,
    )
