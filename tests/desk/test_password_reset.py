"""Password reset: Django's e-mail link for staff (and volunteers with an address), a
single-use SMS link for a volunteer with only a phone; the same answer whether an account
exists or not, rate-limited, audited, and the second factor still asked afterwards."""

import re

import pytest
from django.core import mail
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from desk.password_reset import tasks
from notifications import tasks as notification_tasks
from notifications.models import SignedLink
from notifications.sms.backends import locmem
from organisations.models import AuditAction, AuditEvent
from tests.factories import CoordinatorFactory
from tests.factories_matching import VolunteerFactory

RESET = "/accounts/password/reset/"
NEW = "a-new-long-passphrase-42"


def ask(client, login, **extra):
    return client.post(RESET, {"login": login}, **extra)


def link_in(text: str) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", text).group(1)


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def set_password(client, path, password=NEW):
    return client.post(path, {"new_password1": password, "new_password2": password})


@pytest.fixture
def sms_volunteer(volunteer_user):
    volunteer_user.email = ""
    volunteer_user.save(update_fields=["email"])
    return VolunteerFactory(organisation=volunteer_user.organisation, user=volunteer_user,
                            email="", phone="+32470123456", message_language="nl")


def test_the_login_page_links_to_the_reset(client, db):
    assert f'href="{RESET}"' in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_a_coordinator_resets_by_e_mail_and_the_link_works_once(client, coordinator):
    response = ask(client, "sofie")
    assert response.status_code == 302 and response["Location"] == f"{RESET}sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [coordinator.email]
    path = link_in(message.body)

    opened = client.get(path)  # Django moves the token out of the address into the session
    assert opened.status_code == 302
    form_page = client.get(opened["Location"])
    assert form_page.context["validlink"]
    done = set_password(client, opened["Location"])
    assert done.status_code == 302 and done["Location"] == f"{RESET}done/"
    assert "_auth_user_id" not in client.session  # nobody is logged in by the reset

    assert client.login(username="sofie", password=NEW)
    client.logout()
    again = client.get(path, follow=True)
    assert not again.context["validlink"]
    assert "This link no longer works" in again.content.decode()


@pytest.mark.django_db
def test_the_e_mail_is_in_the_users_language(client, coordinator):
    coordinator.language = "nl"
    coordinator.save(update_fields=["language"])
    ask(client, coordinator.email.upper())
    assert mail.outbox[0].subject == "Samen Op Weg Gent: kies een nieuw wachtwoord"
    assert "Iemand vroeg een nieuw wachtwoord" in mail.outbox[0].body


@pytest.mark.django_db
def test_a_volunteer_without_e_mail_gets_a_single_use_sms_link(
        client, sms_volunteer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, "0470 12 34 56")
    assert response["Location"] == f"{RESET}sent/"
    assert mail.outbox == []
    [sms] = locmem.outbox
    assert sms.to == "+32470123456"
    assert "kies binnen 1 uur een nieuw wachtwoord" in sms.body  # the volunteer's language
    link = SignedLink.objects.get()
    assert link.single_use and link.recipient_key == f"volunteer:{sms_volunteer.pk}"
    assert (link.expires_at - link.created_at).total_seconds() <= 3600
    path = link_in(sms.body)

    page = client.get(path)
    assert page.status_code == 200 and "new_password1" in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    done = set_password(client, path)
    assert done.status_code == 200
    assert "Je wachtwoord is gewijzigd" in done.content.decode()
    assert client.login(username="pieter", password=NEW)
    client.logout()

    second = set_password(client, path, "yet-another-passphrase-7")
    assert second.status_code == 404
    assert "Deze link werkt niet meer" in second.content.decode()
    assert client.login(username="pieter", password=NEW)


@pytest.mark.django_db
def test_a_weak_password_on_the_sms_link_changes_nothing_and_keeps_the_link(
        client, sms_volunteer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "pieter")
    path = link_in(locmem.outbox[0].body)
    refused = set_password(client, path, "1234")
    assert refused.status_code == 200 and refused.context["form"].errors
    assert SignedLink.objects.get().used_at is None
    assert not client.login(username="pieter", password="1234")
    assert set_password(client, path).status_code == 200


@pytest.mark.django_db
def test_setting_the_password_stops_the_other_sms_links(
        client, sms_volunteer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "pieter")
        ask(client, "pieter")
    first, second = (link_in(sms.body) for sms in locmem.outbox)
    assert set_password(client, first).status_code == 200
    assert client.get(second).status_code == 404


@pytest.mark.django_db
def test_a_volunteer_with_an_e_mail_address_gets_the_e_mail_whatever_was_typed(
        client, volunteer_user):
    VolunteerFactory(organisation=volunteer_user.organisation, user=volunteer_user,
                     phone="+32470999888")
    ask(client, "+32 470 99 98 88")
    assert [m.to for m in mail.outbox] == [[volunteer_user.email]]
    assert locmem.outbox == []


@pytest.mark.django_db
def test_an_unknown_account_gets_the_same_page_and_nothing_is_sent(
        client, coordinator, django_capture_on_commit_callbacks):
    known = ask(client, "sofie", follow=True)
    mail.outbox.clear()
    events = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        unknown = [ask(client, login, follow=True) for login in
                   ("nobody", "nobody@example.org", "0470 00 00 00")]
    for response in unknown:
        assert response.redirect_chain == known.redirect_chain
        assert without_csrf(response) == without_csrf(known)
    assert mail.outbox == [] and locmem.outbox == []
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_an_inactive_account_or_one_without_a_way_to_reach_gets_nothing(client, organisation):
    CoordinatorFactory(organisation=organisation, username="gone", is_active=False)
    CoordinatorFactory(organisation=organisation, username="nomail", email="")
    for login in ("gone", "nomail"):
        assert ask(client, login)["Location"] == f"{RESET}sent/"
    assert mail.outbox == []


@pytest.mark.django_db
@override_settings(PASSWORD_RESET_LIMIT=5)
def test_an_account_gets_at_most_five_links_an_hour(client, coordinator):
    for n in range(7):
        response = ask(client, "sofie", REMOTE_ADDR=f"192.0.2.{n}")
        assert response["Location"] == f"{RESET}sent/"  # the same answer after the limit
    assert len(mail.outbox) == 5


@pytest.mark.django_db
@override_settings(PASSWORD_RESET_ADDRESS_LIMIT=3)
def test_one_address_may_ask_only_so_often(client, coordinator):
    for login in ("nobody", "sofie", "someone"):
        assert ask(client, login).status_code == 302
    refused = ask(client, "sofie")
    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert len(mail.outbox) == 1
    assert ask(client, "sofie", REMOTE_ADDR="192.0.2.99").status_code == 302


@pytest.mark.django_db
def test_the_request_and_the_change_are_audited_without_personal_data(client, coordinator):
    ask(client, "sofie")
    opened = client.get(link_in(mail.outbox[0].body))
    set_password(client, opened["Location"])
    requested = AuditEvent.objects.get(action=AuditAction.PASSWORD_RESET_REQUEST)
    changed = AuditEvent.objects.get(action=AuditAction.PASSWORD_RESET)
    for event in (requested, changed):
        assert event.subject_ref == f"organisations.user:{coordinator.pk}"
        assert event.label == f"user #{coordinator.pk}"
        assert event.organisation_id == coordinator.organisation_id
    assert requested.actor is None  # anyone may ask; it is not the account holder's act
    assert changed.actor == coordinator


@pytest.mark.django_db
@override_settings(REQUIRE_TWO_FACTOR=True)
def test_after_a_reset_staff_still_need_their_second_factor(client, coordinator):
    TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    ask(client, "sofie")
    opened = client.get(link_in(mail.outbox[0].body))
    set_password(client, opened["Location"])
    response = client.post("/accounts/login/", {"username": "sofie", "password": NEW},
                           follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/two-factor/?next=")
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_the_request_only_queues_the_e_mail_by_id_and_a_broker_down_changes_nothing(
        client, coordinator, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.password_reset_email, "delay", queued.append)
    assert ask(client, "sofie")["Location"] == f"{RESET}sent/"
    assert queued == [coordinator.pk] and mail.outbox == []

    def broker_down(user_id):
        raise ConnectionError("no broker")

    monkeypatch.setattr(tasks.password_reset_email, "delay", broker_down)
    assert ask(client, "sofie")["Location"] == f"{RESET}sent/"


@pytest.mark.django_db
def test_the_task_sends_nothing_to_an_account_that_lost_its_address(coordinator):
    coordinator.email = ""
    coordinator.save(update_fields=["email"])
    assert tasks.password_reset_email(coordinator.pk) is False
    assert mail.outbox == []


# Committed for real, as in production: the delivery is queued when the SMS's transaction
# commits, inside the request.
@pytest.mark.django_db(transaction=True)
def test_an_sms_that_cannot_be_queued_gives_the_same_page(client, sms_volunteer, monkeypatch):
    def broker_down(message_id):
        raise ConnectionError("no broker")

    monkeypatch.setattr(notification_tasks.deliver_sms, "delay", broker_down)
    assert ask(client, "0470 12 34 56")["Location"] == f"{RESET}sent/"
    assert locmem.outbox == []
