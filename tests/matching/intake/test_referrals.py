"""Referrals by partners through their own link: the participant is registered "to confirm"
with the consent the referrer recorded, gets an SMS, and only their YES puts them on the
waiting list, waiting since the referral date; the partner's page shows only its own
referrals, and how they go only once the participant agreed."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from matching.intake.models import ConsentRecord, Participant, ParticipantStatus, Postcode
from matching.intake.referrals.models import Partner, Referral, ReferralStatus
from matching.intake.sms_texts import REFERRAL_CONFIRM
from notifications.models import CoordinatorTask, Message, TaskKind
from notifications.services import sms_receive
from notifications.sms import InboundSms
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
BRUSSELS = timezone.get_default_timezone()


@pytest.fixture
def partner(organisation):
    return Partner.objects.create(organisation=organisation, name="OCMW Gent", kind="ocmw")


def url(partner):
    return f"/refer/{partner.token}/"


def referral_data(client, partner, **extra):
    page = client.get(url(partner)).content.decode()
    data = {
        "form_key": re.search(r'name="form_key" value="([0-9a-f]+)"', page).group(1),
        "first_name": "Amina", "last_name": "Haddad", "phone": "0471 55 66 77",
        "contact_channel": "sms", "message_language": "nl", "postcode": "9000",
        "languages": "nl, ar", "availability": ["2-1"], "consent_recorded": "on",
        "consents": ["sms"], "referred_by": "Els", "website": "",
    }
    data.update(extra)
    return data


def test_a_referral_registers_them_to_confirm_and_asks_yes_by_sms(client, partner):
    response = client.post(url(partner), referral_data(client, partner))
    assert response.status_code == 200 and "the referral is in" in response.content.decode()
    participant = Participant.objects.get()
    assert participant.status == ParticipantStatus.TO_CONFIRM
    assert (participant.referrer, participant.referrer_detail) == ("ocmw", "OCMW Gent")
    assert dict(ConsentRecord.objects.values_list("purpose", "given")) == {
        "data": True, "sms": True, "share_profile": False}
    referral = Referral.objects.get()
    assert (referral.partner, referral.referred_by, referral.status) == (partner, "Els",
                                                                         "asked")
    message = Message.objects.get(template=REFERRAL_CONFIRM)
    assert message.recipient_key == f"participant:{participant.pk}"
    assert "OCMW" not in message.body  # nothing sensitive on a phone screen


def test_without_the_participants_consent_nothing_is_saved(client, partner):
    response = client.post(url(partner), referral_data(client, partner, consent_recorded=""))
    assert response.status_code == 200
    assert "participant agreed" in response.content.decode()
    assert not Participant.objects.exists() and not Referral.objects.exists()


def test_the_same_form_twice_is_one_referral(client, partner):
    data = referral_data(client, partner)
    client.post(url(partner), data)
    client.post(url(partner), data)
    assert Referral.objects.count() == 1 and Participant.objects.count() == 1


def test_someone_registered_already_is_a_task_to_compare_never_a_second_person(
        client, partner, organisation):
    registered = Participant.objects.create(
        organisation=organisation, first_name="Amina", last_name="H.", phone="+32471556677",
        postcode=Postcode.objects.get(code="9000"), waiting_since=datetime.date(2026, 1, 5))
    data = referral_data(client, partner)
    for _ in range(2):  # a double click, or the partner trying again
        response = client.post(url(partner), data)
        assert response.status_code == 200 and "the referral is in" in response.content.decode()
    # The partner sees the same page as for anyone; nothing tells them she is a client here.
    assert list(Participant.objects.all()) == [registered]
    assert not Referral.objects.exists()
    assert not Message.objects.filter(template=REFERRAL_CONFIRM).exists()
    task = CoordinatorTask.objects.get(kind=TaskKind.MERGE_APPLICATION)
    assert task.recipient_key == f"participant:{registered.pk}"
    assert "OCMW Gent (Els)" in task.detail
    # Another number and address: a new person, as before.
    client.post(url(partner), referral_data(client, partner, phone="0471 00 11 22",
                                            first_name="Yusuf"))
    assert Participant.objects.count() == 2 and Referral.objects.count() == 1


def test_yes_by_sms_puts_them_on_the_waiting_list_since_the_referral_date(
        client, partner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(partner), referral_data(client, partner))
    participant = Participant.objects.get()
    with time_machine.travel(datetime.datetime(2026, 11, 20, 18, tzinfo=BRUSSELS)):
        sms_receive("locmem", InboundSms(sender="+32471556677", to="", body="ja",
                                         provider_id="ref-yes-1"))
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.WAITING
    assert participant.waiting_since == datetime.date(2026, 11, 17)
    assert Referral.objects.get().status == ReferralStatus.CONFIRMED
    page = client.get(url(partner)).content.decode()
    assert "Amina" in page and "on the waiting list" in page


def test_someone_without_a_mobile_gets_a_call_and_the_coordinator_confirms(
        client, partner, coordinator):
    client.post(url(partner), referral_data(client, partner, phone="09 210 10 10",
                                            contact_channel="call"))
    participant = Participant.objects.get()
    task = CoordinatorTask.objects.get(kind=TaskKind.CALL_PREFERRED)
    assert task.recipient_key == f"participant:{participant.pk}" and "OCMW" in task.detail
    client.force_login(coordinator)
    client.post(f"/applications/participants/{participant.pk}/confirm/")
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.WAITING
    assert Referral.objects.get().status == ReferralStatus.CONFIRMED


def test_the_partner_sees_only_its_own_referrals_and_how_they_go_once_agreed(
        client, partner, organisation):
    other = Partner.objects.create(organisation=organisation, name="CAW", kind="caw")
    client.post(url(other), referral_data(client, other, first_name="Zqxanders",
                                          phone="0471 00 00 01"))
    client.post(url(partner), referral_data(client, partner))
    page = client.get(url(partner)).content.decode()
    assert "Amina" in page and "waiting for their answer" in page
    assert "Zqxanders" not in page


def test_an_unknown_or_stopped_link_has_no_page(client, partner):
    assert client.get("/refer/not-a-key/").status_code == 404
    partner.is_active = False
    partner.save()
    assert client.get(url(partner)).status_code == 404
    closed = Partner.objects.create(organisation=OrganisationFactory(is_active=False),
                                    name="X")
    assert client.get(url(closed)).status_code == 404


def test_the_partners_page_keeps_its_key_out_of_other_sites_and_search_engines(client,
                                                                               partner):
    response = client.get(url(partner))
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
