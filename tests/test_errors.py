"""Errors reach someone (Sentry or a mail to ADMINS), without personal data."""

import importlib
import io
import json
import logging
import logging.config

import pytest
import sentry_sdk
import sentry_sdk.transport
from django.conf import settings
from django.core import mail
from django.test import override_settings
from sentry_sdk.integrations.django import DjangoIntegration

import buddy.settings.base as base
from buddy import errors
from buddy.errors import before_breadcrumb, before_send, parse_admins, scrub_text
from buddy.settings.base import logging_config
from matching.intake.api import ParticipantViewSet


@pytest.mark.parametrize("phone", [
    "+32 470 12 34 56", "0470/12.34.56", "0032470123456", "+32470123456", "0470 12 34 56",
    "02 123 45 67", "+44 20 7946 0958", "+32 (0)470 12 34 56",
])
def test_phone_numbers_belgian_and_international_are_removed(phone):
    assert scrub_text(f"call {phone} today") == "call [removed] today"


@pytest.mark.parametrize("text", [
    "on 04/12/2026 at 14:30", "participant 4711 in round 12", "ValueError: invalid literal",
    "2026-12-04T19:30:00+01:00",
])
def test_dates_ids_and_plain_words_are_kept(text):
    assert scrub_text(text) == text


@pytest.mark.parametrize(("text", "scrubbed"), [
    ("Els Van den Berg called", "[removed] called"),
    ("Élodie Dupont-Leroy wrote", "[removed] wrote"),
    ("Şükrü Yılmaz and Łukasz Nowak", "[removed] and [removed]"),
    ("été à Paris", "été à Paris"),
])
def test_names_in_free_text_are_removed_whatever_their_alphabet(text, scrubbed):
    assert scrub_text(text) == scrubbed


def test_an_exception_message_loses_the_name_phone_and_address():
    text = "Participant Aïcha Benali (+32 470 12 34 56, aicha.benali@example.be) has no volunteer"
    scrubbed = scrub_text(text)
    assert "Aïcha" not in scrubbed and "Benali" not in scrubbed
    assert "470" not in scrubbed and "@" not in scrubbed
    assert scrubbed.endswith("has no volunteer")


def django_request_event():
    """The shape of an event sentry_sdk's Django integration builds for a failing POST."""
    return {
        "level": "error",
        "platform": "python",
        "request": {
            "url": "https://buddy.example.org/intake/participants/new/",
            "method": "POST",
            "query_string": "next=%2Fhome%2F&email=aicha%40example.be&q=Aicha+Benali",
            "data": {
                "first_name": "Aïcha", "last_name": "Benali", "preferred_name": "Aïcha",
                "phone": "+32 470 12 34 56", "language": "nl",
                "remarks": "Reach her on 0470/12.34.56 or at aicha@example.be",
                "csrfmiddlewaretoken": "abc",
            },
            "headers": {"User-Agent": "Mozilla/5.0", "Referer": "https://buddy.example.org/"},
            "cookies": {"sessionid": "s3cr3t"},
            "env": {"SERVER_NAME": "web", "REMOTE_ADDR": "192.0.2.7"},
        },
        "exception": {"values": [{
            "type": "IntegrityError",
            "value": "Participant Aïcha Benali (+32 470 12 34 56) is already on the list",
            "module": "django.db.utils",
            "stacktrace": {"frames": [{
                "filename": "matching/intake/services.py", "function": "participant_create",
                "context_line": "    participant.save()",
                "vars": {"participant": "<Participant: Aïcha Benali>"},
            }]},
        }]},
        "logentry": {"message": "Could not save %s", "params": ["aicha"],
                     "formatted": "Could not save aicha"},
        "breadcrumbs": {"values": [
            {"category": "django", "message": "Mail sent to volunteer jan.peeters@example.org"},
            {"category": "query", "message": "SELECT ...", "data": {"db.params": ["Benali"]}},
        ]},
        "extra": {"participant": {"name": "Aïcha Benali", "id": 42}, "phone": "+32470123456"},
        "contexts": {
            "runtime": {"name": "CPython", "version": "3.11.9"},
            "duo": {"volunteer_name": "Jan Peeters", "status": "active",
                    "summary": "Duo Jan Peeters & Aïcha Benali, 0471 23 45 67"},
        },
        "user": {"id": 7, "username": "els", "email": "els@example.org"},
    }


def test_before_send_removes_every_trace_of_the_participant():
    event = before_send(django_request_event(), {})
    dumped = json.dumps(event, ensure_ascii=False)
    for personal in ("Aïcha", "Aicha", "aicha", "Benali", "470", "471", "Peeters",
                     "jan.peeters", "els@", '"els"', "s3cr3t", "192.0.2.7"):
        assert personal not in dumped, personal
    request = event["request"]
    assert request["data"]["first_name"] == "[removed]"
    assert request["data"]["phone"] == "[removed]"
    assert request["data"]["language"] == "nl"
    assert "next=%2Fhome%2F" in request["query_string"]
    assert "cookies" not in request
    exception = event["exception"]["values"][0]
    assert exception["value"].endswith("is already on the list")
    assert exception["type"] == "IntegrityError"
    assert "vars" not in exception["stacktrace"]["frames"][0]
    assert exception["stacktrace"]["frames"][0]["function"] == "participant_create"
    assert event["logentry"] == {"message": "Could not save %s", "params": ["[removed]"]}
    assert event["extra"]["participant"] == {"name": "[removed]", "id": 42}
    assert event["contexts"]["runtime"]["name"] == "CPython"
    assert event["contexts"]["duo"]["status"] == "active"
    assert event["user"] == {"id": 7}


def test_before_breadcrumb_removes_an_email_address():
    crumb = before_breadcrumb(
        {"category": "notifications", "message": "E-mail to aicha.benali@example.be queued",
         "data": {"email": "aicha.benali@example.be", "kind": "proposal"}},
        {},
    )
    assert crumb["message"] == "E-mail to [removed] queued"
    assert crumb["data"] == {"email": "[removed]", "kind": "proposal"}


def test_sentry_starts_with_the_scrubber_and_without_personal_data(monkeypatch):
    calls = []
    monkeypatch.setattr(errors.sentry_sdk, "init", lambda **kwargs: calls.append(kwargs))
    errors.init_sentry("https://key@sentry.example.org/1", environment="staging")
    [options] = calls
    assert options["send_default_pii"] is False
    assert options["include_local_variables"] is False
    assert options["before_send"] is before_send
    assert options["before_breadcrumb"] is before_breadcrumb
    assert options["environment"] == "staging"
    assert options["traces_sample_rate"] == 0.0
    names = {type(i).__name__ for i in options["integrations"]}
    assert names == {"DjangoIntegration", "CeleryIntegration"}


def test_the_settings_start_sentry_only_when_sentry_dsn_is_set(monkeypatch):
    """The settings module, read again with SENTRY_DSN set and unset."""
    calls = []
    monkeypatch.setattr(errors.sentry_sdk, "init", lambda **kwargs: calls.append(kwargs))
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    try:
        importlib.reload(base)
        assert calls == []
        assert "mail_admins" in base.LOGGING["loggers"]["django.request"]["handlers"]
        monkeypatch.setenv("SENTRY_DSN", "https://key@sentry.example.org/1")
        monkeypatch.setenv("SENTRY_ENVIRONMENT", "production")
        importlib.reload(base)
        [options] = calls
        assert options["send_default_pii"] is False
        assert options["dsn"] == "https://key@sentry.example.org/1"
        assert options["environment"] == "production"
        assert base.LOGGING["loggers"]["django.request"]["handlers"] == []
    finally:
        monkeypatch.delenv("SENTRY_DSN", raising=False)
        importlib.reload(base)


def test_admins_are_read_from_one_line():
    assert parse_admins("Els Peeters <els@example.org>, ops@example.org") == [
        ("Els Peeters", "els@example.org"), ("ops@example.org", "ops@example.org")]
    assert parse_admins("") == []


@pytest.mark.django_db
@override_settings(ADMINS=[("Els Peeters", "els@example.org")], DEBUG=False)
def test_a_crash_mails_the_admins_once_without_the_participants_data(
    api_client, coordinator, monkeypatch
):
    def crash(self, request, *args, **kwargs):
        data = request.data
        raise RuntimeError(
            f"Participant {data['first_name']} {data['last_name']} ({data['phone']}) not saved"
        )

    monkeypatch.setattr(ParticipantViewSet, "create", crash)
    api_client.force_authenticate(coordinator)
    api_client.raise_request_exception = False
    response = api_client.post(
        "/api/participants/?search=Benali",
        {"first_name": "Aïcha", "last_name": "Benali", "phone": "+32 470 12 34 56"},
    )
    assert response.status_code == 500
    [message] = mail.outbox
    assert message.to == ["els@example.org"]
    assert "RuntimeError" in message.body
    assert message.alternatives == []
    text = message.subject + message.body
    for personal in ("Aïcha", "Benali", "470", coordinator.username):
        assert personal not in text, personal
    assert "first_name = '********************'" in text


def test_json_logs_are_one_object_per_line_with_level_logger_message_and_time():
    config = logging_config("json", "INFO", mail_admins=False)
    logging.config.dictConfig(config)
    try:
        stream = io.StringIO()
        [handler] = logging.getLogger().handlers
        handler.setStream(stream)
        logging.getLogger("buddy.test").warning("Reminder %s sent", "R-12")
        logging.getLogger("buddy.test").info("second line")
        lines = stream.getvalue().splitlines()
        assert len(lines) == 2
        record = json.loads(lines[0])
        assert record["level"] == "WARNING"
        assert record["logger"] == "buddy.test"
        assert record["message"] == "Reminder R-12 sent"
        assert record["time"]
    finally:
        # The test settings' logging comes back afterwards.
        logging.config.dictConfig(settings.LOGGING)


@override_settings(ADMINS=[("Els Peeters", "els@example.org")], DEBUG=False)
def test_a_failing_celery_task_mails_the_admins():
    try:
        raise ValueError("no volunteer left")
    except ValueError:
        # What celery.app.trace logs when a task raises.
        logging.getLogger("celery.app.trace").error(
            "Task %(name)s[%(id)s] raised unexpected: %(exc)r",
            {"name": "reminders.dispatch_due", "id": "abc", "exc": "ValueError"}, exc_info=True)
    [message] = mail.outbox
    assert message.to == ["els@example.org"]
    assert "reminders.dispatch_due" in message.subject
    assert "no volunteer left" in message.body


class KeptEvents(sentry_sdk.transport.Transport):
    """A transport that keeps what Sentry would have sent: nothing leaves the machine."""

    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        self.events.extend(item.payload.json for item in envelope.items
                           if item.type in ("event", "transaction"))


@pytest.mark.django_db
def test_a_crash_reaches_sentry_through_the_scrubber(api_client, coordinator, monkeypatch):
    """The real SDK, its Django integration and our options; only the transport is a stub."""

    def crash(self, request, *args, **kwargs):
        data = request.data
        raise RuntimeError(f"Participant {data['first_name']} {data['last_name']} "
                           f"({data['phone']}) not saved")

    monkeypatch.setattr(ParticipantViewSet, "create", crash)
    transport = KeptEvents()
    errors.init_sentry("https://key@sentry.example.org/1", transport=transport)
    try:
        api_client.force_authenticate(coordinator)
        api_client.raise_request_exception = False
        response = api_client.post(
            "/api/participants/?search=Benali",
            {"first_name": "Aïcha", "last_name": "Benali", "phone": "+32 470 12 34 56",
             "email": "aicha@example.be"},
            format="json",
        )
        sentry_sdk.flush()
    finally:
        # An inactive client again, without integrations: the rest of the suite sends nothing,
        # and the Django integration's patched request handler returns at once (with it
        # enabled it resolves every request's URL pattern by hand, which slowed every later
        # request of the suite several times over).
        sentry_sdk.init(default_integrations=False, auto_enabling_integrations=False)
    assert response.status_code == 500
    # Later tests run without the Django integration (it would resolve each of their requests).
    assert sentry_sdk.get_client().get_integration(DjangoIntegration) is None
    [event] = [e for e in transport.events if e.get("exception")]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    dumped = json.dumps(event, ensure_ascii=False)
    for personal in ("Aïcha", "Benali", "470", "aicha@", coordinator.username):
        assert personal not in dumped, personal
