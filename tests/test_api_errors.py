import pytest

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
