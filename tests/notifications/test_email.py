from datetime import UTC, datetime

import pytest
from django.core import mail
from icalendar import Calendar

from notifications import services
from notifications.models import Message, SignedLink, Status
from tests.notifications_helpers import recipient

pytestmark = pytest.mark.django_db


def send_invitation(organisation, on_commit, key="invite:1", **kwargs):
    with on_commit():
        return services.email_send(
            recipient=recipient(organisation, key="volunteer:3", first_name="Pieter",
                                email="pieter@example.org", role="volunteer", language="en"),
            template="notifications.generic", idempotency_key=key,
            context={"title": "Intervision on 12 October", "lines": ["We meet at the centre."],
                     "link_label": "Answer here"},
            **kwargs,
        )


def test_an_email_has_a_text_and_an_html_part(organisation, on_commit):
    message = send_invitation(organisation, on_commit)
    [email] = mail.outbox
    assert email.to == ["pieter@example.org"]
    assert email.subject == f"{organisation.name}: Intervision on 12 October"
    assert "Hello Pieter," in email.body and "09 210 10 10" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and "<p>We meet at the centre.</p>" in html
    message.refresh_from_db()
    assert message.status == Status.SENT and message.subject == email.subject


def test_an_appointment_comes_as_a_calendar_attachment(organisation, on_commit):
    start = datetime(2026, 10, 12, 17, 30, tzinfo=UTC)
    send_invitation(organisation, on_commit, appointment=services.Appointment(
        uid="session-8", summary="Intervision", start=start,
        end=datetime(2026, 10, 12, 19, 30, tzinfo=UTC), location="Sint-Pietersplein 5, Gent",
    ))
    [email] = mail.outbox
    [(filename, content, mimetype)] = email.attachments
    assert filename == "invitation.ics" and mimetype.startswith("text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == start
    assert str(event["location"]) == "Sint-Pietersplein 5, Gent"
    assert str(event["attendee"]) == "mailto:pieter@example.org"
    assert str(event["uid"]).startswith("session-8@")


def test_a_link_in_an_email_works_and_is_not_kept_in_the_log(organisation, on_commit):
    message = send_invitation(organisation, on_commit,
                              link=services.LinkSpec(purpose="tests.page", subject="s:1"))
    [email] = mail.outbox
    url = next(word for word in email.body.split() if "/s/" in word)
    link, _parts = services.link_resolve(url.rsplit("/", 1)[1])
    assert link == SignedLink.objects.get()
    message.refresh_from_db()
    assert url not in message.body and "*" * 22 in message.body


def test_the_same_key_sends_one_email(organisation, on_commit):
    send_invitation(organisation, on_commit)
    send_invitation(organisation, on_commit)
    assert len(mail.outbox) == 1 and Message.objects.count() == 1


def test_an_email_in_dutch_uses_the_dutch_wording(organisation, on_commit):
    with on_commit():
        services.email_send(
            recipient=recipient(organisation, email="els@example.org", language="nl"),
            template="notifications.generic", idempotency_key="nl",
            context={"title": "Vorming", "lines": []},
        )
    assert "Dag Amina," in mail.outbox[0].body
