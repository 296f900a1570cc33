"""Coaching pages: staff only, thin over the services, constant queries for lists."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coaching import messaging
from coaching.models import (
    Answer,
    AnswerChannel,
    Attendance,
    CoachingContact,
    IntervisionSession,
    Invitation,
    SessionStatus,
    TrainingCompletion,
)
from coaching.services import THIS, series_create, session_update
from matching.intake.models import Volunteer
from tests.factories_coaching import (
    AttendanceFactory,
    CoachingContactFactory,
    InvitationFactory,
    ParticipantFactory,
    SessionFactory,
    TrainingCompletionFactory,
    TrainingModuleFactory,
    VolunteerFactory,
    in_days,
)


@pytest.fixture
def calls(monkeypatch):
    recorded = []
    for name in ["invite_volunteer_by_email", "invite_by_sms", "tell_moved_up",
                 "tell_session_changed", "tell_session_cancelled", "remind",
                 "invite_again", "remind_on_the_day"]:
        monkeypatch.setattr(messaging, name,
                            lambda invitation_id, ics=None, _n=name: recorded.append(
                                (_n, invitation_id)))
    return recorded


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries)


def test_a_volunteer_cannot_open_the_coaching_pages(client, volunteer_user):
    client.force_login(volunteer_user)
    assert client.get(reverse("coaching:session_list")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("coaching:session_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_coordinator_plans_a_series_from_the_form(coordinator_client, organisation):
    date = timezone.localdate() + datetime.timedelta(days=10)
    response = coordinator_client.post(reverse("coaching:session_create"), {
        "topic": "Intervisie", "date": date.isoformat(), "start_time": "19:00",
        "end_time": "21:00", "place": "Buurthuis", "audience": "volunteers",
        "repeats": "on", "interval_weeks": "6", "count": "3",
    })
    assert response.status_code == 302
    sessions = IntervisionSession.objects.filter(organisation=organisation)
    assert sessions.count() == 3
    assert len({s.series_id for s in sessions}) == 1


def test_a_form_without_place_shows_the_error_and_saves_nothing(coordinator_client):
    date = timezone.localdate() + datetime.timedelta(days=10)
    response = coordinator_client.post(reverse("coaching:session_create"), {
        "topic": "Intervisie", "date": date.isoformat(), "start_time": "19:00",
        "end_time": "21:00", "audience": "volunteers",
    })
    assert response.status_code == 400
    assert "Fill in an address or an online link." in response.content.decode()
    assert IntervisionSession.objects.count() == 0


def test_the_edit_page_asks_this_session_or_the_rest_of_the_series(coordinator_client,
                                                                   organisation):
    start = in_days(7)
    series = series_create(organisation=organisation, interval_weeks=6, count=3,
                           topic="Intervisie", starts_at=start,
                           ends_at=start + datetime.timedelta(hours=2), place="Buurthuis")
    first, second, third = series.sessions.order_by("starts_at")
    page = coordinator_client.get(reverse("coaching:session_edit", args=[second.pk]))
    assert 'value="rest_of_series"' in page.content.decode()
    local = timezone.localtime(second.starts_at)
    response = coordinator_client.post(reverse("coaching:session_edit", args=[second.pk]), {
        "topic": "Intervisie", "date": local.date().isoformat(), "start_time": "19:00",
        "end_time": "21:00", "place": "De Krook", "audience": "volunteers",
        "scope": "rest_of_series",
    })
    assert response.status_code == 302
    places = list(IntervisionSession.objects.filter(series=series).order_by("starts_at")
                  .values_list("place", flat=True))
    assert places == ["Buurthuis", "De Krook", "De Krook"]


def test_the_coordinator_records_an_answer_given_on_the_phone(coordinator_client, coordinator,
                                                              organisation):
    invitation = InvitationFactory(session=SessionFactory(organisation=organisation))
    response = coordinator_client.post(
        reverse("coaching:invitation_answer", args=[invitation.pk]), {"answer": "yes"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert (invitation.answer, invitation.channel, invitation.recorded_by) == (
        Answer.YES, AnswerChannel.COORDINATOR, coordinator)


def test_the_send_button_invites_the_audience(coordinator_client, organisation, calls,
                                              django_capture_on_commit_callbacks):
    session = SessionFactory(organisation=organisation)
    volunteer = VolunteerFactory(organisation=organisation)
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(reverse("coaching:session_invite", args=[session.pk]))
    invitation = Invitation.objects.get(session=session)
    assert invitation.volunteer == volunteer
    assert calls == [("invite_volunteer_by_email", invitation.pk)]


def test_the_facilitator_ticks_attendance_on_the_checklist(coordinator_client, organisation):
    session = SessionFactory(organisation=organisation, starts_at=in_days(0, hour=0))
    came, absent = InvitationFactory(session=session), InvitationFactory(session=session)
    url = reverse("coaching:attendance", args=[session.pk])
    assert "present-" in coordinator_client.get(url).content.decode()
    response = coordinator_client.post(url, {"listed": [came.pk, absent.pk],
                                             "present": [came.pk]})
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("volunteer_id", "present")) == {
        came.volunteer_id: True, absent.volunteer_id: False}


def test_the_notes_form_reminds_that_no_personal_details_belong_there(coordinator_client,
                                                                     organisation):
    session = SessionFactory(organisation=organisation, starts_at=in_days(-2))
    url = reverse("coaching:session_note", args=[session.pk])
    assert "No personal details of participants here." in coordinator_client.get(
        url).content.decode()
    coordinator_client.post(url, {"themes": "Grenzen", "successes": "", "pitfalls": "",
                                  "follow_up": "Vorming"})
    session.refresh_from_db()
    assert session.note.follow_up == "Vorming"


def test_a_cancellation_from_the_page_asks_for_the_scope_only_in_a_series(
        coordinator_client, organisation):
    session = SessionFactory(organisation=organisation)
    url = reverse("coaching:session_cancel", args=[session.pk])
    assert 'value="rest_of_series"' not in coordinator_client.get(url).content.decode()
    coordinator_client.post(url, {"reason": "Ziek"})
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED


def test_recording_a_contact_and_a_training_completion(coordinator_client, organisation):
    volunteer = VolunteerFactory(organisation=organisation)
    coordinator_client.post(reverse("coaching:contact_list"), {
        "volunteer": volunteer.pk, "happened_on": timezone.localdate().isoformat(),
        "form": "call", "note": "Even gebeld"})
    assert CoachingContact.objects.get().volunteer == volunteer
    module = TrainingModuleFactory(organisation=organisation, is_basic=True)
    coordinator_client.post(reverse("coaching:training_detail", args=[module.pk]), {
        "volunteer": volunteer.pk, "completed_on": "2026-02-01"})
    assert TrainingCompletion.objects.get().volunteer == volunteer
    volunteer.refresh_from_db()
    assert volunteer.training_done_on == datetime.date(2026, 2, 1)
    assert volunteer in Volunteer.objects.ready_with_capacity()


def test_the_support_page_lists_volunteers_long_absent_from_intervision(
        coordinator_client, organisation):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=365)):
        absent = VolunteerFactory(organisation=organisation, first_name="Absent")
        regular = VolunteerFactory(organisation=organisation, first_name="Regular")
    VolunteerFactory(organisation=organisation, first_name="Newcomer")
    AttendanceFactory(session=SessionFactory(organisation=organisation,
                                             starts_at=in_days(-20)), volunteer=regular)
    text = coordinator_client.get(reverse("coaching:support")).content.decode()
    assert absent.display_name in text
    assert regular.display_name not in text
    assert "Newcomer" not in text


# Constant queries -------------------------------------------------------------------------


def _fill(organisation, n):
    for i in range(n):
        session = SessionFactory(organisation=organisation, starts_at=in_days(5 + i))
        past = SessionFactory(organisation=organisation, starts_at=in_days(-5 - i))
        for target in (session, past):
            invitation = InvitationFactory(session=target)
            InvitationFactory(session=target, volunteer=None,
                              participant=ParticipantFactory(organisation=organisation))
            AttendanceFactory(session=past, volunteer=invitation.volunteer)
        CoachingContactFactory(organisation=organisation,
                               participant=ParticipantFactory(organisation=organisation))
        module = TrainingModuleFactory(organisation=organisation)
        TrainingCompletionFactory(module=module,
                                  volunteer=VolunteerFactory(organisation=organisation))


LIST_PAGES = [
    ("coaching:session_list", None),
    ("coaching:session_list", "when=past"),
    ("coaching:contact_list", None),
    ("coaching:training_list", None),
    ("coaching:support", None),
    ("coaching:figures", None),
]


@pytest.mark.parametrize(("name", "query"), LIST_PAGES)
def test_list_pages_use_a_constant_number_of_queries(coordinator_client, organisation, name,
                                                     query):
    url = reverse(name) + (f"?{query}" if query else "")
    _fill(organisation, 1)
    few = count_queries(coordinator_client, url)
    _fill(organisation, 6)
    assert count_queries(coordinator_client, url) == few


@pytest.mark.parametrize("name", ["coaching:session_detail", "coaching:attendance"])
def test_session_pages_use_a_constant_number_of_queries(coordinator_client, coordinator,
                                                        organisation, name):
    session = SessionFactory(organisation=organisation, starts_at=in_days(0, hour=0))
    InvitationFactory(session=session)
    url = reverse(name, args=[session.pk])
    few = count_queries(coordinator_client, url)
    for _ in range(8):
        InvitationFactory(session=session, answer=Answer.YES, channel="coordinator",
                          recorded_by=coordinator)
        InvitationFactory(session=session, answer=Answer.YES, waiting_position=1)
        InvitationFactory(session=session, volunteer=None,
                          participant=ParticipantFactory(organisation=organisation))
    assert count_queries(coordinator_client, url) == few


def test_training_detail_uses_a_constant_number_of_queries(coordinator_client, organisation):
    module = TrainingModuleFactory(organisation=organisation)
    TrainingCompletionFactory(module=module)
    url = reverse("coaching:training_detail", args=[module.pk])
    few = count_queries(coordinator_client, url)
    for _ in range(6):
        TrainingCompletionFactory(module=module)
    assert count_queries(coordinator_client, url) == few


def test_figures_show_attendance_and_the_share_of_active_volunteers(coordinator_client,
                                                                   organisation):
    came, _stayed_away = (VolunteerFactory(organisation=organisation),
                          VolunteerFactory(organisation=organisation))
    AttendanceFactory(session=SessionFactory(organisation=organisation,
                                             starts_at=in_days(-30)), volunteer=came)
    response = coordinator_client.get(reverse("coaching:figures"))
    assert response.context["share"].percent == 50
    row = next(r for r in response.context["per_volunteer"] if r.volunteer == came)
    assert row.total == 1


def test_a_change_for_the_rest_of_the_series_carries_only_what_changed(coordinator_client,
                                                                       organisation):
    start = in_days(7)
    series = series_create(organisation=organisation, interval_weeks=6, count=3,
                           topic="Intervisie", starts_at=start,
                           ends_at=start + datetime.timedelta(hours=2), place="Buurthuis")
    first, second, third = series.sessions.order_by("starts_at")
    session_update(session=third, scope=THIS, place="Bibliotheek")
    local = timezone.localtime(second.starts_at)
    coordinator_client.post(reverse("coaching:session_edit", args=[second.pk]), {
        "topic": "Intervisie", "date": local.date().isoformat(), "start_time": "20:00",
        "end_time": "22:00", "place": "Buurthuis", "audience": "volunteers",
        "facilitator": second.facilitator_id or "", "scope": "rest_of_series",
    })
    after = list(IntervisionSession.objects.filter(series=series).order_by("starts_at"))
    assert [s.place for s in after] == ["Buurthuis", "Buurthuis", "Bibliotheek"]
    assert [timezone.localtime(s.starts_at).hour for s in after] == [
        timezone.localtime(first.starts_at).hour, 20, 20]


def test_the_coordinator_invites_one_more_person(coordinator_client, organisation, calls,
                                                 django_capture_on_commit_callbacks):
    session = SessionFactory(organisation=organisation)
    participant = ParticipantFactory(organisation=organisation)
    url = reverse("coaching:session_invite_one", args=[session.pk])
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url, {"participant": participant.pk})
        coordinator_client.post(url, {"participant": participant.pk})
    invitation = Invitation.objects.get(session=session)
    assert invitation.participant == participant
    assert calls == [("invite_by_sms", invitation.pk)]
