"""Coaching API: staff only, scoped, thin over the services."""

import datetime

import pytest
from django.utils import timezone

from coaching.models import Answer, IntervisionSession, Invitation, TrainingCompletion
from coaching.services import series_create
from matching.intake.models import Volunteer
from tests.factories import CoordinatorFactory, api_token_for
from tests.factories_coaching import (
    InvitationFactory,
    SessionFactory,
    TrainingModuleFactory,
    VolunteerFactory,
    in_days,
)


@pytest.fixture
def staff_api(api_client, coordinator):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(coordinator)}")
    return api_client


def test_a_session_is_created_and_moved_for_the_rest_of_its_series(staff_api, organisation):
    start = in_days(7)
    series = series_create(organisation=organisation, interval_weeks=6, count=3,
                           topic="Intervisie", starts_at=start,
                           ends_at=start + datetime.timedelta(hours=2), place="Buurthuis")
    first, second, third = series.sessions.order_by("starts_at")
    response = staff_api.patch(f"/api/coaching/sessions/{second.pk}/",
                               {"place": "De Krook", "scope": "rest_of_series"}, format="json")
    assert response.status_code == 200, response.json()
    places = list(IntervisionSession.objects.filter(series=series).order_by("starts_at")
                  .values_list("place", flat=True))
    assert places == ["Buurthuis", "De Krook", "De Krook"]


def test_creating_a_session_without_place_gets_the_error_shape(staff_api):
    start = in_days(7)
    response = staff_api.post("/api/coaching/sessions/", {
        "topic": "Intervisie", "starts_at": start.isoformat(),
        "ends_at": (start + datetime.timedelta(hours=2)).isoformat()}, format="json")
    assert response.status_code == 400
    assert "place" in response.json()["error"]["fields"]


def test_an_answer_through_the_api_respects_the_seats(staff_api, organisation, coordinator):
    session = SessionFactory(organisation=organisation, capacity=1)
    first, second = InvitationFactory(session=session), InvitationFactory(session=session)
    for invitation in (first, second):
        response = staff_api.post(f"/api/coaching/invitations/{invitation.pk}/answer/",
                                  {"answer": "yes"}, format="json")
        assert response.status_code == 200
    assert response.json()["waiting_position"] == 1
    assert Invitation.objects.get(pk=first.pk).recorded_by == coordinator


def test_another_organisations_invitation_cannot_be_answered(staff_api, other_organisation):
    invitation = InvitationFactory(session=SessionFactory(organisation=other_organisation))
    response = staff_api.post(f"/api/coaching/invitations/{invitation.pk}/answer/",
                              {"answer": "yes"}, format="json")
    assert response.status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).answer == Answer.NONE


def test_attendance_through_the_api(staff_api, organisation):
    session = SessionFactory(organisation=organisation, starts_at=in_days(-1))
    invitation = InvitationFactory(session=session)
    response = staff_api.post(f"/api/coaching/sessions/{session.pk}/attendance/",
                              {"marks": [{"invitation": invitation.pk, "present": True}]},
                              format="json")
    assert response.status_code == 200
    assert response.json()[0]["present"] is True


def _documented_answer(client, path, status):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    responses = schema["paths"][path]["post"]["responses"]
    return responses[str(status)]["content"]["application/json"]["schema"]


def test_attendance_and_invitations_are_answered_with_the_plain_list_the_schema_documents(
    staff_api, organisation,
):
    """The actions answer with the rows they wrote: a list, not a page of a list."""
    session = SessionFactory(organisation=organisation, audience="volunteers")
    VolunteerFactory(organisation=organisation)
    url = f"/api/coaching/sessions/{session.pk}/"
    invited = staff_api.post(url + "invite/")
    assert invited.status_code == 201, invited.content
    assert [row["session"] for row in invited.json()] == [session.pk]
    assert _documented_answer(staff_api, "/api/coaching/sessions/{id}/invite/", 201) == {
        "type": "array", "items": {"$ref": "#/components/schemas/Invitation"}}
    again = staff_api.post(url + "invite/")
    assert (again.status_code, again.json()) == (200, [])
    assert _documented_answer(staff_api, "/api/coaching/sessions/{id}/invite/", 200) == {
        "type": "array", "items": {"$ref": "#/components/schemas/Invitation"}}
    held = SessionFactory(organisation=organisation, starts_at=in_days(-1))
    invitation = InvitationFactory(session=held)
    marked = staff_api.post(f"/api/coaching/sessions/{held.pk}/attendance/",
                            {"marks": [{"invitation": invitation.pk, "present": False}]},
                            format="json")
    assert [row["present"] for row in marked.json()] == [False]
    assert _documented_answer(staff_api, "/api/coaching/sessions/{id}/attendance/", 200) == {
        "type": "array", "items": {"$ref": "#/components/schemas/Attendance"}}


def test_basic_training_through_the_api_makes_the_volunteer_ready(staff_api, organisation):
    volunteer = VolunteerFactory(organisation=organisation)
    module = TrainingModuleFactory(organisation=organisation, is_basic=True)
    response = staff_api.post("/api/coaching/training-completions/", {
        "module": module.pk, "volunteer": volunteer.pk,
        "completed_on": timezone.localdate().isoformat()}, format="json")
    assert response.status_code == 201, response.json()
    assert TrainingCompletion.objects.filter(volunteer=volunteer).exists()
    assert volunteer in Volunteer.objects.ready_with_capacity()


def test_a_volunteer_of_another_organisation_is_unknown_to_the_api(staff_api,
                                                                   other_organisation):
    stranger = VolunteerFactory(organisation=other_organisation)
    response = staff_api.post("/api/coaching/contacts/", {
        "volunteer": stranger.pk, "happened_on": timezone.localdate().isoformat(),
        "form": "call"}, format="json")
    assert response.status_code == 400
    assert "volunteer" in response.json()["error"]["fields"]


def test_the_session_list_is_scoped(staff_api, organisation, other_organisation):
    mine = SessionFactory(organisation=organisation)
    SessionFactory(organisation=other_organisation,
                   facilitator=CoordinatorFactory(organisation=other_organisation))
    ids = [row["id"] for row in staff_api.get("/api/coaching/sessions/").json()["results"]]
    assert ids == [mine.pk]


@pytest.mark.parametrize("starts_at", ["0022-10-26T14:36:35.100-23:03", "9999-12-31T23:59:00+00:00",
                                       "1899-12-31T10:00:00+01:00"])
def test_a_session_moved_outside_the_calendar_is_refused_and_unchanged(staff_api, organisation,
                                                                      starts_at):
    """The fuzz found a session moved to the year 22, answered with a time-zone offset of
    +00:17:30 that no client can read: such a moment is a typing error, refused."""
    session = SessionFactory(organisation=organisation)
    before = session.starts_at
    response = staff_api.patch(f"/api/coaching/sessions/{session.pk}/", {"starts_at": starts_at},
                               format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and "starts_at" in error["fields"]
    session.refresh_from_db()
    assert session.starts_at == before
