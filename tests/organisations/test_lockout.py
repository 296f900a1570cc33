"""Lock-out after repeated login failures, password hashing, and sessions that expire."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.test import override_settings
from django.utils import timezone

from buddy.settings import base
from organisations.models import AuditAction, AuditEvent
from tests import PROJECT_ROOT

PASSWORD = "correct-horse-battery"


def fail(client, path, username, times, **extra):
    for _ in range(times):
        response = client.post(path, {"username": username, "password": "wrong"}, **extra)
        assert response.status_code in (200, 400, 429)
    return response


@pytest.mark.django_db
def test_five_failures_lock_the_account_even_for_the_right_password(client, coordinator):
    fail(client, "/accounts/login/", "sofie", 4)
    fifth = client.post("/accounts/login/", {"username": "sofie", "password": "wrong"})
    assert fifth.status_code == 429
    response = client.post("/accounts/login/", {"username": "sofie", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()
    assert "30 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT, label="sofie").exists()


@pytest.mark.django_db
def test_four_failures_do_not_lock(client, coordinator):
    fail(client, "/accounts/login/", "sofie", 4)
    response = client.post("/accounts/login/", {"username": "sofie", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_lock_message_is_translated(client, coordinator):
    client.cookies["django_language"] = "nl"
    fail(client, "/accounts/login/", "sofie", 5)
    response = client.post("/accounts/login/", {"username": "sofie", "password": PASSWORD})
    assert "Te veel mislukte" in response.content.decode()


@pytest.mark.django_db
def test_the_lock_ends_after_thirty_minutes(client, coordinator):
    fail(client, "/accounts/login/", "sofie", 5)
    with time_machine.travel(timezone.now() + timedelta(minutes=29)):
        assert client.post(
            "/accounts/login/", {"username": "sofie", "password": PASSWORD}
        ).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert client.post(
            "/accounts/login/", {"username": "sofie", "password": PASSWORD}
        ).status_code == 302


@pytest.mark.django_db
def test_the_lock_is_per_username_and_address(client, coordinator):
    fail(client, "/accounts/login/", "sofie", 5, REMOTE_ADDR="198.51.100.7")
    elsewhere = client.post(
        "/accounts/login/", {"username": "sofie", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_the_admin_login_is_locked_too(client, coordinator):
    fail(client, "/admin/login/", "sofie", 5)
    response = client.post("/admin/login/", {"username": "sofie", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_token_endpoint_is_locked_too(api_client, coordinator):
    for _ in range(5):
        response = api_client.post(
            "/api/auth/token/", {"username": "sofie", "password": "wrong"}, format="json"
        )
    response = api_client.post(
        "/api/auth/token/", {"username": "sofie", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "locked_out"
    assert "Too many failed login attempts" in error["message"]
    assert "token" not in response.json()


@pytest.mark.django_db
def test_an_organisation_admin_unlocks_an_account_in_the_admin(client, org_admin, coordinator):
    fail(client, "/accounts/login/", "sofie", 5)
    assert AccessAttempt.objects.filter(username="sofie").exists()
    admin_client = type(client)()
    admin_client.force_login(org_admin)
    response = admin_client.post("/admin/organisations/user/", {
        "action": "unlock_logins", "_selected_action": [coordinator.pk],
    })
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="sofie").exists()
    assert client.post(
        "/accounts/login/", {"username": "sofie", "password": PASSWORD}
    ).status_code == 302


@pytest.mark.django_db
def test_a_coordinator_cannot_unlock_accounts(client, coordinator, volunteer_user):
    client.force_login(coordinator)
    response = client.get("/admin/organisations/user/")
    assert "unlock_logins" not in response.content.decode()


def test_passwords_are_hashed_with_argon2_outside_tests():
    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        assert make_password("a-long-pass-phrase-9").startswith("argon2$argon2id$")


@override_settings(SESSION_IDLE_TIMEOUT=60 * 60)
@pytest.mark.django_db
def test_an_idle_session_ends_and_an_active_one_goes_on(client, coordinator):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post("/accounts/login/", {"username": "sofie", "password": PASSWORD})
    with time_machine.travel(start + timedelta(minutes=50), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=100), tick=False):
        assert client.get("/").status_code == 200  # 50 minutes after the last request
    with time_machine.travel(start + timedelta(minutes=161), tick=False):
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=coordinator).exists()


def test_production_cookies_are_secure_and_http_only():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="buddy.settings.production",
               SECRET_KEY="x" * 60, ALLOWED_HOSTS="buddy.example.org")
    result = subprocess.run(
        [sys.executable, "-c",
         "import django; from django.conf import settings; django.setup(); "
         "print(settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY, "
         "settings.CSRF_COOKIE_SECURE, settings.SESSION_EXPIRE_AT_BROWSER_CLOSE)"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
    )
    assert result.stdout.split() == ["True", "True", "True", "True"], result.stderr
