"""Meetings logged by the volunteer, expenses with receipts, and what a volunteer sees."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from duos import services
from duos.models import RECEIPT_MAX_BYTES, Alert, AlertKind, Expense, MeetingLog
from tests.factories import CoordinatorFactory
from tests.factories_duos import active_duo, pending_duo, volunteer_with_account

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def my_duo(organisation):
    volunteer, account = volunteer_with_account(organisation, username="lotte")
    duo = active_duo(organisation, volunteer=volunteer,
                     start_date=datetime.date.today() - datetime.timedelta(days=30))
    return duo, account


def _log_form(**extra):
    data = {"date": datetime.date.today().isoformat(), "duration": "one_two",
            "activities": ["walk", "coffee"], "how_it_went": "4", "client_key": "k1"}
    data.update(extra)
    return data


@pytest.mark.django_db
def test_volunteer_logs_a_meeting_with_an_expense_and_a_receipt_photo(client, my_duo):
    duo, account = my_duo
    client.force_login(account)
    page = client.get(f"/duos/my/{duo.pk}/log/")
    assert page.status_code == 200
    receipt = SimpleUploadedFile("IMG_2031.png", PNG, content_type="image/png")
    response = client.post(f"/duos/my/{duo.pk}/log/", _log_form(
        expense_amount="12,50".replace(",", "."), expense_kind="tickets",
        expense_receipt=receipt, note_to_coordinator="Nice day"))
    assert response.status_code == 302, response.content.decode()[:2000]
    log = MeetingLog.objects.get(duo=duo)
    assert (log.how_it_went, log.activities, log.created_by) == (4, ["walk", "coffee"], account)
    expense = Expense.objects.get(meeting_log=log)
    assert expense.amount_cents == 1250
    assert expense.receipt_type == "png"
    assert "IMG_2031" not in expense.receipt.name
    assert expense.receipt.name.startswith("receipts/")
    assert client.get(f"/duos/my/{duo.pk}/log/").status_code == 200
    my_page = client.get("/duos/my/").content.decode()
    assert "€\u00a012,50" in my_page


@pytest.mark.django_db
def test_we_did_not_meet_is_a_valid_log(my_duo):
    duo, account = my_duo
    log = services.meeting_log_create(duo=duo, created_by=account, date=datetime.date.today(),
                                      did_not_meet=True, not_met_reason="She was ill",
                                      how_it_went=3, duration="day")
    assert log.did_not_meet and log.how_it_went is None and log.duration == ""
    assert log.not_met_reason == "She was ill"


@pytest.mark.django_db
def test_a_meeting_needs_how_long_and_how_it_went(my_duo):
    duo, account = my_duo
    with pytest.raises(ValidationError) as error:
        services.meeting_log_create(duo=duo, created_by=account, date=datetime.date.today())
    assert set(error.value.message_dict) == {"duration", "how_it_went"}


@pytest.mark.django_db
def test_a_meeting_in_the_future_is_refused(my_duo):
    duo, account = my_duo
    with pytest.raises(ValidationError):
        services.meeting_log_create(duo=duo, created_by=account,
                                    date=datetime.date.today() + datetime.timedelta(days=1),
                                    duration="short", how_it_went=3)


@pytest.mark.django_db
def test_a_double_click_saves_one_log(client, my_duo):
    duo, account = my_duo
    client.force_login(account)
    client.post(f"/duos/my/{duo.pk}/log/", _log_form())
    client.post(f"/duos/my/{duo.pk}/log/", _log_form())
    assert MeetingLog.objects.filter(duo=duo).count() == 1


@pytest.mark.django_db
def test_talk_to_me_flag_opens_one_alert_for_the_coordinator(my_duo):
    duo, account = my_duo
    for key in ("a", "b"):
        services.meeting_log_create(duo=duo, created_by=account, date=datetime.date.today(),
                                    duration="short", how_it_went=2, wants_to_talk=True,
                                    client_key=key)
    assert Alert.objects.filter(duo=duo, kind=AlertKind.TALK_TO_ME,
                                resolved_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_a_pending_duo_cannot_log_meetings_yet(organisation):
    volunteer, account = volunteer_with_account(organisation)
    duo = pending_duo(organisation, volunteer=volunteer)
    with pytest.raises(ValidationError):
        services.meeting_log_create(duo=duo, created_by=account, date=datetime.date.today(),
                                    duration="short", how_it_went=3)


@pytest.mark.django_db
def test_another_volunteer_cannot_log_for_the_duo(organisation, my_duo):
    duo, _account = my_duo
    _other, other_account = volunteer_with_account(organisation)
    with pytest.raises(ValidationError):
        services.meeting_log_create(duo=duo, created_by=other_account,
                                    date=datetime.date.today(), duration="short",
                                    how_it_went=3)


@pytest.mark.django_db
def test_volunteer_sees_only_their_own_duo(client, organisation, my_duo):
    duo, account = my_duo
    other_duo = active_duo(organisation)
    client.force_login(account)
    page = client.get("/duos/my/").content.decode()
    assert duo.participant.first_name in page
    assert other_duo.participant.first_name not in page
    # Never the intake note, the referrer, the last name or the phone of the participant.
    for private in ("Private intake note", "OCMW Gent", "Haddad", "470 12 34 56",
                    "+32470123456"):
        assert private not in page
    assert client.get(f"/duos/my/{other_duo.pk}/log/").status_code == 404
    assert client.post(f"/duos/my/{other_duo.pk}/log/", _log_form()).status_code == 404
    assert not MeetingLog.objects.filter(duo=other_duo).exists()
    assert client.get(f"/duos/{duo.pk}/").status_code == 403


@pytest.mark.django_db
def test_volunteer_api_lists_and_logs_only_own_duo(api_client, organisation, my_duo):
    duo, account = my_duo
    other_duo = active_duo(organisation)
    services.meeting_log_create(duo=other_duo, created_by=_staff(organisation),
                                date=datetime.date.today(),
                                duration="short", how_it_went=3)
    api_client.force_login(account)
    payload = {"duo": duo.pk, "date": datetime.date.today().isoformat(), "duration": "short",
               "how_it_went": 5, "activities": ["walk"]}
    assert api_client.post("/api/duos/my/meeting-logs/", payload, format="json").status_code \
        == 201
    refused = api_client.post("/api/duos/my/meeting-logs/", {**payload, "duo": other_duo.pk},
                              format="json")
    assert refused.status_code == 404
    listed = api_client.get("/api/duos/my/meeting-logs/").json()["results"]
    assert [row["duo"] for row in listed] == [duo.pk]
    duos = api_client.get("/api/duos/my/duos/").json()["results"]
    assert [d["id"] for d in duos] == [duo.pk]
    assert "participant_name" not in duos[0]
    assert api_client.get("/api/duos/meeting-logs/").status_code == 403


def _staff(organisation):
    return CoordinatorFactory(organisation=organisation)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "ok"), [
    ("receipt.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32, True),
    ("receipt.pdf", b"%PDF-1.7\n...", True),
    ("receipt.png", PNG, True),
    ("receipt.png", b"<svg onload=alert(1)>", False),
    ("receipt.exe", b"MZ\x90\x00", False),
])
def test_a_receipt_must_be_jpeg_png_or_pdf(my_duo, name, content, ok):
    duo, account = my_duo
    upload = SimpleUploadedFile(name, content)
    claim = lambda: services.expense_claim(  # noqa: E731
        duo=duo, claimed_by=account, spent_on=datetime.date.today(), amount="3.20",
        kind="transport", receipt=upload)
    if ok:
        assert claim().receipt
    else:
        with pytest.raises(ValidationError):
            claim()


@pytest.mark.django_db
def test_a_receipt_larger_than_5_mb_is_refused(my_duo):
    duo, account = my_duo
    upload = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * RECEIPT_MAX_BYTES)
    with pytest.raises(ValidationError) as error:
        services.expense_claim(duo=duo, claimed_by=account, spent_on=datetime.date.today(),
                               amount="3.20", kind="transport", receipt=upload)
    assert "5 MB" in error.value.message_dict["receipt"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["0", "-4", "abc", "1.234", "5000"])
def test_an_impossible_amount_is_refused(my_duo, amount):
    duo, account = my_duo
    with pytest.raises(ValidationError):
        services.expense_claim(duo=duo, claimed_by=account, spent_on=datetime.date.today(),
                               amount=amount, kind="transport")


@pytest.mark.django_db
def test_the_receipt_is_served_only_to_staff_and_the_duos_volunteer(client, organisation,
                                                                     coordinator, my_duo):
    duo, account = my_duo
    expense = services.expense_claim(duo=duo, claimed_by=account,
                                     spent_on=datetime.date.today(), amount="4",
                                     kind="food",
                                     receipt=SimpleUploadedFile("r.png", PNG))
    url = f"/duos/expenses/{expense.pk}/receipt/"
    assert client.get(url).status_code == 302  # to the login page
    _other, other_account = volunteer_with_account(organisation)
    client.force_login(other_account)
    assert client.get(url).status_code == 404
    client.force_login(account)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    client.force_login(coordinator)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_a_bad_receipt_shows_on_the_form_and_saves_nothing(client, my_duo):
    duo, account = my_duo
    client.force_login(account)
    response = client.post(f"/duos/my/{duo.pk}/log/", _log_form(
        expense_amount="4.00", expense_kind="food",
        expense_receipt=SimpleUploadedFile("x.png", b"GIF89a not a png")))
    assert response.status_code == 200
    assert "A receipt must be a photo (JPEG or PNG) or a PDF." in response.content.decode()
    assert not MeetingLog.objects.filter(duo=duo).exists()
    assert not Expense.objects.filter(duo=duo).exists()


@pytest.mark.django_db
def test_my_duo_page_shows_the_agreed_roles_in_words(client, my_duo):
    duo, account = my_duo
    client.force_login(account)
    page = client.get("/duos/my/").content.decode()
    assert "Practising the language" in page and "Finances" in page
    assert "free_time" not in page


@pytest.mark.django_db
def test_volunteer_api_claims_an_expense_with_a_receipt_only_for_own_duo(api_client,
                                                                          organisation, my_duo):
    duo, account = my_duo
    other_duo = active_duo(organisation)
    api_client.force_login(account)
    payload = {"duo": duo.pk, "spent_on": datetime.date.today().isoformat(), "amount": "6.40",
               "kind": "transport", "receipt": SimpleUploadedFile("bus.png", PNG)}
    created = api_client.post("/api/duos/my/expenses/", payload, format="multipart")
    assert created.status_code == 201, created.json()
    assert created.json()["amount_cents"] == 640 and created.json()["has_receipt"]
    other = api_client.post("/api/duos/my/expenses/", {**payload, "duo": other_duo.pk,
                                                        "receipt": SimpleUploadedFile(
                                                            "bus.png", PNG)},
                            format="multipart")
    assert other.status_code == 404
    bad = api_client.post("/api/duos/my/expenses/", {**payload, "receipt": SimpleUploadedFile(
        "bus.png", b"not an image")}, format="multipart")
    assert bad.status_code == 400 and "receipt" in bad.json()["error"]["fields"]
    listed = api_client.get("/api/duos/my/expenses/").json()["results"]
    assert [row["duo"] for row in listed] == [duo.pk]
