"""Two-factor authentication (TOTP) for staff, enforced by one middleware."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisations.models import AuditAction, AuditEvent, User
from organisations.two_factor import _new_backup_codes
from tests import PROJECT_ROOT
from tests.factories import api_token_for
from tests.walks.test_isolation import PLACEHOLDER, all_paths, fill

ROOT = PROJECT_ROOT
required = override_settings(REQUIRE_TWO_FACTOR=True)


def code_for(device) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def confirmed_device(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@required
@pytest.mark.django_db
def test_staff_without_an_authenticator_is_sent_to_the_setup_page(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/setup/?next=%2F"


@required
@pytest.mark.django_db
def test_password_login_leads_to_setup_then_confirming_a_code_opens_the_staff_pages(
    client, coordinator
):
    response = client.post(
        "/accounts/login/", {"username": "sofie", "password": "correct-horse-battery"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith("/accounts/two-factor/setup/")
    page = response.content.decode()
    assert "<svg" in page and "<img" not in page  # the QR code is inline, nothing fetched
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    assert "".join(response.context["secret"].split()) in page.replace(" ", "")

    confirmed = client.post("/accounts/two-factor/setup/", {"code": code_for(device), "next": "/"})
    assert confirmed.status_code == 200
    assert len(confirmed.context["codes"]) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200


@required
@pytest.mark.django_db
def test_a_wrong_code_does_not_confirm_the_authenticator(client, coordinator):
    client.force_login(coordinator)
    client.get("/accounts/two-factor/setup/")
    response = client.post("/accounts/two-factor/setup/", {"code": "000000"})
    assert response.status_code == 400
    assert "This code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=coordinator, confirmed=True).exists()
    assert client.get("/").status_code == 302


@required
@pytest.mark.django_db
def test_staff_with_an_authenticator_must_enter_a_code(client, coordinator):
    device = confirmed_device(coordinator)
    client.force_login(coordinator)
    response = client.get("/api/docs/")
    assert response["Location"] == "/accounts/two-factor/?next=%2Fapi%2Fdocs%2F"

    wrong = client.post("/accounts/two-factor/", {"code": "123456", "next": "/"})
    assert wrong.status_code == 400
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILURE, actor=coordinator
    ).exists()
    # Each wrong code makes the next try wait longer (django-otp's throttling).
    assert client.post("/accounts/two-factor/", {"code": code_for(device)}).status_code == 400
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        right = client.post(
            "/accounts/two-factor/", {"code": code_for(device), "next": "/audit/"}
        )
        assert right.status_code == 302 and right["Location"] == "/audit/"
        assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN_SUCCESS, actor=coordinator, label="two-factor code accepted"
    ).exists()


@required
@pytest.mark.django_db
def test_setting_up_again_needs_the_existing_second_factor(client, coordinator):
    """Someone who has only the password cannot enrol their own authenticator."""
    confirmed_device(coordinator)
    client.force_login(coordinator)
    response = client.get("/accounts/two-factor/setup/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/?")
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


@required
@pytest.mark.django_db
def test_a_backup_code_works_once(client, coordinator):
    confirmed_device(coordinator)
    client.force_login(coordinator)
    client.get("/accounts/two-factor/setup/")  # redirected: the device exists

    codes = _new_backup_codes(coordinator)
    assert client.post("/accounts/two-factor/", {"code": codes[0]}).status_code == 302
    assert client.get("/").status_code == 200
    assert not StaticToken.objects.filter(token=codes[0]).exists()

    client.logout()
    client.force_login(coordinator)
    assert client.post("/accounts/two-factor/", {"code": codes[0]}).status_code == 400


@required
@pytest.mark.django_db
def test_the_admin_is_closed_until_the_code_is_entered(client, org_admin):
    confirmed_device(org_admin)
    client.force_login(org_admin)
    for path in ("/admin/", "/admin/organisations/user/", "/audit/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/two-factor/?next="), path


@required
@pytest.mark.django_db
def test_the_api_with_a_session_answers_403_until_the_code_is_entered(client, coordinator):
    device = confirmed_device(coordinator)
    client.force_login(coordinator)
    response = client.get("/api/users/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "two_factor_required"
    client.post("/accounts/two-factor/", {"code": code_for(device)})
    assert client.get("/api/users/").status_code == 200


@required
@pytest.mark.django_db
def test_an_api_token_is_not_asked_for_a_code(api_client, coordinator):
    confirmed_device(coordinator)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(coordinator)}")
    assert api_client.get("/api/users/").status_code == 200


@required
@pytest.mark.django_db
def test_a_volunteer_is_not_forced_to_use_two_factor(client, volunteer_user):
    client.force_login(volunteer_user)
    response = client.get("/")
    assert response.status_code == 200
    assert "Thank you for being a buddy" in response.content.decode()


@required
@pytest.mark.django_db
def test_a_superuser_is_forced_too(client, db):
    boss = User.objects.create_superuser("umbrella", "umbrella@example.org", "x-long-pass-1")
    client.force_login(boss)
    assert client.get("/admin/")["Location"].startswith("/accounts/two-factor/setup/")


@required
@pytest.mark.django_db
def test_the_code_page_never_redirects_to_another_site(client, coordinator):
    device = confirmed_device(coordinator)
    client.force_login(coordinator)
    response = client.post(
        "/accounts/two-factor/", {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_without_the_setting_a_password_is_enough(client, coordinator):
    confirmed_device(coordinator)
    client.force_login(coordinator)
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_an_organisation_admin_resets_a_lost_authenticator_in_the_admin(client, org_admin,
                                                                       coordinator):
    confirmed_device(coordinator)
    client.force_login(org_admin)
    response = client.post("/admin/organisations/user/", {
        "action": "reset_two_factor", "_selected_action": [coordinator.pk],
    })
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert AuditEvent.objects.filter(actor=org_admin, action=AuditAction.CHANGE,
                                     subject_ref=f"organisations.user:{coordinator.pk}").exists()


def _setting_in_profile(profile: str, env_extra: dict) -> str:
    env = {k: v for k, v in os.environ.items() if k != "REQUIRE_TWO_FACTOR"}
    env.update(DJANGO_SETTINGS_MODULE=profile, **env_extra)
    result = subprocess.run(
        [sys.executable, "-c",
         "import django; from django.conf import settings; django.setup(); "
         "print(settings.REQUIRE_TWO_FACTOR)"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_two_factor_is_off_on_a_laptop_and_on_in_production():
    prod = {"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "buddy.example.org"}
    assert _setting_in_profile("buddy.settings.base", {}) == "False"
    assert _setting_in_profile("buddy.settings.production", prod) == "True"
    assert _setting_in_profile(
        "buddy.settings.production", {**prod, "REQUIRE_TWO_FACTOR": "false"}
    ) == "False"


@required
@pytest.mark.django_db
def test_staff_get_an_api_token_only_with_a_code(api_client, coordinator):
    device = confirmed_device(coordinator)
    credentials = {"username": "sofie", "password": "correct-horse-battery"}
    without = api_client.post("/api/auth/token/", credentials, format="json")
    assert without.status_code == 400
    assert "code" in without.json()["error"]["fields"]
    wrong = api_client.post("/api/auth/token/", {**credentials, "code": "000000"},
                            format="json")
    assert wrong.status_code == 400 and "token" not in wrong.json()
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        right = api_client.post("/api/auth/token/", {**credentials, "code": code_for(device)},
                                format="json")
    assert right.status_code == 200 and right.json()["token"]


@required
@pytest.mark.django_db
def test_staff_without_an_authenticator_get_no_api_token(api_client, coordinator):
    response = api_client.post(
        "/api/auth/token/", {"username": "sofie", "password": "correct-horse-battery",
                             "code": "123456"}, format="json",
    )
    assert response.status_code == 400
    assert "Set up two-factor" in response.json()["error"]["fields"]["code"][0]


# What a member of staff who has not entered a code may still open.
OPEN_WITHOUT_CODE = {"/accounts/two-factor/", "/accounts/two-factor/setup/", "/health/",
                     "/i18n/setlang/"}


@required
@pytest.mark.django_db
def test_no_page_endpoint_or_admin_view_opens_before_the_code(client, coordinator):
    """Walks every URL pattern, so pages that other apps add are covered too."""
    confirmed_device(coordinator)
    client.force_login(coordinator)
    opened = []
    for path in all_paths():
        url = fill(path, 1) if PLACEHOLDER.search(path) else path
        response = client.get(url)
        if response.status_code == 302 and not url.startswith(("/i18n/", "/accounts/logout/")):
            assert response["Location"].startswith("/accounts/two-factor/?next="), url
        elif response.status_code == 403 and url.startswith("/api/"):
            assert response.json()["error"]["code"] == "two_factor_required", url
        elif response.status_code < 400:
            opened.append(path)
    assert set(opened) <= OPEN_WITHOUT_CODE, set(opened) - OPEN_WITHOUT_CODE
