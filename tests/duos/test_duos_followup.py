"""Follow-up: alerts (inactivity, flags, low answers, missed check-ins), check-ins, the
follow-up list and its constant number of queries, the timeline."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duos import selectors, services, tasks
from duos.models import Alert, AlertKind, CheckIn, DuoSettings
from notifications.tasks import reminders_dispatch
from tests.factories import CoordinatorFactory
from tests.factories_duos import active_duo, volunteer_with_account

START = datetime.date(2026, 3, 2)


def _at(day, hour=10):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour,
                                                 tzinfo=datetime.UTC), tick=False)


def _open(duo, kind):
    return Alert.objects.filter(duo=duo, kind=kind, resolved_at__isnull=True)


@pytest.fixture
def duo_and_account(organisation):
    volunteer, account = volunteer_with_account(organisation)
    with _at(START):
        duo = active_duo(organisation, volunteer=volunteer, start_date=START)
    return duo, account


@pytest.mark.django_db
def test_no_meeting_for_three_weeks_opens_one_alert_and_a_meeting_resolves_it(duo_and_account):
    duo, account = duo_and_account
    with _at(START + datetime.timedelta(days=10)):
        services.meeting_log_create(duo=duo, created_by=account, date=START + datetime.timedelta(
            days=10), duration="short", how_it_went=4)
    with _at(START + datetime.timedelta(days=10 + 20)):
        services.alerts_scan()
        assert not _open(duo, AlertKind.NO_MEETING_LOGGED).exists()
    with _at(START + datetime.timedelta(days=10 + 21)):
        tasks.alerts_scan()
        tasks.alerts_scan()
        assert _open(duo, AlertKind.NO_MEETING_LOGGED).count() == 1
    with _at(START + datetime.timedelta(days=33)):
        services.meeting_log_create(duo=duo, created_by=account, date=START + datetime.timedelta(
            days=33), did_not_meet=True)
        assert _open(duo, AlertKind.NO_MEETING_LOGGED).count() == 1  # not a meeting
        services.meeting_log_create(duo=duo, created_by=account, date=START + datetime.timedelta(
            days=33), duration="short", how_it_went=3)
        assert not _open(duo, AlertKind.NO_MEETING_LOGGED).exists()


@pytest.mark.django_db
def test_inactivity_threshold_is_per_organisation(organisation, duo_and_account):
    duo, _account = duo_and_account
    DuoSettings.objects.create(organisation=organisation, weeks_without_log=6)
    with _at(START + datetime.timedelta(weeks=5)):
        services.alerts_scan()
    assert not _open(duo, AlertKind.NO_MEETING_LOGGED).exists()
    with _at(START + datetime.timedelta(weeks=6)):
        services.alerts_scan()
    assert _open(duo, AlertKind.NO_MEETING_LOGGED).exists()


@pytest.mark.django_db
def test_a_missed_check_in_alerts_and_recording_it_plans_the_next(organisation, coordinator,
                                                                  duo_and_account):
    duo, _account = duo_and_account
    first = START + datetime.timedelta(days=14)
    with _at(first + datetime.timedelta(days=7)):
        services.alerts_scan()
        assert not _open(duo, AlertKind.MISSED_CHECKIN).exists()
    with _at(first + datetime.timedelta(days=8)):
        services.alerts_scan()
        assert _open(duo, AlertKind.MISSED_CHECKIN).count() == 1
        services.checkin_record(duo=duo, recorded_by=coordinator, done_on=first + datetime.
                                timedelta(days=8), with_whom="participant", how="call",
                                note="All fine")
        services.checkin_record(duo=duo, recorded_by=coordinator, done_on=first + datetime.
                                timedelta(days=8), with_whom="participant", how="call",
                                note="All fine")
    assert not _open(duo, AlertKind.MISSED_CHECKIN).exists()
    done = CheckIn.objects.filter(duo=duo, done_on__isnull=False)
    assert [c.planned_on for c in done] == [first]
    open_plans = CheckIn.objects.filter(duo=duo, done_on__isnull=True)
    assert [c.planned_on for c in open_plans] == [START + datetime.timedelta(days=28)]


@pytest.mark.django_db
def test_after_the_first_month_a_check_in_is_planned_monthly(coordinator, duo_and_account):
    duo, _account = duo_and_account
    for day in (14, 28):
        with _at(START + datetime.timedelta(days=day)):
            services.checkin_record(duo=duo, recorded_by=coordinator,
                                    done_on=START + datetime.timedelta(days=day),
                                    with_whom="both", how="visit")
    planned = CheckIn.objects.get(duo=duo, done_on__isnull=True).planned_on
    assert planned == START + datetime.timedelta(days=28 + 28)


@pytest.mark.django_db
def test_a_low_answer_by_sms_alerts_and_a_good_one_does_not(duo_and_account):
    duo, _account = duo_and_account
    assert services.how_is_it_going_reply_received(duo_id=duo.pk, score=4) == "recorded"
    assert not _open(duo, AlertKind.LOW_ANSWER).exists()
    assert services.how_is_it_going_reply_received(duo_id=duo.pk, score=2) == "recorded"
    assert services.how_is_it_going_reply_received(duo_id=duo.pk, score=1) == "recorded"
    assert _open(duo, AlertKind.LOW_ANSWER).count() == 1
    assert services.how_is_it_going_reply_received(duo_id=duo.pk, score=9) == "not_understood"
    assert duo.participant_answers.count() == 3


@pytest.mark.django_db
def test_a_resolved_alert_can_open_again_later(coordinator, duo_and_account):
    duo, _account = duo_and_account
    services.participant_answer_record(duo=duo, score=1)
    alert = _open(duo, AlertKind.LOW_ANSWER).get()
    services.alert_resolve(alert=alert, resolved_by=coordinator, note="Called her")
    services.alert_resolve(alert=alert, resolved_by=coordinator, note="twice")
    alert.refresh_from_db()
    assert alert.resolution_note == "Called her"
    services.participant_answer_record(duo=duo, score=2)
    assert Alert.objects.filter(duo=duo, kind=AlertKind.LOW_ANSWER).count() == 2


def _busy_organisation(organisation, coordinator, n):
    duos = []
    for _ in range(n):
        with _at(START):
            duo = active_duo(organisation, coordinator=coordinator, start_date=START)
        services.participant_answer_record(duo=duo, score=1)
        duos.append(duo)
    with _at(START + datetime.timedelta(days=60)):
        services.alerts_scan()
    return duos


@pytest.mark.django_db
def test_follow_up_list_puts_the_most_urgent_first(organisation, coordinator):
    volunteer, account = volunteer_with_account(organisation)
    with _at(START):
        duo = active_duo(organisation, coordinator=coordinator, volunteer=volunteer,
                         start_date=START)
    with _at(START + datetime.timedelta(days=40)):
        services.alerts_scan()
        services.meeting_log_create(duo=duo, created_by=account,
                                    date=START + datetime.timedelta(days=40),
                                    did_not_meet=True, wants_to_talk=True)
        items = selectors.follow_up_items()
    kinds = [(i.kind, i.alert.kind if i.alert else None) for i in items]
    assert kinds[0] == ("alert", AlertKind.TALK_TO_ME)
    assert ("alert", AlertKind.NO_MEETING_LOGGED) in kinds
    assert ("alert", AlertKind.MISSED_CHECKIN) in kinds
    assert kinds[-1] == ("checkin", None)


@pytest.mark.django_db
def test_follow_up_list_uses_a_constant_number_of_queries(organisation, coordinator,
                                                          django_assert_num_queries):
    _busy_organisation(organisation, coordinator, 2)
    with _at(START + datetime.timedelta(days=60)), CaptureQueriesContext(connection) as few:
        small = selectors.follow_up_items()
    _busy_organisation(organisation, coordinator, 6)
    with _at(START + datetime.timedelta(days=60)), CaptureQueriesContext(connection) as many:
        large = selectors.follow_up_items()
        for item in large:
            str(item.duo), item.duo.agreement.end_date  # noqa: B018
    assert len(large) > len(small) >= 4
    assert len(many.captured_queries) == len(few.captured_queries) == 5


@pytest.mark.django_db
def test_follow_up_page_and_duo_list_use_a_constant_number_of_queries(
        organisation, coordinator, coordinator_client):
    _busy_organisation(organisation, coordinator, 2)
    counts = []
    for extra in (0, 5):
        _busy_organisation(organisation, coordinator, extra)
        with _at(START + datetime.timedelta(days=60)):
            for url in ("/duos/follow-up/", "/duos/", "/"):
                with CaptureQueriesContext(connection) as queries:
                    assert coordinator_client.get(url).status_code == 200
                counts.append((url, len(queries.captured_queries)))
    assert counts[:3] == counts[3:]


@pytest.mark.django_db
def test_staff_home_shows_the_follow_up_panel(organisation, coordinator, coordinator_client):
    duo = _busy_organisation(organisation, coordinator, 1)[0]
    page = coordinator_client.get("/").content.decode()
    assert "Follow-up today" in page
    assert f"/duos/{duo.pk}/" in page


@pytest.mark.django_db
def test_coordinator_records_a_check_in_and_resolves_an_alert_on_pages(
        organisation, coordinator, coordinator_client, duo_and_account):
    duo, _account = duo_and_account
    response = coordinator_client.post(f"/duos/{duo.pk}/check-in/", {
        "done_on": datetime.date.today().isoformat(), "with_whom": "volunteer", "how": "call",
        "note": "Short call"})
    assert response.status_code == 302
    assert CheckIn.objects.filter(duo=duo, note="Short call").exists()
    services.participant_answer_record(duo=duo, score=1)
    alert = _open(duo, AlertKind.LOW_ANSWER).get()
    coordinator_client.post(f"/duos/alerts/{alert.pk}/resolve/", {"note": "Visited"})
    alert.refresh_from_db()
    assert alert.resolved_by == coordinator and alert.resolution_note == "Visited"


@pytest.mark.django_db
def test_timeline_shows_everything_in_date_order(organisation, coordinator, coordinator_client,
                                                 duo_and_account):
    duo, account = duo_and_account
    with _at(START + datetime.timedelta(days=5)):
        services.meeting_log_create(duo=duo, created_by=account,
                                    date=START + datetime.timedelta(days=3),
                                    duration="short", how_it_went=5, activity_text="Zoo visit")
    with _at(START + datetime.timedelta(days=9)):
        services.checkin_record(duo=duo, recorded_by=coordinator,
                                done_on=START + datetime.timedelta(days=9), with_whom="both",
                                how="visit", note="Met both")
        services.evaluation_record(duo=duo, moment="mid_term", party="participant",
                                   answers={"What did you enjoy most?": "The zoo"},
                                   recorded_by=coordinator)
    detailed = selectors.duo_detail_queryset().get(pk=duo.pk)
    kinds = [e.kind for e in selectors.duo_timeline(detailed)]
    assert kinds == ["agreement", "confirmation", "confirmation", "meeting", "checkin",
                     "evaluation"]
    page = coordinator_client.get(f"/duos/{duo.pk}/").content.decode()
    assert page.index("Zoo visit") < page.index("Met both") < page.index("The zoo")


@pytest.mark.django_db
def test_coordinator_records_an_evaluation_with_the_organisations_questions(
        organisation, coordinator_client, duo_and_account):
    duo, _account = duo_and_account
    DuoSettings.objects.create(organisation=organisation, questions=["Fun?", "Too often?"])
    page = coordinator_client.get(f"/duos/{duo.pk}/evaluation/").content.decode()
    assert "Too often?" in page
    coordinator_client.post(f"/duos/{duo.pk}/evaluation/", {
        "moment": "end", "party": "volunteer", "q0": "Yes", "q1": "No"})
    evaluation = duo.evaluations.get()
    assert evaluation.answers == {"Fun?": "Yes", "Too often?": "No"}


@pytest.mark.django_db
def test_api_lists_alerts_and_follow_up_for_staff_only(api_client, organisation, coordinator):
    duo = _busy_organisation(organisation, coordinator, 1)[0]
    api_client.force_login(coordinator)
    alerts = api_client.get("/api/duos/alerts/").json()["results"]
    assert {a["duo"] for a in alerts} == {duo.pk}
    items = api_client.get("/api/duos/follow-up/").json()
    assert items and items[0]["duo"] == duo.pk
    resolved = api_client.post(f"/api/duos/alerts/{alerts[0]['id']}/resolve/", {"note": "ok"},
                               format="json")
    assert resolved.status_code == 200 and resolved.json()["resolved_at"]
    _volunteer, account = volunteer_with_account(organisation)
    api_client.force_login(account)
    assert api_client.get("/api/duos/follow-up/").status_code == 403
    api_client.force_login(CoordinatorFactory(username="other-org"))
    assert api_client.get("/api/duos/alerts/").json()["results"] == []


@pytest.mark.django_db
def test_participant_is_asked_how_it_is_going_every_six_weeks(
        duo_and_account, django_capture_on_commit_callbacks):
    duo, _account = duo_and_account
    with _at(START + datetime.timedelta(weeks=6, days=-1)):
        assert reminders_dispatch(only={"duos.how_is_it_going"}) == 0
    with (_at(START + datetime.timedelta(weeks=6)),
          mock.patch("duos.messaging.ask_how_it_is_going") as ask,
          django_capture_on_commit_callbacks(execute=True)):
        assert reminders_dispatch(only={"duos.how_is_it_going"}) == 1
        assert reminders_dispatch(only={"duos.how_is_it_going"}) == 0
    ask.assert_called_once()
    assert ask.call_args.args[0].pk == duo.pk
    duo.refresh_from_db()
    assert duo.how_asked_on == START + datetime.timedelta(weeks=6)
    assert selectors.how_is_it_going_due(START + datetime.timedelta(weeks=12)) == [duo]


@pytest.mark.django_db
def test_no_how_is_it_going_question_near_the_end_so_a_reply_answers_one_question(
        duo_and_account):
    """The end question is asked four weeks before the end (the default); a "how is it
    going" question asked in the week before would still be open when it comes."""
    duo, _account = duo_and_account
    end = duo.agreement.end_date
    four_weeks_before = end - datetime.timedelta(weeks=4)
    assert selectors.how_is_it_going_due(four_weeks_before - datetime.timedelta(days=8)) == [duo]
    assert selectors.how_is_it_going_due(four_weeks_before - datetime.timedelta(days=6)) == []
    with _at(four_weeks_before):
        services.end_question_ask(duo=duo, today=four_weeks_before)
    assert selectors.how_is_it_going_due(end - datetime.timedelta(days=1)) == []


@pytest.mark.django_db
def test_no_how_is_it_going_sms_when_the_organisation_turned_it_off(organisation,
                                                                     duo_and_account):
    DuoSettings.objects.create(organisation=organisation, ask_how_every_weeks=0)
    with _at(START + datetime.timedelta(weeks=20)):
        assert reminders_dispatch(only={"duos.how_is_it_going"}) == 0


@pytest.mark.django_db
def test_volunteer_is_reminded_to_log_once_per_meeting_interval(duo_and_account):
    duo, account = duo_and_account  # every two weeks (the default)
    with _at(START + datetime.timedelta(days=10)):
        services.meeting_log_create(duo=duo, created_by=account,
                                    date=START + datetime.timedelta(days=10),
                                    duration="short", how_it_went=4)
    with _at(START + datetime.timedelta(days=23)):
        assert reminders_dispatch(only={"duos.meeting_log_reminder"}) == 0
    with _at(START + datetime.timedelta(days=24)):
        assert reminders_dispatch(only={"duos.meeting_log_reminder"}) == 1
        assert reminders_dispatch(only={"duos.meeting_log_reminder"}) == 0
    with _at(START + datetime.timedelta(days=37)):
        assert reminders_dispatch(only={"duos.meeting_log_reminder"}) == 0
    with _at(START + datetime.timedelta(days=38)):
        assert reminders_dispatch(only={"duos.meeting_log_reminder"}) == 1


@pytest.mark.django_db
def test_mid_term_and_end_evaluations_are_due_in_the_follow_up(coordinator, duo_and_account):
    duo, _account = duo_and_account  # twelve months from START
    middle = START + (duo.agreement.end_date - START) / 2

    def evaluations(day):
        return [(i.duo.pk, i.title) for i in selectors.follow_up_items(day)
                if i.kind == "evaluation"]

    assert evaluations(middle - datetime.timedelta(days=1)) == []
    assert evaluations(middle) == [(duo.pk, "Mid-term evaluation due")]
    for party in ("participant", "volunteer"):
        services.evaluation_record(duo=duo, moment="mid_term", party=party, answers={},
                                   recorded_by=coordinator)
    assert evaluations(middle) == []
    services.end_question_ask(duo=duo, today=middle)
    assert evaluations(middle) == [(duo.pk, "End evaluation due")]


@pytest.mark.django_db
def test_duo_page_uses_a_constant_number_of_queries(coordinator, coordinator_client,
                                                    duo_and_account):
    duo, account = duo_and_account
    counts = []
    for day in (1, 2, 3, 4):
        with _at(START + datetime.timedelta(days=day)):
            services.meeting_log_create(
                duo=duo, created_by=account, date=START + datetime.timedelta(days=day),
                duration="short", how_it_went=4, wants_to_talk=True,
                expenses=[{"amount": "2", "kind": "transport"}])
            services.checkin_record(duo=duo, recorded_by=coordinator,
                                    done_on=START + datetime.timedelta(days=day),
                                    with_whom="both", how="call", note=str(day))
            services.participant_answer_record(duo=duo, score=1)
        with CaptureQueriesContext(connection) as queries:
            assert coordinator_client.get(f"/duos/{duo.pk}/").status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[-1]


@pytest.mark.django_db
def test_a_late_answer_after_the_duo_closed_opens_no_alert(coordinator, duo_and_account):
    duo, _account = duo_and_account
    services.duo_end_early(duo=duo, ended_by="coordinator", planned=True, reason="other",
                           recorded_by=coordinator)
    services.duo_close(duo=duo, closed_by=coordinator, participant_wants_new_buddy=False,
                       volunteer_next="pool")
    assert services.how_is_it_going_reply_received(duo_id=duo.pk, score=1) == "duo_not_running"
    assert not Alert.objects.filter(duo=duo, resolved_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_alerts_scan_opens_each_alert_once(duo_and_account):
    duo, _account = duo_and_account
    with _at(START + datetime.timedelta(weeks=8)):
        assert tasks.alerts_scan() == 2
        assert tasks.alerts_scan() == 0
    assert Alert.objects.filter(duo=duo, resolved_at__isnull=True).count() == 2
