"""Coaching services: series, invitations, answers, seats, messages, attendance, training."""

import datetime
import threading

import icalendar
import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone

from coaching import messaging, services
from coaching.models import Answer, AnswerChannel, Audience, Invitation, SessionStatus
from coaching.selectors import SupportReason, volunteers_needing_support
from duos.models import Alert, AlertKind
from matching.intake.models import Volunteer, VolunteerStatus
from notifications.models import Message
from notifications.sms.backends import locmem
from notifications.tasks import reminders_dispatch
from organisations.scoping import all_organisations
from tests.factories import CoordinatorFactory, OrganisationFactory
from tests.factories_coaching import (
    AttendanceFactory,
    InvitationFactory,
    ParticipantFactory,
    SessionFactory,
    TrainingModuleFactory,
    VolunteerFactory,
    in_days,
)
from tests.factories_duos import active_duo

MESSAGE_FUNCTIONS = ["invite_volunteer_by_email", "invite_by_sms", "tell_moved_up",
                     "tell_session_changed", "tell_session_cancelled", "remind",
                     "invite_again", "remind_on_the_day"]


class Outbox(list):
    """What coaching asked messaging to send: (function, invitation id, ics or None)."""

    def to(self, function):
        return [call for call in self if call[0] == function]

    def ids(self, function):
        return sorted(call[1] for call in self.to(function))


@pytest.fixture
def outbox(monkeypatch):
    calls = Outbox()
    for name in MESSAGE_FUNCTIONS:
        def record(invitation_id, ics=None, _name=name):
            calls.append((_name, invitation_id, ics))
        monkeypatch.setattr(messaging, name, record)
    return calls


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs the block and then what it scheduled for after the commit (the messages)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def session_fields(**extra):
    start = in_days(10, hour=18)
    fields = {"topic": "Intervisie", "starts_at": start,
              "ends_at": start + datetime.timedelta(hours=2), "place": "Buurthuis, Gent"}
    fields.update(extra)
    return fields


def parse(ics):
    calendar = icalendar.Calendar.from_ical(ics)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 1
    return calendar, events[0]


# Series ----------------------------------------------------------------------------------


def test_a_series_creates_one_session_every_n_weeks_at_the_same_local_time(organisation):
    # Across the end of daylight saving time (25 October 2026): 18:00 stays 18:00.
    start = timezone.make_aware(datetime.datetime(2026, 10, 1, 18, 0))
    series = services.series_create(
        organisation=organisation, interval_weeks=2, count=4,
        **session_fields(starts_at=start, ends_at=start + datetime.timedelta(hours=2)),
    )
    sessions = list(series.sessions.order_by("starts_at"))
    local = [timezone.localtime(s.starts_at) for s in sessions]
    assert [d.date() for d in local] == [datetime.date(2026, 10, 1), datetime.date(2026, 10, 15),
                                         datetime.date(2026, 10, 29), datetime.date(2026, 11, 12)]
    assert {(d.hour, d.minute) for d in local} == {(18, 0)}
    assert all(s.ends_at - s.starts_at == datetime.timedelta(hours=2) for s in sessions)


def test_a_series_until_a_date_stops_at_that_date(organisation):
    start = timezone.make_aware(datetime.datetime(2027, 1, 4, 10, 0))
    series = services.series_create(
        organisation=organisation, interval_weeks=6, until=datetime.date(2027, 6, 1),
        **session_fields(starts_at=start, ends_at=start + datetime.timedelta(hours=1)),
    )
    dates = [timezone.localtime(s.starts_at).date() for s in series.sessions.all()]
    assert dates == [datetime.date(2027, 1, 4), datetime.date(2027, 2, 15),
                     datetime.date(2027, 3, 29), datetime.date(2027, 5, 10)]


def test_a_series_without_an_end_is_refused(organisation):
    with pytest.raises(ValidationError) as error:
        services.series_create(organisation=organisation, interval_weeks=6, **session_fields())
    assert "until" in error.value.message_dict


def _series(organisation, count=4):
    start = in_days(7, hour=18)
    return services.series_create(
        organisation=organisation, interval_weeks=6, count=count,
        **session_fields(starts_at=start, ends_at=start + datetime.timedelta(hours=2)),
    )


def test_editing_one_session_of_a_series_leaves_the_others_alone(organisation):
    sessions = list(_series(organisation).sessions.order_by("starts_at"))
    second = sessions[1]
    changed = services.session_update(session=second, scope=services.THIS,
                                      place="Bibliotheek De Krook")
    assert [s.pk for s in changed] == [second.pk]
    places = [s.place for s in _series_sessions(second)]
    assert places == ["Buurthuis, Gent", "Bibliotheek De Krook", "Buurthuis, Gent",
                      "Buurthuis, Gent"]


def _series_sessions(session):
    return list(type(session).objects.filter(series=session.series_id).order_by("starts_at"))


def test_editing_the_rest_of_a_series_changes_this_and_later_sessions_only(organisation):
    sessions = list(_series(organisation).sessions.order_by("starts_at"))
    second = sessions[1]
    new_start = second.starts_at + datetime.timedelta(hours=1)
    changed = services.session_update(
        session=second, scope=services.REST_OF_SERIES, place="De Krook",
        starts_at=new_start, ends_at=new_start + datetime.timedelta(hours=2),
    )
    assert sorted(s.pk for s in changed) == sorted(s.pk for s in sessions[1:])
    after = _series_sessions(second)
    assert [s.place for s in after] == ["Buurthuis, Gent", "De Krook", "De Krook", "De Krook"]
    hours = [timezone.localtime(s.starts_at).hour for s in after]
    assert hours == [18, 19, 19, 19]
    # Each keeps its own day, and every changed one gets a new calendar version.
    assert [timezone.localtime(s.starts_at).date() for s in after] == [
        timezone.localtime(s.starts_at).date() for s in sessions]
    assert [s.sequence for s in after] == [0, 1, 1, 1]


def test_the_rest_of_the_series_is_refused_for_a_single_session(organisation):
    session = services.session_create(organisation=organisation, **session_fields())
    with pytest.raises(ValidationError):
        services.session_update(session=session, scope=services.REST_OF_SERIES, place="X")


def test_a_session_without_place_or_link_is_refused(organisation):
    with pytest.raises(ValidationError) as error:
        services.session_create(organisation=organisation, **session_fields(place=""))
    assert "place" in error.value.message_dict


# Invitations ------------------------------------------------------------------------------


def test_invitations_go_to_volunteers_by_email_with_calendar_and_participants_by_sms(
        organisation, outbox, committed):
    session = services.session_create(organisation=organisation,
                                      **session_fields(audience=Audience.BOTH))
    volunteer = VolunteerFactory(organisation=organisation, email="an@example.org")
    VolunteerFactory(organisation=organisation, status=VolunteerStatus.STOPPED)
    participant = ParticipantFactory(organisation=organisation)
    ParticipantFactory(organisation=organisation, status="waiting")
    VolunteerFactory()  # another organisation

    with committed():
        created = services.invitations_send(session=session)

    by_person = {(i.volunteer_id, i.participant_id): i.pk for i in created}
    assert set(by_person) == {(volunteer.pk, None), (None, participant.pk)}
    emails = outbox.to("invite_volunteer_by_email")
    assert [call[1] for call in emails] == [by_person[(volunteer.pk, None)]]
    calendar, event = parse(emails[0][2])
    assert calendar["method"] == "REQUEST"
    assert str(event["uid"]).startswith(str(session.uid))
    assert event["summary"] == "Intervisie"
    assert event["location"] == "Buurthuis, Gent"
    assert event.decoded("dtstart") == session.starts_at
    assert "mailto:an@example.org" in str(event["attendee"])
    assert outbox.ids("invite_by_sms") == [by_person[(None, participant.pk)]]


def test_sending_invitations_twice_invites_nobody_twice(organisation, outbox, committed):
    session = services.session_create(organisation=organisation, **session_fields())
    VolunteerFactory(organisation=organisation)
    with committed():
        services.invitations_send(session=session)
    late = VolunteerFactory(organisation=organisation)
    with committed():
        second = services.invitations_send(session=session)
    assert [i.volunteer_id for i in second] == [late.pk]
    assert Invitation.objects.filter(session=session).count() == 2
    assert len(outbox.to("invite_volunteer_by_email")) == 2


def test_chosen_duos_invite_exactly_the_chosen_people(organisation, outbox, committed):
    volunteer = VolunteerFactory(organisation=organisation)
    participant = ParticipantFactory(organisation=organisation)
    VolunteerFactory(organisation=organisation)
    session = services.session_create(
        organisation=organisation, chosen_volunteers=[volunteer],
        chosen_participants=[participant], **session_fields(audience=Audience.CHOSEN))
    with committed():
        created = services.invitations_send(session=session)
    assert {(i.volunteer_id, i.participant_id) for i in created} == {
        (volunteer.pk, None), (None, participant.pk)}


def test_a_volunteer_without_email_is_invited_by_sms(organisation, outbox, committed):
    session = services.session_create(organisation=organisation, **session_fields())
    VolunteerFactory(organisation=organisation, email="", contact_channel="sms")
    with committed():
        (invitation,) = services.invitations_send(session=session)
    assert outbox.ids("invite_by_sms") == [invitation.pk]
    assert outbox.to("invite_volunteer_by_email") == []


def test_no_message_leaves_when_the_transaction_rolls_back(organisation, committed):
    session = services.session_create(organisation=organisation, **session_fields())
    VolunteerFactory(organisation=organisation)
    with committed(), pytest.raises(RuntimeError):
        with transaction.atomic():
            services.invitations_send(session=session)
            assert Message.objects.count() == 1  # written in the transaction (outbox)
            raise RuntimeError
    assert Message.objects.count() == 0
    assert mail.outbox == [] and locmem.outbox == []
    assert Invitation.objects.filter(session=session).count() == 0


# Answers, seats and the waiting list -------------------------------------------------------


def _invited(session, n):
    return [InvitationFactory(session=session) for _ in range(n)]


def test_answers_are_recorded_with_their_channel_and_who_recorded_them(organisation,
                                                                       coordinator):
    session = SessionFactory(organisation=organisation)
    by_link, by_coordinator = _invited(session, 2)
    services.invitation_answer(by_link, Answer.MAYBE, AnswerChannel.LINK)
    services.invitation_answer(by_coordinator, Answer.NO, AnswerChannel.COORDINATOR,
                               recorded_by=coordinator)
    by_link.refresh_from_db()
    by_coordinator.refresh_from_db()
    assert (by_link.answer, by_link.channel, by_link.recorded_by) == ("maybe", "link", None)
    assert (by_coordinator.answer, by_coordinator.channel, by_coordinator.recorded_by) == (
        "no", "coordinator", coordinator)
    assert by_link.answered_at is not None


def test_an_unknown_answer_is_refused(organisation):
    (invitation,) = _invited(SessionFactory(organisation=organisation), 1)
    with pytest.raises(ValidationError):
        services.invitation_answer(invitation, "perhaps", AnswerChannel.LINK)


def test_an_answer_to_a_cancelled_session_is_refused(organisation):
    session = SessionFactory(organisation=organisation, status=SessionStatus.CANCELLED)
    (invitation,) = _invited(session, 1)
    with pytest.raises(ValidationError):
        services.invitation_answer(invitation, Answer.YES, AnswerChannel.LINK)


def test_yes_beyond_the_seats_goes_on_the_waiting_list_in_order(organisation):
    session = SessionFactory(organisation=organisation, capacity=2)
    a, b, c, d = _invited(session, 4)
    for invitation in (a, b, c, d):
        services.invitation_answer(invitation, Answer.YES, AnswerChannel.LINK)
    positions = {i.pk: i.waiting_position for i in Invitation.objects.filter(session=session)}
    assert positions[a.pk] is None and positions[b.pk] is None
    assert positions[c.pk] < positions[d.pk]


def test_a_cancelled_yes_moves_the_first_on_the_waiting_list_up_and_tells_them(
        organisation, outbox, committed):
    session = SessionFactory(organisation=organisation, capacity=1)
    seated, first, second = _invited(session, 3)
    for invitation in (seated, first, second):
        services.invitation_answer(invitation, Answer.YES, AnswerChannel.LINK)
    with committed():
        services.invitation_answer(seated, Answer.NO, AnswerChannel.SMS)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.waiting_position is None and first.answer == Answer.YES
    assert second.waiting_position is not None
    assert outbox.ids("tell_moved_up") == [first.pk]
    _calendar, event = parse(outbox.to("tell_moved_up")[0][2])


def test_leaving_the_waiting_list_moves_nobody_up(organisation, outbox, committed):
    session = SessionFactory(organisation=organisation, capacity=1)
    seated, waiting, behind = _invited(session, 3)
    for invitation in (seated, waiting, behind):
        services.invitation_answer(invitation, Answer.YES, AnswerChannel.LINK)
    with committed():
        services.invitation_answer(waiting, Answer.MAYBE, AnswerChannel.LINK)
    behind.refresh_from_db()
    assert behind.waiting_position is not None
    assert outbox.to("tell_moved_up") == []


def test_more_seats_move_the_waiting_list_up(organisation, outbox, committed):
    session = SessionFactory(organisation=organisation, capacity=1)
    invitations = _invited(session, 3)
    for invitation in invitations:
        services.invitation_answer(invitation, Answer.YES, AnswerChannel.LINK)
    with committed():
        services.session_update(session=session, capacity=2)
    assert outbox.ids("tell_moved_up") == [invitations[1].pk]


def test_the_same_answer_twice_changes_nothing(organisation, outbox, committed):
    session = SessionFactory(organisation=organisation, capacity=1)
    seated, waiting = _invited(session, 2)
    for invitation in (seated, waiting, waiting):
        services.invitation_answer(invitation, Answer.YES, AnswerChannel.LINK)
    waiting.refresh_from_db()
    assert waiting.waiting_position == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_yeses_for_the_last_seat_give_exactly_one_seat():
    with all_organisations():
        organisation = OrganisationFactory()
        session = SessionFactory(organisation=organisation, capacity=1)
        first, second = _invited(session, 2)
    barrier = threading.Barrier(2)
    errors = []

    def answer(invitation):
        try:
            with all_organisations():
                barrier.wait(timeout=10)
                services.invitation_answer(invitation, Answer.YES, AnswerChannel.LINK)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(inv,)) for inv in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with all_organisations():
        rows = list(Invitation.objects.filter(session=session).values_list(
            "answer", "waiting_position"))
    assert sorted(rows, key=lambda r: r[1] or 0) == [("yes", None), ("yes", 1)]
    assert connection.vendor in ("postgresql", "sqlite")


def test_an_sms_reply_answers_the_latest_open_invitation_of_that_phone(organisation):
    participant = ParticipantFactory(organisation=organisation, phone="+32470998877")
    older = InvitationFactory(session=SessionFactory(organisation=organisation),
                              volunteer=None, participant=participant)
    newer = InvitationFactory(session=SessionFactory(organisation=organisation,
                                                     starts_at=in_days(20)),
                              volunteer=None, participant=participant)
    answered = services.sms_reply_received(organisation=organisation, phone="+32470998877",
                                           answer=Answer.YES)
    assert answered.pk == newer.pk
    newer.refresh_from_db()
    older.refresh_from_db()
    assert (newer.answer, newer.channel) == ("yes", "sms")
    assert older.answer == Answer.NONE


def test_an_sms_reply_about_a_known_invitation_answers_that_one(organisation):
    participant = ParticipantFactory(organisation=organisation, phone="+32470998877")
    older = InvitationFactory(session=SessionFactory(organisation=organisation),
                              volunteer=None, participant=participant)
    InvitationFactory(session=SessionFactory(organisation=organisation),
                      volunteer=None, participant=participant)
    services.sms_reply_received(organisation=organisation, phone="+32470998877",
                                answer=Answer.NO, invitation_id=older.pk)
    older.refresh_from_db()
    assert older.answer == Answer.NO


def test_an_sms_reply_from_an_unknown_or_other_organisations_phone_answers_nothing(
        organisation, other_organisation):
    participant = ParticipantFactory(organisation=other_organisation, phone="+32470998877")
    invitation = InvitationFactory(session=SessionFactory(organisation=other_organisation),
                                   volunteer=None, participant=participant)
    assert services.sms_reply_received(organisation=organisation, phone="+32470998877",
                                       answer=Answer.YES) is None
    assert services.sms_reply_received(organisation=organisation, phone="+32470000001",
                                       answer=Answer.YES) is None
    invitation.refresh_from_db()
    assert invitation.answer == Answer.NONE


def test_an_sms_reply_after_the_session_answers_nothing(organisation):
    participant = ParticipantFactory(organisation=organisation, phone="+32470998877")
    InvitationFactory(session=SessionFactory(organisation=organisation),
                      volunteer=None, participant=participant)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=30)):
        assert services.sms_reply_received(organisation=organisation, phone="+32470998877",
                                           answer=Answer.YES) is None


# Changes and cancellations -----------------------------------------------------------------


def _answered(session):
    yes, maybe, no, silent = _invited(session, 4)
    services.invitation_answer(yes, Answer.YES, AnswerChannel.LINK)
    services.invitation_answer(maybe, Answer.MAYBE, AnswerChannel.LINK)
    services.invitation_answer(no, Answer.NO, AnswerChannel.LINK)
    return yes, maybe, no, silent


def test_a_new_time_tells_yes_and_maybe_once_each_with_an_updated_calendar(
        organisation, outbox, committed):
    session = SessionFactory(organisation=organisation)
    yes, maybe, _no, _silent = _answered(session)
    with committed():
        services.session_update(session=session,
                                starts_at=session.starts_at + datetime.timedelta(hours=1),
                                ends_at=session.ends_at + datetime.timedelta(hours=1))
    assert outbox.ids("tell_session_changed") == sorted([yes.pk, maybe.pk])
    _calendar, event = parse(outbox.to("tell_session_changed")[0][2])
    assert event["sequence"] == 1


def test_a_new_topic_only_tells_nobody(organisation, outbox, committed):
    session = SessionFactory(organisation=organisation)
    _answered(session)
    with committed():
        services.session_update(session=session, theme_description="Ook: afscheid nemen")
    assert outbox == []


def test_a_cancellation_tells_yes_and_maybe_with_a_calendar_cancel(organisation, outbox,
                                                                   committed):
    session = SessionFactory(organisation=organisation)
    yes, maybe, _no, _silent = _answered(session)
    with committed():
        services.session_cancel(session=session, reason="Ziekte")
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert outbox.ids("tell_session_cancelled") == sorted([yes.pk, maybe.pk])
    calendar, event = parse(outbox.to("tell_session_cancelled")[0][2])
    assert calendar["method"] == "CANCEL"
    assert event["status"] == "CANCELLED"
    assert event["sequence"] == 1


def test_cancelling_the_rest_of_a_series_keeps_earlier_sessions(organisation, outbox,
                                                                committed):
    sessions = list(_series(organisation, count=3).sessions.order_by("starts_at"))
    with committed():
        services.session_cancel(session=sessions[1], scope=services.REST_OF_SERIES)
    statuses = [s.status for s in _series_sessions(sessions[0])]
    assert statuses == ["planned", "cancelled", "cancelled"]


# Attendance and notes ---------------------------------------------------------------------


def test_attendance_is_recorded_present_or_absent_and_can_be_corrected(organisation,
                                                                       coordinator):
    session = SessionFactory(organisation=organisation, starts_at=in_days(-1))
    came, stayed_home = _invited(session, 2)
    services.attendance_record(session=session, marks={came.pk: True, stayed_home.pk: False},
                               recorded_by=coordinator)
    services.attendance_record(session=session, marks={stayed_home.pk: True})
    rows = {a.volunteer_id: a.present for a in session.attendances.all()}
    assert rows == {came.volunteer_id: True, stayed_home.volunteer_id: True}


def test_attendance_before_the_day_is_refused(organisation):
    session = SessionFactory(organisation=organisation, starts_at=in_days(3))
    (invitation,) = _invited(session, 1)
    with pytest.raises(ValidationError):
        services.attendance_record(session=session, marks={invitation.pk: True})


def test_attendance_for_someone_of_another_session_is_refused(organisation):
    session = SessionFactory(organisation=organisation, starts_at=in_days(-1))
    (stranger,) = _invited(SessionFactory(organisation=organisation), 1)
    with pytest.raises(ValidationError):
        services.attendance_record(session=session, marks={stranger.pk: True})


def test_session_notes_are_saved_once_per_session(organisation, coordinator):
    session = SessionFactory(organisation=organisation, starts_at=in_days(-1))
    services.note_save(session=session, written_by=coordinator, themes="Grenzen")
    note = services.note_save(session=session, written_by=coordinator, themes="Grenzen",
                              follow_up="Vorming plannen")
    assert session.__class__.objects.get(pk=session.pk).note.follow_up == "Vorming plannen"
    assert note.pk == session.note.pk


# Coaching contacts and training ------------------------------------------------------------


def test_a_coaching_contact_in_the_future_is_refused(organisation, coordinator):
    volunteer = VolunteerFactory(organisation=organisation)
    with pytest.raises(ValidationError):
        services.coaching_contact_record(
            organisation=organisation, coordinator=coordinator, volunteer=volunteer,
            happened_on=timezone.localdate() + datetime.timedelta(days=1), form="call")


def test_a_coaching_contact_with_a_duo_records_both(organisation, coordinator):
    volunteer = VolunteerFactory(organisation=organisation)
    participant = ParticipantFactory(organisation=organisation)
    contact = services.coaching_contact_record(
        organisation=organisation, coordinator=coordinator, volunteer=volunteer,
        participant=participant, happened_on=timezone.localdate(), form="visit",
        note="Samen op bezoek")
    assert (contact.volunteer, contact.participant, contact.form) == (volunteer, participant,
                                                                      "visit")


def test_completing_the_basic_training_makes_the_volunteer_ready_for_matching(organisation):
    volunteer = VolunteerFactory(organisation=organisation)
    basic = services.training_module_save(organisation=organisation,
                                          name_nl="Basisvorming buddywerking", is_basic=True)
    assert volunteer not in Volunteer.objects.ready_with_capacity()
    services.training_complete(module=basic, volunteer=volunteer,
                               completed_on=datetime.date(2026, 3, 1))
    volunteer.refresh_from_db()
    assert volunteer.training_done_on == datetime.date(2026, 3, 1)
    assert volunteer in Volunteer.objects.ready_with_capacity()


def test_another_training_does_not_count_toward_readiness(organisation):
    volunteer = VolunteerFactory(organisation=organisation)
    other = TrainingModuleFactory(organisation=organisation, name_nl="Grenzen stellen")
    services.training_complete(module=other, volunteer=volunteer,
                               completed_on=datetime.date(2026, 3, 1))
    volunteer.refresh_from_db()
    assert volunteer.training_done_on is None
    assert volunteer not in Volunteer.objects.ready_with_capacity()


def test_a_second_basic_training_module_is_refused(organisation):
    services.training_module_save(organisation=organisation, name_nl="Basis", is_basic=True)
    with pytest.raises(ValidationError):
        services.training_module_save(organisation=organisation, name_nl="Nog een basis",
                                      is_basic=True)


def test_training_for_another_organisations_volunteer_is_refused(organisation,
                                                                other_organisation):
    module = TrainingModuleFactory(organisation=organisation)
    stranger = VolunteerFactory(organisation=other_organisation)
    with pytest.raises(ValidationError):
        services.training_complete(module=module, volunteer=stranger,
                                   completed_on=datetime.date(2026, 3, 1))


def test_facilitator_of_another_organisation_is_refused(organisation, other_organisation):
    outsider = CoordinatorFactory(organisation=other_organisation)
    with pytest.raises(ValidationError):
        services.session_create(organisation=organisation,
                                **session_fields(facilitator=outsider))


# Reminders --------------------------------------------------------------------------------


def test_reminders_go_once_to_seats_and_maybes_within_the_lead_days(organisation, outbox,
                                                                    committed):
    soon = SessionFactory(organisation=organisation, starts_at=in_days(5), capacity=1)
    seated, maybe, no, waiting = _invited(soon, 4)
    services.invitation_answer(seated, Answer.YES, AnswerChannel.LINK)
    services.invitation_answer(maybe, Answer.MAYBE, AnswerChannel.LINK)
    services.invitation_answer(no, Answer.NO, AnswerChannel.LINK)
    services.invitation_answer(waiting, Answer.YES, AnswerChannel.LINK)
    with committed():
        # Five days ahead, three days' lead: not yet.
        assert reminders_dispatch(only={"coaching.session_reminder"}) == 0
    with time_machine.travel(soon.starts_at - datetime.timedelta(days=2)), committed():
        reminders_dispatch(only={"coaching.session_reminder"})
        reminders_dispatch(only={"coaching.session_reminder"})
    assert outbox.ids("remind") == sorted([seated.pk, maybe.pk])


def test_no_reminders_when_the_organisation_sets_zero_days(organisation, outbox, committed):
    services.coaching_settings_update(organisation=organisation, months_without_intervision=3,
                                      reminder_lead_days=0)
    session = SessionFactory(organisation=organisation, starts_at=in_days(1))
    (invitation,) = _invited(session, 1)
    services.invitation_answer(invitation, Answer.YES, AnswerChannel.LINK)
    with committed():
        assert reminders_dispatch(only={"coaching.session_reminder"}) == 0
    assert outbox == []


def test_a_session_that_is_over_cannot_be_cancelled(organisation, outbox, committed):
    session = SessionFactory(organisation=organisation, starts_at=in_days(-3))
    _answered_past = InvitationFactory(session=session, answer=Answer.YES)
    with committed(), pytest.raises(ValidationError):
        services.session_cancel(session=session)
    assert outbox == []


def test_correcting_a_past_sessions_place_tells_nobody(organisation, outbox, committed):
    session = SessionFactory(organisation=organisation, starts_at=in_days(-3))
    InvitationFactory(session=session, answer=Answer.YES)
    with committed():
        services.session_update(session=session, place="Eigenlijk in De Krook")
    assert outbox == []


def test_volunteers_needing_support_combine_every_providers_reasons(organisation):
    volunteer = VolunteerFactory(organisation=organisation)
    other = VolunteerFactory(organisation=organisation)

    def talk_to_me(org, today):
        return {volunteer.pk: [SupportReason("talk_to_coordinator", "Asked to talk")]}

    def quiet_duo(org, today):
        return {volunteer.pk: [SupportReason("inactive_duo", "No meetings")],
                other.pk: [SupportReason("inactive_duo", "No meetings")]}

    rows = volunteers_needing_support(organisation, providers=[talk_to_me, quiet_duo])
    reasons = {row.volunteer.pk: [r.code for r in row.reasons] for row in rows}
    assert reasons == {volunteer.pk: ["talk_to_coordinator", "inactive_duo"],
                       other.pk: ["inactive_duo"]}


def test_the_months_without_intervision_are_the_organisations_own(organisation):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=400)):
        volunteer = VolunteerFactory(organisation=organisation)
    session = SessionFactory(organisation=organisation, starts_at=in_days(-75))

    AttendanceFactory(session=session, volunteer=volunteer)
    assert [r.volunteer for r in volunteers_needing_support(organisation)] == []
    services.coaching_settings_update(organisation=organisation, months_without_intervision=2,
                                      reminder_lead_days=3)
    rows = volunteers_needing_support(organisation)
    assert [r.volunteer for r in rows] == [volunteer]
    assert rows[0].reasons[0].code == "no_recent_intervision"


def test_an_sms_reply_about_an_invitation_id_needs_no_phone(organisation, other_organisation):
    invitation = InvitationFactory(session=SessionFactory(organisation=organisation))
    foreign = InvitationFactory(session=SessionFactory(organisation=other_organisation))
    assert services.sms_reply_received(organisation=organisation.pk, answer=Answer.MAYBE,
                                       invitation_id=foreign.pk) is None
    answered = services.sms_reply_received(organisation=organisation.pk, answer=Answer.MAYBE,
                                           invitation_id=invitation.pk)
    assert (answered.pk, answered.answer, answered.channel) == (invitation.pk, "maybe", "sms")


def test_a_recent_talk_flag_and_a_quiet_duo_show_in_the_support_view(organisation):
    flagged = active_duo(organisation)
    quiet = active_duo(organisation)
    calm = active_duo(organisation)
    now = timezone.now()
    Alert.objects.create(duo=flagged,
                         kind=AlertKind.TALK_TO_ME, created_at=now - datetime.timedelta(days=2))
    Alert.objects.create(duo=quiet, kind=AlertKind.NO_MEETING_LOGGED, created_at=now)
    Alert.objects.create(duo=calm, kind=AlertKind.TALK_TO_ME,
                         created_at=now - datetime.timedelta(days=90))
    Alert.objects.create(duo=calm, kind=AlertKind.NO_MEETING_LOGGED, created_at=now,
                         resolved_at=now)
    rows = volunteers_needing_support(organisation)
    codes = {row.volunteer.pk: {r.code for r in row.reasons} for row in rows}
    assert "talk_to_coordinator" in codes[flagged.volunteer_id]
    assert "inactive_duo" in codes[quiet.volunteer_id]
    assert not {"talk_to_coordinator", "inactive_duo"} & codes.get(calm.volunteer_id, set())
