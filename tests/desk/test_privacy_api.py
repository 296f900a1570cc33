"""The API of a person's rights: organisation admins export and erase a participant's or a
volunteer's data; coordinators, volunteers, other organisations and anonymous callers are
refused, and every export and erasure is audited."""

import pytest

from matching.intake.models import Participant, Volunteer
from organisations.models import AnonymisationRecord, AuditEvent
from tests.factories import (
    CoordinatorFactory,
    OrganisationAdminFactory,
    OrganisationFactory,
    VolunteerUserFactory,
)
from tests.factories_duos import ParticipantFactory, VolunteerFactory, pending_duo


def _events():
    return [(e.action, e.subject_ref, e.label)
            for e in AuditEvent.objects.exclude(action__startswith="log").order_by("pk")]


@pytest.fixture
def admin_client(api_client, org_admin):
    api_client.force_login(org_admin)
    return api_client


@pytest.fixture
def amina(organisation):
    return ParticipantFactory(organisation=organisation, first_name="Amina",
                              intake_note="Worried about her debts")


@pytest.mark.django_db
def test_an_organisation_admin_exports_everything_held_about_a_participant(admin_client,
                                                                          amina):
    response = admin_client.get(f"/api/privacy/participants/{amina.pk}/export/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    data = response.json()
    assert data["kind"] == "participant"
    assert data["profile"]["first_name"] == "Amina"
    assert {"consents", "proposals", "duos", "messages"} <= set(data)
    ref = f"matching.participant:{amina.pk}"
    assert _events() == [("export", ref, f"participant #{amina.pk}, all data")]


@pytest.mark.django_db
def test_an_organisation_admin_erases_a_volunteer_on_request(admin_client, organisation):
    volunteer = VolunteerFactory(organisation=organisation, first_name="Pieter")
    response = admin_client.post(f"/api/privacy/volunteers/{volunteer.pk}/erase/",
                                 {"confirm": True}, format="json")
    assert response.status_code == 200
    ref = f"matching.volunteer:{volunteer.pk}"
    assert response.json()["subject_ref"] == ref and response.json()["reason"] == "erasure"
    volunteer.refresh_from_db()
    assert (volunteer.first_name, volunteer.status) == ("Anonymised", "stopped")
    assert AnonymisationRecord.objects.get().subject_ref == ref
    assert _events() == [("delete", ref, f"volunteer #{volunteer.pk} erased")]
    # A second erasure changes nothing more and records nothing new.
    assert admin_client.post(f"/api/privacy/volunteers/{volunteer.pk}/erase/",
                             {"confirm": True}, format="json").status_code == 200
    assert AnonymisationRecord.objects.count() == 1


@pytest.mark.django_db
def test_erasure_needs_the_confirmation(admin_client, amina):
    for body in ({"confirm": False}, {}):
        response = admin_client.post(f"/api/privacy/participants/{amina.pk}/erase/", body,
                                     format="json")
        assert response.status_code == 400
        assert "confirm" in response.json()["error"]["fields"]
    assert Participant.objects.get(pk=amina.pk).first_name == "Amina"
    assert _events() == []


@pytest.mark.django_db
def test_erasure_is_refused_with_a_conflict_while_a_duo_is_open(admin_client, organisation,
                                                                amina):
    pending_duo(organisation, participant=amina)
    response = admin_client.post(f"/api/privacy/participants/{amina.pk}/erase/",
                                 {"confirm": True}, format="json")
    assert response.status_code == 409
    assert "End the duo first" in response.json()["error"]["message"]
    assert Participant.objects.get(pk=amina.pk).first_name == "Amina"
    assert AnonymisationRecord.objects.count() == 0 and _events() == []


@pytest.mark.django_db
def test_an_unknown_person_is_not_found(admin_client):
    assert admin_client.get("/api/privacy/participants/999999/export/").status_code == 404
    assert admin_client.post("/api/privacy/volunteers/999999/erase/", {"confirm": True},
                             format="json").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["coordinator", "volunteer", "other_admin", "anonymous"])
def test_others_can_neither_export_nor_erase(api_client, organisation, amina, who):
    volunteer = VolunteerFactory(organisation=organisation, first_name="Pieter")
    user = {
        "coordinator": lambda: CoordinatorFactory(organisation=organisation),
        "volunteer": lambda: VolunteerUserFactory(organisation=organisation),
        "other_admin": lambda: OrganisationAdminFactory(organisation=OrganisationFactory()),
        "anonymous": lambda: None,
    }[who]()
    if user is not None:
        api_client.force_login(user)
    expected = {"other_admin": {404}, "anonymous": {401, 403}}.get(who, {403})
    for kind, person in (("participants", amina), ("volunteers", volunteer)):
        export = api_client.get(f"/api/privacy/{kind}/{person.pk}/export/")
        erase = api_client.post(f"/api/privacy/{kind}/{person.pk}/erase/", {"confirm": True},
                                format="json")
        assert export.status_code in expected and erase.status_code in expected, (
            kind, export.status_code, erase.status_code)
        assert "Amina" not in export.content.decode()
    assert Participant.objects.get(pk=amina.pk).first_name == "Amina"
    assert Volunteer.objects.get(pk=volunteer.pk).first_name == "Pieter"
    assert AnonymisationRecord.objects.count() == 0 and _events() == []
