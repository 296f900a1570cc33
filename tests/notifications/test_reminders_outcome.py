"""The reminders' history says "sent" only when a message or a task exists for the reminder;
otherwise what happened: a duplicate notifications did not send again, nothing made at all,
or nothing to send any more."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from duos.models import DuoSettings
from matching.intake.models import ParticipantStatus
from notifications import reminders, services
from notifications.models import Message, ReminderOutcome, SentReminder
from notifications.tasks import reminders_dispatch
from tests.factories_duos import active_duo
from tests.factories_matching import ParticipantFactory
from tests.notifications_helpers import QUESTION, recipient

pytestmark = pytest.mark.django_db

BRUSSELS = timezone.get_default_timezone()


def local(*args):
    return datetime.datetime(*args, tzinfo=BRUSSELS)


def run(now, only):
    with time_machine.travel(now, tick=False):
        return reminders_dispatch(now=timezone.now(), only=only)


class SameKeyEveryTime(reminders.Kind):
    """A kind written like the intervision nudge was: its SMS reuses an earlier message's
    idempotency key, so notifications takes it for that message and sends nothing."""

    name = "tests.same_key"
    label = "Test: a reminder under an earlier message's key"
    due_items = ()

    def due(self, now):
        return list(self.due_items)

    def send(self, item):
        services.sms_send(recipient=services.Recipient(
            organisation_id=item.organisation_id, key=item.recipient_key, first_name="Amina",
            language="nl", phone="+32470123456"), template=QUESTION,
            idempotency_key="tests.first_message")
        return True


@pytest.fixture
def same_key_kind(sms_texts):
    reminders.register(SameKeyEveryTime)
    yield reminders.KINDS[SameKeyEveryTime.name]
    reminders.KINDS.pop(SameKeyEveryTime.name)


def history_row(page, subject_ref):
    """The history table's row about `subject_ref`, as text."""
    history = page.split('<h2>', 3)[2]
    [row] = [r for r in re.findall(r"<tr class=\"reminder-.*?</tr>", history, re.S)
             if f'data-subject="{subject_ref}"' in r]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()


def test_a_reminder_notifications_took_for_an_earlier_message_says_nothing_sent(
        coordinator_client, organisation, same_key_kind):
    earlier = services.sms_send(recipient=recipient(organisation), template=QUESTION,
                                idempotency_key="tests.first_message")
    same_key_kind.due_items = [reminders.Due(same_key_kind.name, organisation.pk,
                                             "invitation:7", "lead", "participant:1")]
    run(local(2026, 11, 17, 11), only={same_key_kind.name})
    assert Message.objects.count() == 1  # nothing new went out
    claim = SentReminder.objects.get(kind=same_key_kind.name)
    assert (claim.outcome, claim.made) == (ReminderOutcome.DUPLICATE, f"message:{earlier.pk}")
    row = history_row(coordinator_client.get("/reminders/").content.decode(), "invitation:7")
    assert "Nothing sent: duplicate of an earlier message or task" in row
    assert " Sent" not in row
    api = coordinator_client.get("/api/reminders/").json()["history"]
    assert [(r["subject_ref"], r["outcome"]) for r in api] == [("invitation:7", "duplicate")]


def test_a_reminder_that_made_a_message_says_sent_and_how_it_went(
        coordinator_client, organisation):
    waiting = ParticipantFactory(organisation=organisation,
                                 waiting_since=datetime.date(2026, 8, 17))
    run(local(2026, 11, 17, 11), only={"reminders.keep_in_touch"})
    message = Message.objects.get(recipient_key=f"participant:{waiting.pk}")
    claim = SentReminder.objects.get()
    assert (claim.outcome, claim.made) == (ReminderOutcome.SENT, f"message:{message.pk}")
    row = history_row(coordinator_client.get("/reminders/").content.decode(),
                      f"participant:{waiting.pk}")
    assert f"Sent SMS: {message.get_status_display()}" in row


def test_a_reminder_that_opened_a_task_says_sent_as_a_task(coordinator_client, organisation):
    paused = ParticipantFactory(organisation=organisation, status=ParticipantStatus.PAUSED,
                                check_back_on=datetime.date(2026, 11, 17))
    run(local(2026, 11, 17, 11), only={"reminders.paused_check_back"})
    assert SentReminder.objects.get().made.startswith("task:")
    row = history_row(coordinator_client.get("/reminders/").content.decode(),
                      f"participant:{paused.pk}")
    assert "Sent a task for the coordinator" in row


def test_a_reminder_that_made_no_message_at_all_says_so(coordinator_client, organisation):
    # "How is it going" is an SMS question: a participant who wants e-mail gets none.
    DuoSettings.objects.create(organisation=organisation, ask_how_every_weeks=4)
    with time_machine.travel(local(2026, 10, 5, 10)):
        duo = active_duo(organisation, start_date=datetime.date(2026, 10, 5))
    duo.participant.contact_channel = "email"
    duo.participant.email = "amina@example.org"
    duo.participant.save()
    run(local(2026, 11, 2, 10), only={"duos.how_is_it_going"})
    assert SentReminder.objects.get().outcome == ReminderOutcome.NOTHING
    row = history_row(coordinator_client.get("/reminders/").content.decode(), f"duo:{duo.pk}")
    assert "Nothing sent: no message or task was recorded" in row


def test_a_claim_that_names_no_message_or_a_missing_one_is_not_shown_as_sent(
        coordinator_client, organisation):
    # Claims recorded before their outcome was: "sent", but nothing says what went out.
    for subject, made in (("participant:101", ""), ("participant:102", "message:999999")):
        SentReminder.objects.create(organisation=organisation,
                                    kind="reminders.paused_check_back", subject_ref=subject,
                                    period_key="2026-01-01", recipient_key=subject, made=made)
    page = coordinator_client.get("/reminders/").content.decode()
    for subject in ("participant:101", "participant:102"):
        row = history_row(page, subject)
        assert "Nothing sent: no message or task was recorded" in row and " Sent" not in row


def test_the_outcome_is_in_the_coordinators_language(client, coordinator, organisation,
                                                    same_key_kind):
    services.sms_send(recipient=recipient(organisation), template=QUESTION,
                      idempotency_key="tests.first_message")
    same_key_kind.due_items = [reminders.Due(same_key_kind.name, organisation.pk,
                                             "invitation:7", "lead", "participant:1")]
    run(local(2026, 11, 17, 11), only={same_key_kind.name})
    coordinator.language = "nl"
    coordinator.save()
    client.force_login(coordinator)
    page = client.get("/reminders/").content.decode()
    assert "Geschiedenis" in page
    assert "Niets verstuurd: dubbel van een eerder bericht of een eerdere taak" in page
