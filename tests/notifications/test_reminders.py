"""Scheduled reminders: each kind fires when its time has come and not before, catches up
after a missed run, never twice, in Brussels time through daylight-saving changes."""

import datetime
import threading

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from buddy.celery import app
from coaching import messaging as coaching_messaging
from coaching.models import Answer
from duos import messaging as duos_messaging
from duos.models import DuoSettings
from matching.intake.models import ParticipantStatus
from matching.proposals import messaging as matching_messaging
from notifications import reminders
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from notifications.models import (
    CoordinatorTask,
    Message,
    MessagingSettings,
    ReminderOutcome,
    ReminderSettings,
    SentReminder,
    Status,
)
from notifications.sms import InboundSms
from notifications.tasks import reminders_dispatch
from organisations.scoping import all_organisations, organisation_scope
from tests.factories import CoordinatorFactory
from tests.factories_coaching import InvitationFactory, SessionFactory
from tests.factories_duos import active_duo, pending_duo
from tests.factories_matching import ParticipantFactory, VolunteerFactory
from tests.factories_proposals import CandidateFactory, ProposalFactory, VolunteerOfferFactory

BRUSSELS = timezone.get_default_timezone()


def local(*args):
    return datetime.datetime(*args, tzinfo=BRUSSELS)


def run(now, only=None):
    """One run of the beat's dispatcher at `now` (tasks run in place in the tests)."""
    with time_machine.travel(now, tick=False):
        return reminders_dispatch(now=timezone.now(), only=only)


def sent(kind):
    """The claims of `kind` not found moot (a test double of a room's messaging makes no
    message: its claims say "nothing sent", which the reach walk checks does not happen)."""
    return list(SentReminder.objects.filter(kind=kind).exclude(outcome=ReminderOutcome.SKIPPED)
                .values_list("subject_ref", "period_key"))


@pytest.fixture
def run_committed(django_capture_on_commit_callbacks):
    """A run, then what it left for after the commit (the domain apps' messages)."""
    def run_and_commit(now, only=None):
        with django_capture_on_commit_callbacks(execute=True):
            return run(now, only)
    return run_and_commit


@pytest.fixture
def calls(monkeypatch):
    """The domain apps' messaging functions called after commit, as (name, id)."""
    recorded = []
    monkeypatch.setattr(matching_messaging, "remind_participant",
                        lambda pk: recorded.append(("remind_participant", pk)))
    for name in ("remind", "remind_on_the_day"):
        monkeypatch.setattr(coaching_messaging, name,
                            lambda pk, ics=None, name=name: recorded.append((name, pk)))
    return recorded


# The mechanism --------------------------------------------------------------------------


def test_every_kind_is_registered_with_a_label():
    assert {"matching.proposal_reminder", "matching.proposal_call_task",
            "duos.meeting_log_reminder", "duos.end_question", "duos.how_is_it_going",
            "coaching.session_reminder", "coaching.session_morning",
            "reminders.keep_in_touch", "reminders.keep_in_touch_no_answer",
            "reminders.paused_check_back", "reminders.availability_ending",
            "reminders.coordinator_digest", "matching.offer_reminder",
            "matching.offer_coordinator_task", "duos.agreement_unconfirmed",
            "coaching.session_nudge"} <= set(reminders.KINDS)
    assert all(str(kind.label) for kind in reminders.KINDS.values())


def test_the_beat_schedule_runs_the_dispatcher():
    app.loader.import_default_modules()  # what a worker does when it starts
    entry = settings.CELERY_BEAT_SCHEDULE["reminders-dispatch-due"]
    assert entry["task"] in app.tasks
    for other in settings.CELERY_BEAT_SCHEDULE.values():
        assert other["task"] in app.tasks, other


def test_a_due_item_travels_as_a_compact_row_and_an_older_queued_dict_still_reads():
    item = reminders.Due("duos.end_question", 3, "duo:7", "end", "volunteer:2",
                        local(2026, 5, 4, 9))
    assert reminders.Due.from_row(item.as_row()) == item
    assert reminders.Due.from_row({"kind": "duos.end_question", "organisation_id": 3,
                                  "subject_ref": "duo:7", "period_key": "end",
                                  "recipient_key": "volunteer:2", "due_at": None}) == \
        reminders.Due("duos.end_question", 3, "duo:7", "end", "volunteer:2")


@pytest.mark.parametrize("moment, day", [
    # Spring forward: 01:30 UTC on 28 March 2027 is 03:30 in Brussels, the same day.
    (datetime.datetime(2027, 3, 27, 23, 30, tzinfo=datetime.UTC), "2027-03-28"),
    (datetime.datetime(2027, 3, 27, 22, 59, tzinfo=datetime.UTC), "2027-03-27"),
    # Fall back: 22:30 UTC on 30 October 2027 is 00:30 in Brussels (UTC+2), the 31st.
    (datetime.datetime(2027, 10, 30, 22, 30, tzinfo=datetime.UTC), "2027-10-31"),
    (datetime.datetime(2027, 10, 31, 22, 59, tzinfo=datetime.UTC), "2027-10-31"),
    (datetime.datetime(2027, 10, 31, 23, 0, tzinfo=datetime.UTC), "2027-11-01"),
])
def test_periods_are_local_dates_through_daylight_saving(moment, day):
    assert reminders.local_date(moment).isoformat() == day


def test_local_hours_keep_their_meaning_on_the_daylight_saving_days():
    assert reminders.local_moment(datetime.date(2027, 3, 28), 7).utcoffset() == \
        datetime.timedelta(hours=2)
    assert reminders.local_moment(datetime.date(2027, 3, 27), 7).utcoffset() == \
        datetime.timedelta(hours=1)
    assert reminders.local_moment(datetime.date(2027, 10, 31), 7).utcoffset() == \
        datetime.timedelta(hours=1)


# Proposals ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unanswered_proposal_reminder_fires_after_n_days_once_then_a_call_task(
        organisation, calls, run_committed):
    with time_machine.travel(local(2026, 11, 2, 10)):
        proposal = ProposalFactory(organisation=organisation)
        CandidateFactory(proposal=proposal, position=1)
    run_committed(local(2026, 11, 4, 23, 59))  # three days' default: not yet
    assert calls == []
    run_committed(local(2026, 11, 5, 0, 1))
    run_committed(local(2026, 11, 5, 0, 6))  # the next beat, and a duplicate run
    run_committed(local(2026, 11, 5, 0, 6))
    assert calls == [("remind_participant", proposal.pk)]
    assert sent("matching.proposal_reminder") == [(f"proposal:{proposal.pk}", "reminder")]
    run(local(2026, 11, 8, 23))
    assert sent("matching.proposal_call_task") == []
    run(local(2026, 11, 9, 8))
    run(local(2026, 11, 9, 8, 5))
    proposal.refresh_from_db()
    assert proposal.status == "call_task"
    assert sent("matching.proposal_call_task") == [(f"proposal:{proposal.pk}", "call")]


@pytest.mark.django_db
def test_a_missed_day_is_caught_up_on_the_next_run(organisation, calls, run_committed):
    with time_machine.travel(local(2026, 11, 2, 10)):
        proposal = ProposalFactory(organisation=organisation)
    # The beat did not run for two days after the reminder fell due.
    run_committed(local(2026, 11, 7, 15), only={"matching.proposal_reminder"})
    assert calls == [("remind_participant", proposal.pk)]


# Concurrency ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_a_reminder_once(organisation):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite locks the whole file)")
    participant = ParticipantFactory(organisation=organisation,
                                     waiting_since=datetime.date(2026, 1, 5))
    item = reminders.Due("reminders.keep_in_touch", organisation.pk,
                        f"participant:{participant.pk}", "2026-01-05",
                        f"participant:{participant.pk}")
    barrier = threading.Barrier(2)
    results = []

    def one():
        try:
            with all_organisations(), time_machine.travel(local(2026, 4, 6, 11)):
                barrier.wait()
                results.append(reminders.reminder_send(item))
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert Message.objects.filter(template="reminders.keep_in_touch").count() == 1
    assert SentReminder.objects.count() == 1


@pytest.mark.django_db
def test_what_is_due_is_read_in_pages_whose_query_does_not_grow_with_the_list(
        organisation, monkeypatch):
    ParticipantFactory.create_batch(7, organisation=organisation,
                                    waiting_since=datetime.date(2026, 1, 5))
    kind = reminders.get("reminders.keep_in_touch")
    with all_organisations(), CaptureQueriesContext(connection) as queries:
        due = list(kind.due(local(2026, 4, 6, 11)))
    assert len(due) == 7
    longest = max(len(query["sql"]) for query in queries.captured_queries)
    ParticipantFactory.create_batch(30, organisation=organisation,
                                    waiting_since=datetime.date(2026, 1, 5))
    monkeypatch.setattr(reminders, "PAGE_SIZE", 10)
    with all_organisations(), CaptureQueriesContext(connection) as queries:
        due = list(kind.due(local(2026, 4, 6, 11)))
    assert len({item.subject_ref for item in due}) == 37
    pages = [q["sql"] for q in queries.captured_queries if "matching_participant" in q["sql"]
             and "LIMIT 10" in q["sql"]]
    assert len(pages) == 4 and not any("OFFSET" in sql for sql in pages)
    # One condition per organisation, not per participant.
    assert max(len(query["sql"]) for query in queries.captured_queries) <= longest + 40


# A failure after the claim: claim, domain change and message stand or fall together -----


def _proposal_reminders(proposal):
    """(messages, claims, marked reminded) of one proposal's reminder."""
    return (Message.objects.filter(template="matching.proposal_reminder",
                                   recipient_key=f"participant:{proposal.participant_id}").count(),
            SentReminder.objects.filter(kind="matching.proposal_reminder",
                                        subject_ref=f"proposal:{proposal.pk}").count(),
            type(proposal).objects.get(pk=proposal.pk).reminded_at is not None)


@pytest.mark.django_db
def test_a_reminder_whose_sending_fails_after_the_claim_is_recorded_nowhere_and_sent_once_later(
        organisation, monkeypatch):
    with time_machine.travel(local(2026, 11, 2, 10)):
        proposal, neighbour = ProposalFactory.create_batch(2, organisation=organisation)
        CandidateFactory(proposal=proposal, position=1)
    original = matching_messaging.remind_participant

    def writes_then_fails(proposal_id):
        original(proposal_id)  # the message row is written in the claim's transaction...
        if proposal_id == proposal.pk:
            raise RuntimeError("a bug in this one")  # ...then the domain work fails

    monkeypatch.setattr(matching_messaging, "remind_participant", writes_then_fails)
    run(local(2026, 11, 5, 10))
    assert _proposal_reminders(proposal) == (0, 0, False)  # no claim, message or mark
    assert _proposal_reminders(neighbour) == (1, 1, True)  # its batch-mate went out

    monkeypatch.setattr(matching_messaging, "remind_participant", original)
    run(local(2026, 11, 5, 10, 1))
    run(local(2026, 11, 5, 10, 2))
    assert _proposal_reminders(proposal) == (1, 1, True)
    assert _proposal_reminders(neighbour) == (1, 1, True)


@pytest.mark.django_db
def test_a_batch_that_crashes_after_the_domain_work_leaves_nothing_and_the_next_run_sends_once(
        organisation, monkeypatch):
    with time_machine.travel(local(2026, 11, 2, 10)):
        proposals = ProposalFactory.create_batch(3, organisation=organisation)
    kind = reminders.get("matching.proposal_reminder")
    original = type(kind).send_many

    def crashes_after_sending(self, items):
        outcome = original(self, items)
        assert len(outcome.sent) == 3  # the domain work and the messages were done...
        raise SystemExit("the worker died before the commit")  # ...and never committed

    monkeypatch.setattr(type(kind), "send_many", crashes_after_sending)
    with pytest.raises(SystemExit):
        run(local(2026, 11, 5, 10))
    assert [_proposal_reminders(p) for p in proposals] == [(0, 0, False)] * 3

    monkeypatch.setattr(type(kind), "send_many", original)
    run(local(2026, 11, 5, 10, 1))
    run(local(2026, 11, 5, 10, 2))
    assert [_proposal_reminders(p) for p in proposals] == [(1, 1, True)] * 3


# Waiting list: keep in touch -------------------------------------------------------------


@pytest.mark.django_db
def test_waiting_participants_get_a_keep_in_touch_sms_every_n_months(organisation):
    ReminderSettings.objects.create(organisation=organisation, keep_in_touch_months=2)
    waiting = ParticipantFactory(organisation=organisation,
                                 waiting_since=datetime.date(2026, 1, 31))
    ParticipantFactory(organisation=organisation, waiting_since=datetime.date(2026, 1, 31),
                       status=ParticipantStatus.MATCHED)
    run(local(2026, 3, 30, 12))
    assert Message.objects.count() == 0
    run(local(2026, 3, 31, 12))
    run(local(2026, 3, 31, 12, 5))
    message = Message.objects.get()
    assert message.template == "reminders.keep_in_touch"
    assert message.recipient_key == f"participant:{waiting.pk}"
    assert sent("reminders.keep_in_touch") == [(f"participant:{waiting.pk}", "2026-01-31")]


@pytest.mark.django_db
def test_a_keep_in_touch_sms_due_in_the_evening_waits_for_the_morning(organisation):
    ParticipantFactory(organisation=organisation, waiting_since=datetime.date(2026, 1, 5))
    run(local(2026, 4, 5, 22))
    message = Message.objects.get()
    assert message.status == Status.PENDING
    assert message.not_before == local(2026, 4, 6, 9)


@pytest.mark.django_db
def test_answers_to_keep_in_touch_are_recorded_and_stop_goes_to_the_coordinator(
        organisation, settings):
    MessagingSettings.objects.create(organisation=organisation, sms_number="+3228080000")
    stays = ParticipantFactory(organisation=organisation,
                               waiting_since=datetime.date(2026, 1, 5))
    leaves = ParticipantFactory(organisation=organisation,
                                waiting_since=datetime.date(2026, 1, 5))
    silent = ParticipantFactory(organisation=organisation,
                                waiting_since=datetime.date(2026, 1, 5))
    run(local(2026, 4, 6, 11))
    assert Message.objects.count() == 3
    with time_machine.travel(local(2026, 4, 6, 12)):
        for person, body in ((stays, "Ja"), (leaves, "nee")):
            notification_services.sms_receive("locmem", InboundSms(
                sender=str(person.phone), to="+3228080000", body=body,
                provider_id=f"in-{person.pk}"))
    stays.refresh_from_db()
    leaves.refresh_from_db()
    assert stays.last_contact_on == datetime.date(2026, 4, 6)
    assert leaves.status == ParticipantStatus.WAITING  # never a silent removal
    assert list(CoordinatorTask.objects.values_list("kind", "recipient_key")) == [
        ("keep_in_touch", f"participant:{leaves.pk}")]
    run(local(2026, 4, 15, 12))  # ten days to answer
    assert CoordinatorTask.objects.count() == 1
    run(local(2026, 4, 16, 12))
    run(local(2026, 4, 16, 12, 5))
    assert sorted(CoordinatorTask.objects.values_list("recipient_key", flat=True)) == sorted(
        [f"participant:{leaves.pk}", f"participant:{silent.pk}"])
    # The one who said yes is asked again three months after their answer.
    run(local(2026, 7, 6, 12))
    assert Message.objects.filter(recipient_key=f"participant:{stays.pk}",
                                  direction="out").count() == 2


# Paused participants, volunteers' availability --------------------------------------------


@pytest.mark.django_db
def test_a_paused_participant_becomes_a_task_on_the_check_back_date(organisation):
    paused = ParticipantFactory(organisation=organisation, status=ParticipantStatus.PAUSED,
                                check_back_on=datetime.date(2026, 5, 4))
    run(local(2026, 5, 3, 23, 50))
    assert CoordinatorTask.objects.count() == 0
    run(local(2026, 5, 4, 0, 10))
    run(local(2026, 5, 4, 0, 15))
    task = CoordinatorTask.objects.get()
    assert (task.kind, task.recipient_key) == ("check_back", f"participant:{paused.pk}")


@pytest.mark.django_db
def test_a_volunteer_whose_availability_ends_is_told_and_the_coordinator_noted(
        organisation, mailoutbox):
    volunteer = VolunteerFactory(organisation=organisation, email="vic@example.org",
                                 available_until=datetime.date(2026, 6, 30))
    run(local(2026, 6, 15, 12))
    assert Message.objects.count() == 0
    run(local(2026, 6, 16, 12))
    run(local(2026, 6, 16, 12, 5))
    message = Message.objects.get()
    assert (message.channel, message.recipient_key) == ("email", f"volunteer:{volunteer.pk}")
    assert CoordinatorTask.objects.get().kind == "availability"


# Intervision ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_session_reminders_before_and_on_the_morning_across_the_spring_change(
        organisation, calls, run_committed):
    # Last Sunday of March 2027: the clocks go from 02:00 to 03:00 in Brussels.
    session = SessionFactory(organisation=organisation, starts_at=local(2027, 3, 28, 14),
                             ends_at=local(2027, 3, 28, 16))
    yes = InvitationFactory(session=session, answer=Answer.YES)
    maybe = InvitationFactory(session=session, answer=Answer.MAYBE)
    InvitationFactory(session=session, answer=Answer.NO)
    both = sorted([("remind", yes.pk), ("remind", maybe.pk)])
    # Three days' lead: from 14:00 Brussels time on the 25th (still winter time then).
    run_committed(local(2027, 3, 25, 13, 55))
    assert calls == []
    run_committed(local(2027, 3, 25, 14, 1))
    run_committed(local(2027, 3, 25, 14, 6))
    assert sorted(calls) == both
    calls.clear()
    run_committed(local(2027, 3, 28, 6, 55))
    assert calls == []
    run_committed(local(2027, 3, 28, 7, 0))
    run_committed(local(2027, 3, 28, 7, 5))
    assert sorted(calls) == sorted([("remind_on_the_day", yes.pk),
                                    ("remind_on_the_day", maybe.pk)])
    calls.clear()
    run_committed(local(2027, 3, 28, 15))  # started: nothing more
    assert calls == []
    assert sorted(sent("coaching.session_morning")) == sorted(
        [(f"invitation:{yes.pk}", "2027-03-28"), (f"invitation:{maybe.pk}", "2027-03-28")])


# The coordinators' morning e-mail ----------------------------------------------------------


@pytest.mark.django_db
def test_the_morning_digest_goes_only_when_there_is_something_to_do(organisation):
    coordinator = CoordinatorFactory(organisation=organisation, email="sofie@example.org")
    run(local(2026, 5, 4, 8, 5), only={"reminders.coordinator_digest"})
    assert Message.objects.count() == 0
    assert SentReminder.objects.get().outcome == ReminderOutcome.SKIPPED
    notification_services.task_open(organisation_id=organisation.pk, kind="help",
                                    recipient_key="participant:1", detail="Called for help")
    run(local(2026, 5, 5, 7, 55), only={"reminders.coordinator_digest"})
    assert Message.objects.count() == 0
    run(local(2026, 5, 5, 8, 0), only={"reminders.coordinator_digest"})
    run(local(2026, 5, 5, 9, 0), only={"reminders.coordinator_digest"})
    message = Message.objects.get()
    assert (message.channel, message.recipient_key) == ("email", f"user:{coordinator.pk}")
    assert "Called for help" in " ".join(message.context["lines"])


# The staff page and the API -------------------------------------------------------------


def _some_reminders(organisation, history=True):
    for _ in range(3):
        ProposalFactory(organisation=organisation)
        ParticipantFactory(organisation=organisation, status=ParticipantStatus.PAUSED,
                           check_back_on=timezone.localdate() + datetime.timedelta(days=3))
    if not history:
        return
    SentReminder.objects.create(organisation=organisation, kind="reminders.paused_check_back",
                                subject_ref=f"participant:{organisation.pk}",
                                period_key="2026-01-01",
                                recipient_key=f"participant:{organisation.pk}")


@pytest.mark.django_db
def test_the_staff_page_shows_upcoming_and_sent_reminders_in_constant_queries(
        client, coordinator, organisation, other_organisation):
    _some_reminders(other_organisation)
    ProposalFactory(organisation=organisation)
    # One row of each kind of person key already (names cost one query per kind of key).
    SentReminder.objects.create(organisation=organisation, kind="reminders.paused_check_back",
                                subject_ref=f"participant:{organisation.pk}",
                                period_key="2026-01-01",
                                recipient_key=f"participant:{organisation.pk}")
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as few:
        response = client.get("/reminders/")
    assert response.status_code == 200
    _some_reminders(organisation, history=False)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/reminders/")
    assert len(many) == len(few)
    page = response.content.decode()
    assert "Proposal not answered: reminder to the participant" in page
    assert "Paused participant whose check-back date has come" in page
    assert f">participant:{organisation.pk}<" not in page  # the history names, never keys
    upcoming = notification_selectors.reminders_upcoming()
    assert len({row.subject_ref for row in upcoming}) >= 8  # both organisations, unscoped


def test_every_kind_lists_what_it_will_send_on_the_staff_page():
    missing = [name for name, kind in reminders.KINDS.items()
               if type(kind).upcoming is reminders.Kind.upcoming]
    assert missing == []


@pytest.mark.django_db
def test_the_staff_page_lists_the_how_is_it_going_question_the_digest_and_the_no_answer_call(
        client, organisation, other_organisation):
    with time_machine.travel(local(2026, 3, 2, 10)):
        duo = active_duo(organisation, start_date=datetime.date(2026, 3, 2))
        active_duo(other_organisation, start_date=datetime.date(2026, 3, 2))
        coordinator = CoordinatorFactory(organisation=organisation, email="sofie@example.org")
        elsewhere = CoordinatorFactory(organisation=other_organisation, email="jan@example.org")
        waiting = ParticipantFactory(organisation=organisation,
                                     waiting_since=datetime.date(2025, 12, 1))
    run(local(2026, 3, 2, 10), only={"reminders.keep_in_touch"})  # 1 March was due
    DuoSettings.objects.create(organisation=organisation, ask_how_every_weeks=4)
    client.force_login(coordinator)
    with time_machine.travel(local(2026, 3, 20, 10), tick=False):
        page = client.get("/reminders/").content.decode()
        with organisation_scope(organisation):
            rows = {(row.kind, row.subject_ref): row.at
                    for row in notification_selectors.reminders_upcoming()}
    assert "Every few weeks: ask the participant how it is going" in page
    assert "Morning e-mail to each coordinator" in page
    assert "no answer to the keep-in-touch SMS" in page
    assert rows[("duos.how_is_it_going", f"duo:{duo.pk}")] == local(2026, 3, 30)
    # The coordinator's next morning e-mail: today's has not gone out yet.
    assert rows[("reminders.coordinator_digest", f"user:{coordinator.pk}")] == local(
        2026, 3, 20, 8)
    assert rows[("reminders.keep_in_touch_no_answer", f"participant:{waiting.pk}")].date() == \
        datetime.date(2026, 3, 12)
    # The page runs in the coordinator's scope: the other organisation's duo and
    # coordinator are not listed.
    assert [subject for kind, subject in rows if kind == "duos.how_is_it_going"] == [
        f"duo:{duo.pk}"]
    assert ("reminders.coordinator_digest", f"user:{elsewhere.pk}") not in rows
    assert f"user:{elsewhere.pk}<" not in page


@pytest.mark.django_db
def test_the_api_lists_upcoming_and_sent_reminders_of_the_organisation(
        client, coordinator, organisation, other_organisation):
    _some_reminders(other_organisation)
    paused = ParticipantFactory(organisation=organisation, status=ParticipantStatus.PAUSED,
                                check_back_on=timezone.localdate() + datetime.timedelta(days=2))
    client.force_login(coordinator)
    data = client.get("/api/reminders/").json()
    assert sorted(row["subject_ref"] for row in data["upcoming"]) == sorted(
        [f"participant:{paused.pk}", f"user:{coordinator.pk}"])  # and their morning e-mail
    assert data["history"] == []


def test_volunteers_and_anonymous_do_not_see_the_reminders(client, db):
    assert client.get("/reminders/").status_code == 302


# Volunteer's answer to a proposal, the agreement ------------------------------------------


@pytest.mark.django_db
def test_an_unanswered_volunteer_is_reminded_then_the_coordinator_calls(
        organisation, monkeypatch, run_committed):
    asked = []
    monkeypatch.setattr(matching_messaging, "ask_volunteer_to_accept",
                        lambda pk, step="ask": asked.append((pk, step)))
    with time_machine.travel(local(2026, 11, 2, 15)):
        chosen = ProposalFactory(organisation=organisation, status="chosen")
        offer = VolunteerOfferFactory(candidate=CandidateFactory(
            proposal=chosen, position=1, status="chosen"))
    run_committed(local(2026, 11, 4, 23))
    assert asked == []
    run_committed(local(2026, 11, 5, 8))
    run_committed(local(2026, 11, 5, 8, 1))
    assert asked == [(offer.pk, "reminder")]
    run_committed(local(2026, 11, 9, 8))
    run_committed(local(2026, 11, 9, 8, 1))
    task = CoordinatorTask.objects.get()
    assert (task.kind, task.recipient_key) == ("offer_unanswered",
                                               f"volunteer:{offer.volunteer_id}")
    assert asked == [(offer.pk, "reminder")]


@pytest.mark.django_db
def test_an_agreement_not_confirmed_is_asked_again_once(organisation, monkeypatch,
                                                        run_committed):
    asked = []
    monkeypatch.setattr(duos_messaging, "ask_volunteer_to_confirm_agreement",
                        lambda duo, step: asked.append(("volunteer", duo.pk, step)))
    monkeypatch.setattr(duos_messaging, "ask_participant_to_confirm_agreement",
                        lambda duo, step: asked.append(("participant", duo.pk, step)))
    with time_machine.travel(local(2026, 11, 2, 15)):
        duo = pending_duo(organisation)
    run_committed(local(2026, 11, 4, 23))
    assert asked == []
    run_committed(local(2026, 11, 5, 0, 5))
    run_committed(local(2026, 11, 6, 9))
    assert sorted(asked) == [("participant", duo.pk, "reminder"),
                             ("volunteer", duo.pk, "reminder")]


@pytest.mark.django_db
def test_those_who_did_not_answer_a_session_get_one_nudge(organisation, monkeypatch,
                                                          run_committed):
    invited = []
    monkeypatch.setattr(coaching_messaging, "invite_again",
                        lambda pk, ics=None: invited.append(pk))
    session = SessionFactory(organisation=organisation, starts_at=local(2026, 12, 10, 19),
                             ends_at=local(2026, 12, 10, 21))
    silent = InvitationFactory(session=session)
    InvitationFactory(session=session, answer=Answer.NO)
    run_committed(local(2026, 12, 7, 18, 55))
    assert invited == []
    run_committed(local(2026, 12, 7, 19, 5))
    run_committed(local(2026, 12, 8, 19, 5))
    assert invited == [silent.pk]
