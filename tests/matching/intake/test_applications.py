"""The public application pages: a volunteer applies (/apply/<slug>/), a participant asks
for a buddy (/ask/<slug>/); abuse rules (trap field, rate limits per address and per
organisation), duplicates become a task to merge, bad input saves nothing, and the
coordinator's list of applications."""

import datetime
import html
import re

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from matching.intake import services as intake_services
from matching.intake.applications.models import Application, ApplicationStatus
from matching.intake.models import (
    ConsentRecord,
    Participant,
    ParticipantStatus,
    Volunteer,
    VolunteerStatus,
)
from matching.intake.selectors import waiting_list
from matching.intake.sms_texts import APPLICATION_RECEIVED
from notifications.models import CoordinatorTask, Message, TaskKind
from organisations.models import AuditEvent
from tests.factories import OrganisationFactory
from tests.factories_matching import InterestFactory, ParticipantFactory, VolunteerFactory

APPLY = "/apply/samen-op-weg/"
ASK = "/ask/samen-op-weg/"


def form_key(client, url):
    page = client.get(url).content.decode()
    return re.search(r'name="form_key" value="([0-9a-f]+)"', page).group(1)


def volunteer_data(client, **extra):
    data = {
        "form_key": form_key(client, APPLY), "first_name": "Lotte", "last_name": "Peeters",
        "phone": "0470 99 88 77", "email": "", "contact_channel": "sms",
        "message_language": "nl", "postcode": "9000", "languages": "nl, fr",
        "availability": ["0-2", "5-1"], "meeting_frequency": "weekly",
        "motivation": "Ik wandel graag en heb tijd.", "consents": ["data", "messages"],
        "website": "",
    }
    data.update(extra)
    return {key: value for key, value in data.items() if value is not None}


def participant_data(client, **extra):
    data = {
        "form_key": form_key(client, ASK), "first_name": "Samira", "phone": "0471 22 33 44",
        "contact_channel": "sms", "message_language": "fr", "postcode": "9000",
        "languages": "ar, fr", "availability": ["2-1"], "consents": ["data", "sms"],
        "website": "",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_a_volunteer_applies_and_is_an_applicant_thanked_by_sms(client, organisation):
    interest = InterestFactory(organisation=organisation)
    response = client.post(APPLY, volunteer_data(client, interests=[interest.pk]))
    assert response.status_code == 302 and response["Location"] == f"{APPLY}thanks/"
    volunteer = Volunteer.objects.get()
    assert volunteer.status == VolunteerStatus.APPLIED
    assert (volunteer.first_name, str(volunteer.phone)) == ("Lotte", "+32470998877")
    assert volunteer.meeting_frequency == "weekly"
    assert list(volunteer.interests.all()) == [interest]
    application = Application.objects.get()
    assert application.status == ApplicationStatus.REGISTERED
    assert application.volunteer == volunteer and application.consents == ["data", "messages"]
    message = Message.objects.get(template=APPLICATION_RECEIVED)
    assert message.recipient_key == f"volunteer:{volunteer.pk}" and message.language == "nl"
    assert AuditEvent.objects.filter(subject_ref=f"matching.volunteer:{volunteer.pk}",
                                     action="create").count() == 1
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and "Lotte" not in thanks.content.decode()


@pytest.mark.django_db
def test_an_applicant_is_never_proposed_until_screened(client, organisation):
    client.post(APPLY, volunteer_data(client))
    volunteer = Volunteer.objects.get()
    intake_services.volunteer_update(volunteer=volunteer,
                                     intake_talk_on=datetime.date(2026, 11, 1),
                                     certificate_seen_on=datetime.date(2026, 11, 2),
                                     training_done_on=datetime.date(2026, 11, 3))
    assert not Volunteer.objects.ready_with_capacity().filter(pk=volunteer.pk).exists()
    intake_services.volunteer_mark_ready(volunteer=volunteer,
                                         intake_talk_on=datetime.date(2026, 11, 1),
                                         certificate_seen_on=datetime.date(2026, 11, 2),
                                         training_done_on=datetime.date(2026, 11, 3))
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.ACTIVE
    assert Volunteer.objects.ready_with_capacity().filter(pk=volunteer.pk).exists()


@pytest.mark.django_db
def test_the_trap_field_thanks_a_robot_and_saves_nothing(client, organisation):
    response = client.post(APPLY, volunteer_data(client, website="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == f"{APPLY}thanks/"
    assert not Volunteer.objects.exists() and not Application.objects.exists()
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_the_trap_field_is_hidden_from_people(client, organisation):
    page = client.get(APPLY).content.decode()
    assert re.search(r'<div class="hp">.*name="website"', page, re.S)


@pytest.mark.django_db
@override_settings(APPLICATION_ADDRESS_LIMIT=2)
def test_one_address_may_send_only_a_few_applications_an_hour(client, organisation):
    for number in ("0470 00 00 01", "0470 00 00 02"):
        assert client.post(APPLY, volunteer_data(client, phone=number)).status_code == 302
    response = client.post(APPLY, volunteer_data(client, phone="0470 00 00 03"))
    assert response.status_code == 429
    assert "too many applications" in response.content.decode()
    assert Volunteer.objects.count() == 2
    # Another address is not held by it.
    other = client.post(APPLY, volunteer_data(client, phone="0470 00 00 04"),
                        REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302
    assert Volunteer.objects.count() == 3


@pytest.mark.django_db
@override_settings(APPLICATION_ORGANISATION_LIMIT=2)
def test_one_organisation_receives_only_so_many_an_hour(client, organisation):
    for index in range(2):
        response = client.post(APPLY, volunteer_data(client, phone=f"0470 00 01 0{index}"),
                               REMOTE_ADDR=f"198.51.100.{index + 1}")
        assert response.status_code == 302
    flooded = client.post(APPLY, volunteer_data(client, phone="0470 00 01 09"),
                          REMOTE_ADDR="198.51.100.9")
    assert flooded.status_code == 429 and Volunteer.objects.count() == 2
    OrganisationFactory(slug="andere")
    page = client.get("/apply/andere/").content.decode()
    key = re.search(r'name="form_key" value="([0-9a-f]+)"', page).group(1)
    other = client.post("/apply/andere/", volunteer_data(client, form_key=key,
                                                         phone="0470 00 01 08"),
                        REMOTE_ADDR="198.51.100.8")
    assert other.status_code == 302


@pytest.mark.django_db
def test_the_same_form_sent_twice_is_one_application(client, organisation):
    data = volunteer_data(client)
    client.post(APPLY, data)
    client.post(APPLY, data)
    assert Volunteer.objects.count() == 1 and Application.objects.count() == 1
    assert Message.objects.filter(template=APPLICATION_RECEIVED).count() == 1


@pytest.mark.django_db
def test_a_registered_volunteer_applying_again_becomes_a_task_not_a_second_person(
        client, organisation):
    registered = VolunteerFactory(organisation=organisation, first_name="Lotte",
                                  phone="+32470998877", status=VolunteerStatus.ACTIVE)
    fresh = client.post(APPLY, volunteer_data(client, phone="0470 11 11 11"))
    response = client.post(APPLY, volunteer_data(client, languages="nl, en"))
    # The visitor sees exactly what anyone sees.
    assert response.status_code == fresh.status_code == 302
    assert response["Location"] == fresh["Location"]
    assert Volunteer.objects.count() == 2  # the registered one and the fresh applicant
    application = Application.objects.get(status=ApplicationStatus.DUPLICATE)
    assert application.volunteer == registered and application.data["languages"] == [
        "nl", "en"]
    task = CoordinatorTask.objects.get(kind=TaskKind.MERGE_APPLICATION)
    assert task.recipient_key == f"volunteer:{registered.pk}" and task.done_at is None
    # They are thanked like anyone else, at the number they typed.
    assert Message.objects.filter(template=APPLICATION_RECEIVED,
                                  recipient_key=f"volunteer:{registered.pk}").count() == 1


@pytest.mark.django_db
def test_an_e_mail_address_in_other_capitals_is_the_same_person(client, organisation):
    registered = VolunteerFactory(organisation=organisation, email="lotte@example.org")
    client.post(APPLY, volunteer_data(client, email="Lotte@Example.org",
                                      contact_channel="email", phone="0470 55 55 55"))
    assert Application.objects.get().volunteer == registered
    assert Application.objects.get().status == ApplicationStatus.DUPLICATE


@pytest.mark.django_db
def test_someone_of_another_organisation_is_not_a_duplicate(client, organisation):
    VolunteerFactory(organisation=OrganisationFactory(), phone="+32470998877")
    client.post(APPLY, volunteer_data(client))
    assert Application.objects.get().status == ApplicationStatus.REGISTERED


@pytest.mark.django_db
def test_bad_input_says_what_is_wrong_in_the_visitors_language_and_saves_nothing(
        client, organisation):
    client.cookies["django_language"] = "fr"
    response = client.post(APPLY, volunteer_data(client, postcode="0000", phone="12",
                                                 consents=["messages"]))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert 'lang="fr"' in page
    assert "0000 n'est pas un code postal belge." in page
    assert "12 n'est pas un numéro de téléphone possible." in page
    assert "Rien n'a encore été enregistré." in page
    assert "nous gardions vos données" in page  # the consent to keep the data is missing
    assert not Volunteer.objects.exists() and not Application.objects.exists()
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_without_consent_to_keep_the_data_nobody_is_registered(client, organisation):
    response = client.post(APPLY, volunteer_data(client, consents=["messages"]))
    assert response.status_code == 200
    assert "keep your data" in response.content.decode()
    assert not Volunteer.objects.exists()


@pytest.mark.django_db
def test_an_unknown_or_closed_organisation_has_no_page(client, organisation):
    assert client.get("/apply/nobody-here/").status_code == 404
    OrganisationFactory(slug="gesloten", is_active=False)
    assert client.get("/apply/gesloten/").status_code == 404
    assert client.get("/ask/gesloten/").status_code == 404


@pytest.mark.django_db
def test_the_page_shows_only_the_organisations_own_catalogue(client, organisation):
    InterestFactory(organisation=organisation, label_en="Walking together")
    InterestFactory(organisation=OrganisationFactory(), label_en="Their secret hobby")
    page = client.get(APPLY).content.decode()
    assert "Walking together" in page and "Their secret hobby" not in page


@pytest.mark.django_db
def test_a_participant_asks_for_a_buddy_and_waits_for_the_coordinators_confirmation(
        client, organisation, coordinator):
    with time_machine.travel(datetime.datetime(2026, 11, 10, 11, 0), tick=True):
        response = client.post(ASK, participant_data(client))
    assert response.status_code == 302 and response["Location"] == f"{ASK}thanks/"
    participant = Participant.objects.get()
    assert participant.status == ParticipantStatus.TO_CONFIRM
    assert participant.referrer == "self" and participant.message_language == "fr"
    assert participant not in waiting_list()
    consents = dict(ConsentRecord.objects.values_list("purpose", "given"))
    assert consents == {"data": True, "sms": True, "share_profile": False}
    assert Message.objects.get(template=APPLICATION_RECEIVED).language == "fr"
    client.force_login(coordinator)
    page = client.get("/applications/").content.decode()
    assert "Samira" in page
    client.post(f"/applications/participants/{participant.pk}/confirm/")
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.WAITING
    assert participant.waiting_since == datetime.date(2026, 11, 10)
    assert participant in waiting_list()
    # A second click changes nothing and says why.
    again = client.post(f"/applications/participants/{participant.pk}/confirm/", follow=True)
    assert "not waiting for a confirmation" in again.content.decode()


@pytest.mark.django_db
def test_a_participant_page_in_plain_words_without_javascript(client, organisation):
    page = client.get(ASK).content.decode()
    assert "<script" not in page
    assert "Ask for a buddy" in page and "What do you like to do?" in page
    assert 'name="viewport" content="width=device-width' in page


@pytest.mark.django_db
def test_a_registered_participant_asking_again_becomes_a_task(client, organisation):
    registered = ParticipantFactory(organisation=organisation, phone="+32471223344")
    client.post(ASK, participant_data(client))
    assert Participant.objects.count() == 1
    assert Application.objects.get().participant == registered
    assert CoordinatorTask.objects.filter(kind=TaskKind.MERGE_APPLICATION,
                                          recipient_key=f"participant:{registered.pk}"
                                          ).exists()


@pytest.mark.django_db
def test_merging_copies_the_new_details_and_forgets_the_form(client, organisation,
                                                             coordinator):
    walking = InterestFactory(organisation=organisation)
    registered = VolunteerFactory(organisation=organisation, phone="+32470998877",
                                  languages=["nl"], motivation="Eerder gemotiveerd.")
    client.post(APPLY, volunteer_data(client, languages="fr", interests=[walking.pk],
                                      email="lotte@example.org"))
    application = Application.objects.get()
    client.force_login(coordinator)
    page = client.get("/applications/").content.decode()
    assert "lotte@example.org" in page
    response = client.post(f"/applications/{application.pk}/merge/")
    assert response.status_code == 302
    registered.refresh_from_db()
    assert registered.languages == ["nl", "fr"] and registered.email == "lotte@example.org"
    assert list(registered.interests.all()) == [walking]
    assert registered.motivation.startswith("Eerder gemotiveerd.")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.MERGED and application.data == {}
    assert application.decided_by == coordinator
    assert CoordinatorTask.objects.get(kind=TaskKind.MERGE_APPLICATION).done_at is not None
    # Merging twice changes nothing more.
    again = client.post(f"/applications/{application.pk}/merge/", follow=True)
    assert "handled already" in again.content.decode()


@pytest.mark.django_db
def test_putting_a_duplicate_aside_leaves_the_person_as_they_were(client, organisation,
                                                                 coordinator):
    registered = VolunteerFactory(organisation=organisation, phone="+32470998877",
                                  languages=["nl"])
    client.post(APPLY, volunteer_data(client, languages="fr"))
    application = Application.objects.get()
    client.force_login(coordinator)
    client.post(f"/applications/{application.pk}/discard/")
    registered.refresh_from_db()
    assert registered.languages == ["nl"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DISCARDED and application.data == {}


@pytest.mark.django_db
def test_the_applications_list_takes_the_same_queries_for_many_rows(
        client, organisation, coordinator, django_assert_max_num_queries):
    client.force_login(coordinator)

    def add(count, start):
        for index in range(count):
            registered = VolunteerFactory(organisation=organisation)
            Application.objects.create(
                organisation=organisation, kind="volunteer", status="duplicate",
                volunteer=registered, form_key=f"k{start + index}",
                data={"first_name": "X", "phone": "", "postcode": "9000"})
            VolunteerFactory(organisation=organisation, status=VolunteerStatus.APPLIED)
            ParticipantFactory(organisation=organisation, status=ParticipantStatus.TO_CONFIRM)

    add(2, 0)
    client.get("/applications/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/applications/").status_code == 200
    add(10, 100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/applications/").status_code == 200


@pytest.mark.django_db
def test_the_poster_shows_both_addresses_with_qr_codes(coordinator_client, organisation):
    page = coordinator_client.get("/applications/poster/").content.decode()
    assert "/apply/samen-op-weg/" in page and "/ask/samen-op-weg/" in page
    assert page.count("<svg") == 2


@pytest.mark.django_db
def test_the_applications_pages_are_for_staff(client, organisation, volunteer_user):
    assert client.get("/applications/").status_code == 302
    client.force_login(volunteer_user)
    assert client.get("/applications/").status_code == 403
    assert client.get("/applications/poster/").status_code == 403
