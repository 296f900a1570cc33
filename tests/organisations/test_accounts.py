import pytest
from django.urls import reverse

from buddy.settings import base
from organisations.models import Organisation, User
from tests.factories import CoordinatorFactory


@pytest.mark.django_db
def test_coordinator_logs_in_and_sees_the_staff_home(client, coordinator):
    response = client.post(
        reverse("login"), {"username": coordinator.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Samen Op Weg Gent" in home.content.decode()
    assert b'href="#main"' in home.content  # skip link for keyboard users


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message(client, coordinator):
    response = client.post(reverse("login"), {"username": coordinator.username, "password": "x"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_volunteer_gets_their_own_page_not_the_staff_home(client, volunteer_user):
    client.force_login(volunteer_user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Thank you for being a buddy" in response.content.decode()
    assert reverse("admin:index") not in response.content.decode()


@pytest.mark.django_db
def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"),
    [("nl", "Inloggen"), ("fr", "Se connecter"), ("en", "Log in")],
)
def test_login_page_speaks_dutch_french_and_english(client, language, text):
    client.cookies["django_language"] = language
    response = client.get(reverse("login"))
    assert text in response.content.decode()


@pytest.mark.django_db
def test_dutch_is_the_default_language(client, settings):
    assert settings.LANGUAGE_CODE in ("nl", "en")  # the test profile speaks English

    assert base.LANGUAGE_CODE == "nl"
    assert [code for code, _ in base.LANGUAGES] == ["nl", "fr", "en"]
    assert base.TIME_ZONE == "Europe/Brussels"


@pytest.mark.django_db
def test_admin_shows_a_coordinator_only_their_organisation(client, coordinator, other_organisation):
    CoordinatorFactory(organisation=other_organisation, username="karim")
    client.force_login(coordinator)
    users = client.get("/admin/organisations/user/").content.decode()
    assert "sofie" in users and "karim" not in users
    organisations = client.get("/admin/organisations/organisation/").content.decode()
    assert "Samen Op Weg Gent" in organisations and "Maatjes Antwerpen" not in organisations


@pytest.mark.django_db
def test_organisation_admin_creates_accounts_only_in_their_organisation(
    client, org_admin, other_organisation
):
    client.force_login(org_admin)
    response = client.post(
        "/admin/organisations/user/add/",
        {"username": "newbuddy", "role": "volunteer", "password1": "a-long-pass-phrase-9",
         "password2": "a-long-pass-phrase-9", "usable_password": "true",
         "organisation": other_organisation.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(username="newbuddy")
    assert created.organisation_id == org_admin.organisation_id
    assert not created.is_staff and not created.is_superuser


@pytest.mark.django_db
def test_a_staff_role_given_in_the_admin_opens_the_admin_site(client, org_admin):
    client.force_login(org_admin)
    response = client.post(
        "/admin/organisations/user/add/",
        {"username": "newcoordinator", "role": "coordinator",
         "password1": "a-long-pass-phrase-9", "password2": "a-long-pass-phrase-9",
         "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(username="newcoordinator").is_staff


@pytest.mark.django_db
def test_coordinator_cannot_create_accounts(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/admin/organisations/user/add/").status_code == 403


@pytest.mark.django_db
def test_superuser_sees_every_organisation(client, organisation, other_organisation):
    boss = User.objects.create_superuser("umbrella", "umbrella@example.org", "x-long-pass-1")
    client.force_login(boss)
    page = client.get("/admin/organisations/organisation/").content.decode()
    assert "Samen Op Weg Gent" in page and "Maatjes Antwerpen" in page
    assert Organisation.objects.count() == 2
