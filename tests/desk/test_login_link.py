"""A volunteer logs in by a single-use link (SMS or e-mail, 15 minutes); the same answer
whether an account exists or not, rate-limited, audited; staff cannot use it."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings

from notifications.sms.backends import locmem
from organisations.models import AuditEvent
from tests.factories import CoordinatorFactory
from tests.factories_matching import VolunteerFactory

pytestmark = pytest.mark.django_db
ASK = "/accounts/login/link/"


@pytest.fixture
def sms_volunteer(volunteer_user):
    volunteer_user.email = ""
    volunteer_user.save(update_fields=["email"])
    return VolunteerFactory(organisation=volunteer_user.organisation, user=volunteer_user,
                            email="", phone="+32470123456", message_language="nl")


def link_in(text):
    return re.search(r"https?://[^/\s]+(/s/\S+)", text).group(1)


def test_a_volunteer_gets_an_sms_link_that_logs_in_once(client, sms_volunteer, volunteer_user,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ASK, {"login": "0470 12 34 56"})
    assert response.status_code == 200 and "a link is on its way" in response.content.decode()
    sms = [m for m in locmem.outbox if m.to == "+32470123456"]
    assert len(sms) == 1
    path = link_in(sms[0].body)
    browser = Client()
    page = browser.get(path)
    assert page.status_code == 200 and "_auth_user_id" not in browser.session
    # Opening it (a mail scanner does) spends nothing: the button does.
    assert browser.get(path).status_code == 200
    done = browser.post(path)
    assert done.status_code == 302 and done["Location"] == "/me/"
    assert browser.session["_auth_user_id"] == str(volunteer_user.pk)
    assert browser.get("/me/").status_code == 200
    assert AuditEvent.objects.filter(action="login_success", actor=volunteer_user).count() == 1
    other = Client()
    again = other.post(path)
    assert "_auth_user_id" not in other.session and again.status_code == 404


def test_a_volunteer_with_an_address_gets_it_by_e_mail(client, volunteer_user,
                                                      django_capture_on_commit_callbacks):
    VolunteerFactory(organisation=volunteer_user.organisation, user=volunteer_user,
                     email="lotte@example.org", contact_channel="email")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ASK, {"login": "lotte@example.org"})
    assert mail.outbox and mail.outbox[-1].to == ["lotte@example.org"]
    assert "/s/" in mail.outbox[-1].body


def test_the_answer_is_the_same_for_nobody_and_staff_get_nothing(client, organisation,
                                                                  sms_volunteer):
    CoordinatorFactory(organisation=organisation, username="sofie", email="sofie@example.org")
    known = client.post(ASK, {"login": "0470 12 34 56"}).content.decode()
    unknown = client.post(ASK, {"login": "0499 99 99 99"}).content.decode()
    staff = client.post(ASK, {"login": "sofie"}).content.decode()

    def without_token(text):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)

    assert without_token(known).replace("0470 12 34 56", "X") == without_token(
        unknown).replace("0499 99 99 99", "X")
    assert "a link is on its way" in staff
    assert not mail.outbox  # nothing for the coordinator


@override_settings(PASSWORD_RESET_ADDRESS_LIMIT=2)
def test_one_address_may_ask_only_a_few_times(client, sms_volunteer):
    for _ in range(2):
        assert client.post(ASK, {"login": "0470 12 34 56"}).status_code == 200
    assert client.post(ASK, {"login": "0470 12 34 56"}).status_code == 429
