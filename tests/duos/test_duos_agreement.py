"""The agreement: prefilled from intake, its end date, and confirmation by every channel."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from duos import services
from duos.models import (
    Alert,
    AlertKind,
    CheckIn,
    ConfirmationChannel,
    Duo,
    DuoStatus,
    DurationKind,
    Side,
    agreement_end_date,
)
from matching.intake.models import ParticipantStatus, Volunteer
from notifications.sms.backends import locmem
from tests.factories import CoordinatorFactory
from tests.factories_duos import (
    ParticipantFactory,
    VolunteerFactory,
    active_duo,
    pending_duo,
    volunteer_with_account,
)

D = datetime.date


@pytest.mark.parametrize(("start", "months", "end"), [
    (D(2026, 3, 15), 12, D(2027, 3, 15)),
    (D(2026, 1, 31), 1, D(2026, 2, 28)),
    (D(2026, 11, 1), 3, D(2027, 2, 1)),
])
def test_end_date_of_a_duration_in_months_is_start_plus_months(start, months, end):
    assert agreement_end_date(start, DurationKind.MONTHS, months) == end


@pytest.mark.parametrize(("start", "end"), [
    (D(2026, 9, 1), D(2027, 6, 30)),
    (D(2027, 2, 10), D(2027, 6, 30)),
    (D(2026, 7, 1), D(2027, 6, 30)),
    (D(2026, 8, 31), D(2027, 6, 30)),
    (D(2026, 6, 30), D(2027, 6, 30)),
])
def test_school_year_ends_on_the_next_30_june(start, end):
    assert agreement_end_date(start, DurationKind.SCHOOL_YEAR) == end


def test_open_ended_agreement_has_no_end_date():
    assert agreement_end_date(D(2026, 9, 1), DurationKind.OPEN_ENDED) is None


@pytest.mark.django_db
def test_start_from_match_prefills_the_agreement_from_intake(organisation):
    participant = ParticipantFactory(organisation=organisation, buddy_roles=["culture"],
                                     excluded_areas=["health", "family"],
                                     excluded_areas_other="her son")
    duo = services.duo_start_from_match(participant=participant,
                                        volunteer=VolunteerFactory(organisation=organisation),
                                        start_date=D(2026, 9, 1),
                                        duration_kind=DurationKind.SCHOOL_YEAR)
    assert duo.status == DuoStatus.AGREEMENT_PENDING
    assert duo.agreement.buddy_roles == ["culture"]
    assert duo.agreement.excluded_areas == ["health", "family"]
    assert duo.agreement.excluded_areas_other == "her son"
    assert duo.agreement.end_date == D(2027, 6, 30)


@pytest.mark.django_db
def test_the_same_match_twice_gives_one_duo(organisation):
    participant = ParticipantFactory(organisation=organisation)
    volunteer = VolunteerFactory(organisation=organisation)
    first = services.duo_start_from_match(participant=participant, volunteer=volunteer)
    second = services.duo_start_from_match(participant=participant, volunteer=volunteer)
    assert first.pk == second.pk
    assert Duo.objects.count() == 1


@pytest.mark.django_db
def test_a_waiting_participant_is_matched_when_the_duo_starts(organisation):
    participant = ParticipantFactory(organisation=organisation,
                                     status=ParticipantStatus.PROPOSAL_OPEN)
    services.duo_start_from_match(participant=participant,
                                  volunteer=VolunteerFactory(organisation=organisation))
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.MATCHED


@pytest.mark.django_db
def test_a_participant_cannot_get_a_second_buddy_while_in_a_duo(organisation):
    duo = pending_duo(organisation)
    with pytest.raises(ValidationError):
        services.duo_start_from_match(participant=duo.participant,
                                      volunteer=VolunteerFactory(organisation=organisation))


@pytest.mark.django_db
def test_volunteer_by_link_and_participant_by_sms_reply_make_the_duo_active(organisation):
    duo = pending_duo(organisation, start_date=D.today())
    services.agreement_confirm(duo=duo, side=Side.VOLUNTEER, channel=ConfirmationChannel.LINK)
    duo.refresh_from_db()
    assert duo.status == DuoStatus.AGREEMENT_PENDING
    assert services.agreement_reply_received(duo_id=duo.pk, reply=" Ja ") == "confirmed"
    duo.refresh_from_db()
    assert duo.status == DuoStatus.ACTIVE
    assert duo.started_on == D.today()
    assert duo.agreement.participant_confirmed_channel == ConfirmationChannel.SMS_REPLY
    assert duo.agreement.volunteer_confirmed_channel == ConfirmationChannel.LINK
    # Twice in the first month: after two and four weeks.
    assert sorted(CheckIn.objects.filter(duo=duo).values_list("planned_on", flat=True)) == [
        D.today() + datetime.timedelta(days=14), D.today() + datetime.timedelta(days=28)]


@pytest.mark.django_db
def test_participant_can_confirm_by_link_and_sms_digit(organisation):
    duo = pending_duo(organisation)
    services.agreement_confirm(duo=duo, side=Side.PARTICIPANT, channel=ConfirmationChannel.LINK)
    duo.refresh_from_db()
    assert duo.agreement.participant_confirmed_channel == ConfirmationChannel.LINK
    other = pending_duo(organisation)
    assert services.agreement_reply_received(duo_id=other.pk, reply="1") == "confirmed"


@pytest.mark.django_db
def test_coordinator_records_a_phone_confirmation_on_the_duo_page(organisation, coordinator,
                                                                   coordinator_client):
    duo = pending_duo(organisation)
    response = coordinator_client.post(f"/duos/{duo.pk}/agreement/phone/",
                                       {"side": "participant"})
    assert response.status_code == 302
    duo.refresh_from_db()
    assert duo.agreement.participant_confirmed_channel == ConfirmationChannel.PHONE
    assert duo.agreement.participant_confirmed_by == coordinator
    assert duo.status == DuoStatus.AGREEMENT_PENDING


@pytest.mark.django_db
def test_only_a_coordinator_can_record_a_phone_answer(organisation):
    duo = pending_duo(organisation)
    _volunteer, account = volunteer_with_account(organisation)
    with pytest.raises(ValidationError):
        services.agreement_confirm(duo=duo, side=Side.PARTICIPANT,
                                   channel=ConfirmationChannel.PHONE, recorded_by=account)
    with pytest.raises(ValidationError):
        services.agreement_confirm(duo=duo, side=Side.VOLUNTEER,
                                   channel=ConfirmationChannel.SMS_REPLY)


@pytest.mark.django_db
def test_confirming_twice_changes_nothing(organisation):
    duo = active_duo(organisation)
    first = duo.agreement.participant_confirmed_at
    services.agreement_confirm(duo=duo, side=Side.PARTICIPANT, channel=ConfirmationChannel.LINK)
    assert services.agreement_reply_received(duo_id=duo.pk, reply="yes") == "already_done"
    duo.refresh_from_db()
    assert duo.agreement.participant_confirmed_at == first
    assert duo.agreement.participant_confirmed_channel == ConfirmationChannel.PHONE
    assert CheckIn.objects.filter(duo=duo).count() == 2


@pytest.mark.django_db
def test_participant_saying_no_by_sms_alerts_the_coordinator(organisation):
    duo = pending_duo(organisation)
    assert services.agreement_reply_received(duo_id=duo.pk, reply="nee") == "declined"
    assert services.agreement_reply_received(duo_id=duo.pk, reply="NON") == "declined"
    assert services.agreement_reply_received(duo_id=duo.pk, reply="maybe") == "not_understood"
    assert Alert.objects.filter(duo=duo, kind=AlertKind.AGREEMENT_DECLINED).count() == 1
    duo.refresh_from_db()
    assert duo.status == DuoStatus.AGREEMENT_PENDING


@pytest.mark.django_db
def test_changing_a_pending_agreement_asks_both_to_confirm_again(organisation):
    duo = pending_duo(organisation)
    services.agreement_confirm(duo=duo, side=Side.VOLUNTEER, channel=ConfirmationChannel.LINK)
    services.agreement_update(duo=duo, duration_kind=DurationKind.MONTHS, duration_months=12)
    duo.agreement.refresh_from_db()
    assert duo.agreement.confirmed_by(Side.VOLUNTEER)  # same content: nothing changed
    services.agreement_update(duo=duo, duration_kind=DurationKind.OPEN_ENDED)
    duo.agreement.refresh_from_db()
    assert not duo.agreement.confirmed_by(Side.VOLUNTEER)
    assert duo.agreement.end_date is None
    assert duo.agreement.duration_months is None


@pytest.mark.django_db
def test_agreement_form_saves_the_duration_and_expenses(organisation, coordinator_client):
    duo = pending_duo(organisation, start_date=D(2026, 9, 1))
    assert coordinator_client.get(f"/duos/{duo.pk}/agreement/").status_code == 200
    response = coordinator_client.post(f"/duos/{duo.pk}/agreement/", {
        "start_date": "2026-09-01", "duration_kind": "months", "duration_months": "",
        "meeting_frequency": "weekly",
    })
    assert response.status_code == 200
    assert "Fill in a number of months." in response.content.decode()
    response = coordinator_client.post(f"/duos/{duo.pk}/agreement/", {
        "start_date": "2026-09-01", "duration_kind": "school_year", "meeting_frequency": "weekly",
        "buddy_roles": ["sport"], "expenses_monthly_max": "25.00",
        "expenses_reimbursed": "Bus tickets", "how_to_reach": "By phone",
    })
    assert response.status_code == 302
    duo.agreement.refresh_from_db()
    assert duo.agreement.end_date == D(2027, 6, 30)
    assert duo.agreement.buddy_roles == ["sport"]
    assert duo.agreement.expenses_monthly_max_cents == 2500
    page = coordinator_client.get(f"/duos/{duo.pk}/").content.decode()
    assert "30 June 2027" in page


@pytest.mark.django_db
def test_a_volunteer_in_an_active_duo_has_no_free_capacity(organisation):
    duo = active_duo(organisation)
    free = VolunteerFactory(organisation=organisation)
    ready = set(Volunteer.objects.ready_with_capacity().values_list("pk", flat=True))
    assert duo.volunteer.pk not in ready
    assert free.pk in ready
    annotated = Volunteer.objects.with_free_capacity().get(pk=duo.volunteer.pk)
    assert (annotated.active_duos, annotated.free_capacity) == (1, 0)


@pytest.mark.django_db
def test_a_volunteer_with_capacity_two_keeps_a_place_beside_one_duo(organisation):
    volunteer = VolunteerFactory(organisation=organisation, capacity=2)
    active_duo(organisation, volunteer=volunteer)
    annotated = Volunteer.objects.with_free_capacity().get(pk=volunteer.pk)
    assert annotated.free_capacity == 1
    assert Volunteer.objects.ready_with_capacity().filter(pk=volunteer.pk).exists()


@pytest.mark.django_db
def test_a_staff_member_of_another_organisation_cannot_open_the_agreement(organisation,
                                                                          client):
    duo = pending_duo(organisation)
    client.force_login(CoordinatorFactory(username="elsewhere"))
    assert client.get(f"/duos/{duo.pk}/agreement/").status_code == 404


@pytest.mark.django_db
def test_volunteer_confirms_the_agreement_on_their_page(client, organisation):
    volunteer, account = volunteer_with_account(organisation)
    duo = pending_duo(organisation, volunteer=volunteer)
    other = pending_duo(organisation)
    client.force_login(account)
    page = client.get("/duos/my/").content.decode()
    assert "I confirm the agreement" in page
    assert client.post(f"/duos/my/{other.pk}/confirm/").status_code == 404
    client.post(f"/duos/my/{duo.pk}/confirm/")
    duo.agreement.refresh_from_db()
    other.agreement.refresh_from_db()
    assert duo.agreement.volunteer_confirmed_channel == ConfirmationChannel.LINK
    assert not other.agreement.confirmed_by(Side.VOLUNTEER)
    assert "You confirmed the agreement." in client.get("/duos/my/").content.decode()


@pytest.mark.django_db
def test_asking_to_confirm_messages_only_the_sides_that_did_not_confirm(
        organisation, django_capture_on_commit_callbacks):
    duo = pending_duo(organisation)
    with (mock.patch("duos.messaging.ask_volunteer_to_confirm_agreement") as volunteer,
          mock.patch("duos.messaging.ask_participant_to_confirm_agreement") as participant,
          django_capture_on_commit_callbacks(execute=True)):
        services.agreement_ask_confirmation(duo=duo)
        services.agreement_confirm(duo=duo, side=Side.VOLUNTEER,
                                   channel=ConfirmationChannel.LINK)
        services.agreement_ask_confirmation(duo=duo)
    assert volunteer.call_count == 1
    assert participant.call_count == 2


@pytest.mark.django_db
def test_a_failed_change_sends_nothing(organisation, django_capture_on_commit_callbacks):
    duo = active_duo(organisation)
    with (mock.patch("duos.messaging.ask_participant_to_confirm_agreement") as participant,
          django_capture_on_commit_callbacks(execute=True)):
        with pytest.raises(ValidationError):
            services.agreement_ask_confirmation(duo=duo)
    participant.assert_not_called()


@pytest.mark.django_db
def test_api_records_a_phone_confirmation_and_a_check_in(api_client, organisation,
                                                          coordinator):
    duo = pending_duo(organisation)
    api_client.force_login(coordinator)
    for side in ("volunteer", "participant"):
        response = api_client.post(f"/api/duos/duos/{duo.pk}/confirm-by-phone/",
                                   {"side": side}, format="json")
        assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert response.json()["agreement"]["participant_confirmed_channel"] == (
        "phone_recorded_by_coordinator")
    checkin = api_client.post(f"/api/duos/duos/{duo.pk}/checkins/", {
        "done_on": D.today().isoformat(), "with_whom": "both", "how": "call", "note": "ok"},
        format="json")
    assert checkin.status_code == 201
    bad = api_client.post(f"/api/duos/duos/{duo.pk}/checkins/", {
        "done_on": (D.today() + datetime.timedelta(days=2)).isoformat(), "with_whom": "both",
        "how": "call"}, format="json")
    assert bad.status_code == 400 and "done_on" in bad.json()["error"]["fields"]


@pytest.mark.django_db
def test_a_match_across_organisations_is_refused(organisation, other_organisation):
    with pytest.raises(ValidationError):
        services.duo_start_from_match(
            participant=ParticipantFactory(organisation=organisation),
            volunteer=VolunteerFactory(organisation=other_organisation))
    assert not Duo.objects.exists()


# The duo's length is asked, not assumed --------------------------------------------------


@pytest.mark.django_db
def test_a_duo_from_a_match_has_no_length_until_the_coordinator_fills_it_in(
        organisation, coordinator, coordinator_client, django_capture_on_commit_callbacks):
    duo = services.duo_start_from_match(
        participant=ParticipantFactory(organisation=organisation),
        volunteer=VolunteerFactory(organisation=organisation), start_date=D(2026, 9, 1))
    assert duo.agreement.duration_kind == DurationKind.TO_AGREE
    assert duo.agreement.end_date is None
    page = coordinator_client.get(f"/duos/{duo.pk}/").content.decode()
    assert "not agreed yet" in page
    assert "/agreement/ask/" not in page and "/agreement/phone/" not in page

    # Asking or confirming before the length is filled in is refused and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(f"/duos/{duo.pk}/agreement/ask/", follow=True)
    assert "Fill in how long the duo is agreed for" in response.content.decode()
    assert locmem.outbox == []
    for side, channel in ((Side.VOLUNTEER, ConfirmationChannel.PHONE),
                          (Side.PARTICIPANT, ConfirmationChannel.PHONE)):
        with pytest.raises(ValidationError, match="how long the duo is agreed for"):
            services.agreement_confirm(duo=duo, side=side, channel=channel,
                                       recorded_by=coordinator)
    duo.refresh_from_db()
    assert duo.status == DuoStatus.AGREEMENT_PENDING
    assert not duo.agreement.confirmed_by(Side.VOLUNTEER)

    # The agreement form shows "not agreed yet" until the coordinator chooses.
    form = coordinator_client.get(f"/duos/{duo.pk}/agreement/").content.decode()
    assert 'value="to_agree" selected' in form
    response = coordinator_client.post(f"/duos/{duo.pk}/agreement/", {
        "start_date": "2026-09-01", "duration_kind": "months", "duration_months": "9",
        "meeting_frequency": "two_weeks"})
    assert response.status_code == 302
    duo.agreement.refresh_from_db()
    assert duo.agreement.end_date == D(2027, 6, 1)
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_ask_confirmation(duo=duo)
    assert len(locmem.outbox) == 2  # each side its question


@pytest.mark.django_db
def test_a_running_duo_cannot_go_back_to_no_agreed_length(organisation):
    duo = active_duo(organisation)
    with pytest.raises(ValidationError, match="how long the duo is agreed for"):
        services.agreement_update(duo=duo, duration_kind=DurationKind.TO_AGREE)
    duo.agreement.refresh_from_db()
    assert duo.agreement.duration_kind == DurationKind.MONTHS
    with pytest.raises(ValidationError, match="how long the duo is agreed for"):
        services.end_answer_record(duo=duo, side=Side.VOLUNTEER, answer="extend",
                                   duration_kind=DurationKind.TO_AGREE)
