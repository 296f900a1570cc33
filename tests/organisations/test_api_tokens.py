"""API tokens (django-rest-knox): named, hashed, expiring, revocable; and the API's rate limits."""

import hashlib
import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from organisations.models import APIToken, AuditAction, AuditEvent
from tests import PROJECT_ROOT
from tests.factories import OrganisationAdminFactory, api_token_for

PASSWORD = "correct-horse-battery"
DASHBOARD = "Export to the municipality's dashboard"


def token_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def rates(**changed):
    return override_settings(REST_FRAMEWORK={
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                   **changed},
    })


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["status"] == status and error["code"] == code and error["message"]
    assert error["fields"] == {}


@pytest.fixture
def admin_client(org_admin):
    client = APIClient()
    client.force_login(org_admin)
    return client


@pytest.mark.django_db
def test_an_admin_makes_a_named_token_that_works_until_it_is_revoked(admin_client, org_admin):
    made = admin_client.post("/api/tokens/", {"name": DASHBOARD}, format="json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["name"] == DASHBOARD and body["user"] == org_admin.username
    assert body["token"].startswith("buddy_")
    expiry = timezone.datetime.fromisoformat(body["expiry"])
    assert abs(expiry - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)

    integration = token_client(body["token"])
    users = integration.get("/api/users/")
    assert users.status_code == 200
    assert {u["organisation"] for u in users.json()["results"]} == {org_admin.organisation_id}

    listed = admin_client.get("/api/tokens/").json()["results"]
    assert [t["name"] for t in listed] == [DASHBOARD]
    assert "token" not in listed[0] and body["token"] not in str(listed)
    assert listed[0]["last_used_at"] is not None

    assert admin_client.delete(f"/api/tokens/{body['id']}/").status_code == 204
    refused = integration.get("/api/users/")
    assert_error(refused, 401, "authentication_failed")
    assert refused["WWW-Authenticate"] == "Token"
    assert not APIToken.objects.exists()
    events = AuditEvent.objects.filter(subject_ref=f"organisations.apitoken:{body['id']}",
                                       actor=org_admin)
    assert sorted(events.values_list("action", flat=True)) == [AuditAction.CREATE,
                                                               AuditAction.DELETE]


@pytest.mark.django_db
def test_the_database_holds_only_a_hash_of_the_token(admin_client):
    token = admin_client.post("/api/tokens/", {"name": DASHBOARD}, format="json").json()["token"]
    stored = APIToken.objects.get()
    assert stored.digest == hashlib.sha512(token.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM organisations_apitoken")
        rows = cursor.fetchall()
    assert len(rows) == 1 and token not in str(rows)
    # Only the first characters, to find the row, as knox does.
    assert token.startswith(stored.token_key) and len(stored.token_key) < len(token) // 3


@pytest.mark.django_db
def test_a_token_is_refused_once_it_has_expired(coordinator):
    integration = token_client(api_token_for(coordinator))
    with time_machine.travel(timezone.now() + timedelta(days=89)):
        assert integration.get("/api/users/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        assert_error(integration.get("/api/users/"), 401, "authentication_failed")


def test_the_token_lifetime_is_read_from_api_token_days():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "buddy.settings.base", "API_TOKEN_DAYS": "7"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; "
         "django.setup(); print(settings.REST_KNOX['TOKEN_TTL'].days)"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "7"


@pytest.mark.django_db
def test_another_organisations_admin_can_neither_list_nor_revoke(org_admin, other_organisation):
    token = APIToken.objects.create(user=org_admin, organisation=org_admin.organisation,
                                    name=DASHBOARD)
    intruder = APIClient()
    intruder.force_login(OrganisationAdminFactory(organisation=other_organisation))
    listed = intruder.get("/api/tokens/")
    assert listed.status_code == 200 and listed.json()["results"] == []
    assert_error(intruder.delete(f"/api/tokens/{token[0].pk}/"), 404, "not_found")
    assert token_client(token[1]).get("/api/users/").status_code == 200


@pytest.mark.django_db
def test_a_coordinator_cannot_make_or_list_tokens(api_client, coordinator):
    api_client.force_login(coordinator)
    assert api_client.post("/api/tokens/", {"name": DASHBOARD}, format="json").status_code == 403
    assert api_client.get("/api/tokens/").status_code == 403
    assert not APIToken.objects.exists()


@pytest.mark.django_db
def test_a_token_name_is_needed_and_used_once(admin_client):
    blank = admin_client.post("/api/tokens/", {"name": "  "}, format="json")
    assert blank.status_code == 400 and "name" in blank.json()["error"]["fields"]
    assert admin_client.post("/api/tokens/", {"name": DASHBOARD}, format="json").status_code == 201
    again = admin_client.post("/api/tokens/", {"name": DASHBOARD}, format="json")
    assert again.status_code == 400 and "name" in again.json()["error"]["fields"]
    assert APIToken.objects.count() == 1


@pytest.mark.django_db
def test_logging_in_for_a_token_replaces_the_earlier_one_of_the_same_name(api_client, coordinator):
    def login():
        response = api_client.post("/api/auth/token/",
                                   {"username": "sofie", "password": PASSWORD}, format="json")
        assert response.status_code == 200, response.content
        return response.json()["token"]

    first, second = login(), login()
    assert first != second
    assert_error(token_client(first).get("/api/users/"), 401, "authentication_failed")
    assert token_client(second).get("/api/users/").status_code == 200
    assert list(APIToken.objects.values_list("name", "organisation")) == [
        ("API login", coordinator.organisation_id)]


@pytest.mark.django_db
def test_the_token_endpoint_answers_429_after_ten_tries_from_one_address(api_client, coordinator):
    for n in range(10):
        response = api_client.post("/api/auth/token/", {"username": f"u{n}", "password": "x"},
                                   format="json")
        assert response.status_code == 400
    # Even the right password now waits: the limit is counted before the password is checked.
    throttled = api_client.post("/api/auth/token/", {"username": "sofie", "password": PASSWORD},
                                format="json")
    assert_error(throttled, 429, "throttled")
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert "token" not in throttled.json()
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert api_client.post("/api/auth/token/", {"username": "sofie", "password": PASSWORD},
                               format="json").status_code == 200


@pytest.mark.django_db
def test_the_token_endpoint_answers_429_after_ten_tries_for_one_username(api_client, coordinator):
    for n in range(10):
        response = api_client.post("/api/auth/token/", {"username": "Sofie", "password": "x"},
                                   format="json", REMOTE_ADDR=f"198.51.100.{n + 1}")
        assert response.status_code in (400, 429)
        # (the lock-out of django-axes counts per username and address: not reached here)
        assert response.status_code == 400, response.json()
    throttled = api_client.post("/api/auth/token/", {"username": "sofie", "password": PASSWORD},
                                format="json", REMOTE_ADDR="203.0.113.9")
    assert_error(throttled, 429, "throttled")
    assert throttled["Retry-After"]


@pytest.mark.django_db
def test_each_account_is_limited_on_the_whole_api_in_the_shared_cache(coordinator):
    integration = token_client(api_token_for(coordinator))
    with rates(user="3/minute"):
        for _ in range(3):
            assert integration.get("/api/users/").status_code == 200
        assert cache.get(f"throttle_user_{coordinator.pk}")  # CACHES["default"]
        throttled = integration.get("/api/me/")
        assert_error(throttled, 429, "throttled")
        assert 0 < int(throttled["Retry-After"]) <= 60
        with time_machine.travel(timezone.now() + timedelta(seconds=61)):
            assert integration.get("/api/users/").status_code == 200


@pytest.mark.django_db
def test_requests_without_an_account_are_limited_per_address(api_client):
    # (DRF checks permissions first: a page for staff answers 401 before any count.)
    with rates(anon="2/minute"):
        for _ in range(2):
            assert api_client.get("/api/schema/?format=json").status_code == 200
        assert_error(api_client.get("/api/schema/?format=json"), 429, "throttled")


@pytest.mark.django_db
def test_the_schema_documents_the_token_scheme_and_the_429_of_the_token_endpoint(
    coordinator_client
):
    schema = coordinator_client.get("/api/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["apiToken"]
    assert scheme["type"] == "apiKey" and scheme["in"] == "header"
    assert scheme["name"] == "Authorization"
    assert "tokenAuth" not in schema["components"]["securitySchemes"]
    assert {"apiToken": []} in schema["paths"]["/api/users/"]["get"]["security"]
    token_responses = schema["paths"]["/api/auth/token/"]["post"]["responses"]
    assert {"200", "400", "429"} <= set(token_responses)
    assert {"get", "post"} <= set(schema["paths"]["/api/tokens/"])
    assert "delete" in schema["paths"]["/api/tokens/{id}/"]


@pytest.mark.django_db
def test_a_made_up_forwarded_for_address_does_not_escape_the_limit(api_client, coordinator):
    for n in range(10):
        api_client.post("/api/auth/token/", {"username": f"u{n}", "password": "x"},
                        format="json", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    throttled = api_client.post("/api/auth/token/", {"username": "sofie", "password": PASSWORD},
                                format="json", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert_error(throttled, 429, "throttled")


@pytest.mark.django_db
def test_an_admin_revokes_a_token_in_the_admin_and_sees_only_their_organisations(
    client, org_admin, coordinator, other_organisation
):
    ours = APIToken.objects.create(user=coordinator, organisation=coordinator.organisation,
                                   name=DASHBOARD)[0]
    theirs_admin = OrganisationAdminFactory(organisation=other_organisation)
    theirs = APIToken.objects.create(user=theirs_admin, organisation=other_organisation,
                                     name="Their export")[0]
    client.force_login(org_admin)
    page = client.get("/admin/organisations/apitoken/").content.decode()
    assert "municipality" in page and "Their export" not in page and ours.digest not in page
    response = client.post("/admin/organisations/apitoken/", {
        "action": "delete_selected", "_selected_action": [ours.pk, theirs.pk], "post": "yes",
    })
    assert response.status_code == 302
    assert list(APIToken.objects.all()) == [theirs]
    assert AuditEvent.objects.filter(actor=org_admin, action=AuditAction.DELETE,
                                     subject_ref=f"organisations.apitoken:{ours.pk}").exists()


@pytest.mark.django_db
def test_a_token_request_looks_the_token_up_once(coordinator):
    integration = token_client(api_token_for(coordinator))
    integration.get("/api/me/")  # the first use writes last_used_at
    with CaptureQueriesContext(connection) as queries:
        assert integration.get("/api/me/").status_code == 200
    lookups = [q["sql"] for q in queries.captured_queries
               if '"organisations_apitoken"."token_key" = ' in q["sql"]]
    assert len(lookups) == 1, lookups
