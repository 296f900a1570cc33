import json

import pytest

from matching.intake.api import ParticipantViewSet
from tests.factories import CoordinatorFactory


@pytest.mark.django_db
def test_unauthenticated_api_call_gets_the_documented_error_shape(api_client):
    response = api_client.get("/api/users/")
    assert response.status_code in (401, 403)
    error = response.json()["error"]
    assert error["status"] == response.status_code
    assert error["code"] == "not_authenticated"
    assert error["message"]
    assert error["fields"] == {}


@pytest.mark.django_db
def test_unknown_object_is_404_in_the_error_shape(api_client, coordinator):
    api_client.force_authenticate(coordinator)
    response = api_client.get("/api/users/999999/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_bad_login_for_token_lists_field_errors(api_client):
    response = api_client.post("/api/auth/token/", {"username": "nobody"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "password" in error["fields"]


@pytest.mark.django_db
def test_token_authentication_is_scoped_to_the_users_organisation(
    api_client, coordinator, other_organisation
):
    CoordinatorFactory(organisation=other_organisation, username="karim")
    response = api_client.post(
        "/api/auth/token/",
        {"username": coordinator.username, "password": "correct-horse-battery"},
        format="json",
    )
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    users = api_client.get("/api/users/").json()["results"]
    assert [u["username"] for u in users] == [coordinator.username]


@pytest.mark.django_db
def test_schema_and_docs_are_served(coordinator_client):
    schema = coordinator_client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"openapi" in schema.content
    assert b"Error" in schema.content or b"error" in schema.content
    assert coordinator_client.get("/api/docs/").status_code == 200


@pytest.mark.django_db
def test_a_body_over_the_upload_limit_is_413_in_the_error_shape(api_client, coordinator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    api_client.force_authenticate(coordinator)
    body = json.dumps({"first_name": "Aïcha", "note": "x" * 5000})
    response = api_client.post("/api/participants/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": {
        "status": 413, "code": "too_large", "message": "The data sent is too large.",
        "fields": {}}}


@pytest.mark.django_db
def test_a_form_body_over_the_upload_limit_is_413_in_the_error_shape(
    api_client, coordinator, settings
):
    """A form body is read by the CSRF check, before DRF: Django's handler400 answers."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    api_client.force_authenticate(coordinator)
    response = api_client.post("/api/participants/", {"note": "x" * 5000})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


@pytest.mark.django_db
def test_a_crash_inside_an_api_view_is_500_in_the_error_shape_without_traceback(
    api_client, coordinator, monkeypatch
):
    def crash(self, request, *args, **kwargs):
        raise RuntimeError("Participant Aïcha Benali (+32 470 12 34 56) has no volunteer")

    monkeypatch.setattr(ParticipantViewSet, "list", crash)
    api_client.force_authenticate(coordinator)
    api_client.raise_request_exception = False
    response = api_client.get("/api/participants/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["status"] == 500
    assert error["code"] == "error"
    assert error["fields"] == {}
    text = response.content.decode()
    assert "Traceback" not in text and "RuntimeError" not in text
    assert "Benali" not in text and "470" not in text


@pytest.mark.django_db
def test_a_page_outside_the_api_keeps_djangos_400_for_a_body_over_the_limit(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/accounts/login/", {"username": "x" * 5000, "password": "y"})
    assert response.status_code == 400
    assert not response["Content-Type"].startswith("application/json")
