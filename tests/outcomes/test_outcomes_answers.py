"""Answering a survey: by SMS reply through the signed webhook (one question at a time, in
the person's language), by the link page (all questions, no JavaScript), by the coordinator
on the phone; bad replies, late answers, STOP for the surveys only, and who may read."""

import datetime

import pytest
from twilio.request_validator import RequestValidator

from desk.privacy import selectors as privacy_selectors
from desk.privacy import services as privacy_services
from duos import messaging as duo_messaging
from duos.models import Alert, AlertKind
from matching.intake.models import Participant, Volunteer
from notifications.models import CoordinatorTask, Message, OptOut, SignedLink, TaskKind
from notifications.services import link_create
from notifications.sms.backends import locmem
from notifications.tasks import reminders_dispatch
from outcomes import services
from outcomes.models import Answer, Channel, Moment, Survey, SurveyStop
from tests.factories import VolunteerUserFactory

from .conftest import P_PHONE, at

pytestmark = pytest.mark.django_db
TOKEN = "twilio-test-token"
ASKED_ON = datetime.date(2026, 6, 2)


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SITE_URL = "https://buddy.example.org"


def reply(client, body, sid, sender=P_PHONE):
    """An SMS from the person, through Twilio's signed webhook."""
    params = {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender,
              "To": "+3228080000", "Body": body, "NumMedia": "0"}
    signature = RequestValidator(TOKEN).compute_signature(
        "https://buddy.example.org/sms/twilio/inbound/", params)
    response = client.post("/sms/twilio/inbound/", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 200
    return response


def bodies(phone=P_PHONE):
    return [sms.body for sms in locmem.outbox if sms.to == phone]


@pytest.fixture
def asked(duo, on_commit):
    """The participant's three-month survey, its first question sent by SMS."""
    with at(ASKED_ON), on_commit():
        reminders_dispatch(only={"outcomes.survey_open", "outcomes.survey_ask"})
    return Survey.objects.get(moment=Moment.FOLLOW_UP)


def test_answers_by_sms_one_question_at_a_time_in_dutch(client, asked, on_commit):
    assert "Op hoeveel mensen kan je rekenen" in bodies()[-1]
    with at(ASKED_ON, 11), on_commit():
        reply(client, "2", "SM1")
    assert "Hoe vaak voel je je alleen? 1 nooit, 2 soms, 3 vaak, 4 altijd" in bodies()[-1]
    with at(ASKED_ON, 11, 5), on_commit():
        reply(client, "3", "SM2")
        reply(client, "ja", "SM3")
        reply(client, "NEE", "SM4")
        reply(client, "5", "SM5")
    survey = Survey.objects.get(pk=asked.pk)
    assert survey.completed_at is not None
    assert [(a.question.measure, a.number, a.channel, a.late) for a in survey.answers.all()] == [
        ("people_to_count_on", 2, Channel.SMS, False), ("feel_alone", 3, Channel.SMS, False),
        ("did_something_with_someone", 1, Channel.SMS, False),
        ("someone_to_talk_to", 0, Channel.SMS, False), ("duo_going", 5, Channel.SMS, False)]
    assert "bedankt voor je antwoorden" in bodies()[-1]
    # A provider retrying its webhook changes nothing.
    with at(ASKED_ON, 11, 6), on_commit():
        reply(client, "5", "SM5")
    assert Answer.objects.count() == 5
    assert not CoordinatorTask.objects.exists()


def test_every_survey_sms_fits_one_segment_with_the_shipped_questions(client, asked,
                                                                      on_commit):
    with at(ASKED_ON, 11), on_commit():
        for number, answer in enumerate(["2", "3", "ja", "nee"]):
            reply(client, answer, f"SM{number}")
    sent = Message.objects.filter(phone=P_PHONE, template="outcomes.next_question")
    assert sent.count() == 4 and {m.segments for m in sent} == {1}


def test_a_number_with_words_after_it_is_understood(client, asked, on_commit):
    with at(ASKED_ON, 11), on_commit():
        reply(client, "2 mensen", "SM1")
        reply(client, "3, soms", "SM2")
    assert sorted(Answer.objects.values_list("number", flat=True)) == [2, 3]


def test_none_answers_a_count_with_zero(client, asked, on_commit):
    with at(ASKED_ON, 11), on_commit():
        reply(client, "geen", "SM1")
    assert Answer.objects.get().number == 0


def test_a_bad_reply_gets_what_is_expected_and_a_second_becomes_a_task(client, asked,
                                                                      on_commit):
    with at(ASKED_ON, 11), on_commit():
        reply(client, "veel", "SM1")
    assert "dat begrepen we niet. Antwoord: Een cijfer, 0 als niemand." in bodies()[-1]
    assert not CoordinatorTask.objects.exists() and not Answer.objects.exists()
    sent_before = len(bodies())
    with at(ASKED_ON, 11, 5), on_commit():
        reply(client, "weet ik niet", "SM2")
    assert len(bodies()) == sent_before  # no second "expected" SMS
    task = CoordinatorTask.objects.get()
    assert task.kind == TaskKind.UNEXPECTED_REPLY
    assert task.recipient_key == asked.person_key
    assert not Answer.objects.exists()


def test_a_scale_answer_out_of_range_is_not_stored(client, asked, on_commit):
    with at(ASKED_ON, 11), on_commit():
        reply(client, "3", "SM1")
        reply(client, "7", "SM2")  # the scale is 1 to 4
    assert Answer.objects.count() == 1
    assert "Antwoord: 1 nooit, 2 soms, 3 vaak, 4 altijd" in bodies()[-1]


def test_a_late_answer_is_kept_and_marked_late(client, asked, on_commit):
    late = asked.closes_at.date() + datetime.timedelta(days=3)
    with at(late), on_commit():
        reply(client, "4", "SM1")
    answer = Answer.objects.get()
    assert answer.number == 4 and answer.late


def test_stop_to_a_survey_question_stops_the_surveys_only(client, asked, duo, on_commit):
    with at(ASKED_ON, 11), on_commit():
        reply(client, "STOP", "SM1")
    assert SurveyStop.objects.filter(person_key=asked.person_key).exists()
    assert not OptOut.objects.exists()
    assert "je krijgt geen vragen meer" in bodies()[-1]
    # The duo's messages still reach the participant.
    with at(ASKED_ON, 12), on_commit():
        duo.how_asked_on = ASKED_ON
        duo_messaging.ask_how_it_is_going(duo)
    assert "hoe gaat het met je buddy" in bodies()[-1]
    # No reminder of the survey.
    with at(ASKED_ON + datetime.timedelta(days=9)), on_commit():
        reminders_dispatch(only={"outcomes.survey_remind"})
    assert Survey.objects.get(pk=asked.pk).reminded_at is None
    # A second STOP, no survey question open: every SMS stops, as the person said.
    with at(ASKED_ON + datetime.timedelta(days=9), 11), on_commit():
        reply(client, "STOP", "SM2")
    assert OptOut.objects.filter(phone=P_PHONE).exists()


def _link(survey, language="nl"):
    _link_row, url = link_create(organisation_id=survey.organisation_id,
                                 recipient_key=survey.person_key, language=language,
                                 purpose=services.PURPOSE, subject=f"survey:{survey.pk}")
    return url.replace("https://buddy.example.org", "")


def test_the_link_page_asks_every_question_without_javascript(client, asked):
    path = _link(asked)
    page = client.get(path)
    html = page.content.decode()
    assert page.status_code == 200 and "<script" not in html
    assert 'name="viewport"' in html
    assert html.count("<fieldset") == 4 and 'type="number"' in html  # 4 choices, 1 count
    assert "Op hoeveel mensen kan je rekenen" in html
    questions = list(asked.questionnaire.questions.order_by("position"))
    response = client.post(path, {f"q{questions[0].pk}": "3", f"q{questions[1].pk}": "2",
                                  f"q{questions[2].pk}": "1"})
    assert response.status_code == 200 and "Bedankt voor je antwoorden" in (
        response.content.decode())
    assert sorted((a.question.position, a.number, a.channel) for a in Answer.objects.all()) == [
        (1, 3, Channel.LINK), (2, 2, Channel.LINK), (3, 1, Channel.LINK)]
    assert Survey.objects.get(pk=asked.pk).completed_at is None  # two skipped
    again = client.post(path, {f"q{questions[3].pk}": "1"})
    assert "link" in again.content.decode().lower() and Answer.objects.count() == 3


def test_a_bad_answer_on_the_link_page_changes_nothing(client, asked):
    path = _link(asked)
    questions = list(asked.questionnaire.questions.order_by("position"))
    response = client.post(path, {f"q{questions[0].pk}": "3", f"q{questions[1].pk}": "9"})
    assert response.status_code == 200
    assert not Answer.objects.exists()
    assert SignedLink.objects.get().used_at is None
    assert "field-error" in response.content.decode()


def test_a_link_for_another_persons_survey_opens_nothing(client, asked, duo):
    _row, url = link_create(organisation_id=asked.organisation_id,
                            recipient_key=f"volunteer:{duo.volunteer_id}", language="nl",
                            purpose=services.PURPOSE, subject=f"survey:{asked.pk}")
    page = client.get(url.replace("https://buddy.example.org", ""))
    assert "Op hoeveel mensen" not in page.content.decode()


def test_the_coordinator_records_answers_from_a_phone_call(coordinator_client, coordinator,
                                                          asked):
    questions = list(asked.questionnaire.questions.order_by("position"))
    page = coordinator_client.get(f"/outcomes/surveys/{asked.pk}/")
    assert page.status_code == 200 and "Op hoeveel mensen" in page.content.decode()
    response = coordinator_client.post(f"/outcomes/surveys/{asked.pk}/", {
        f"q{questions[0].pk}": "1", f"q{questions[4].pk}": "4", f"q{questions[3].pk}": "0"})
    assert response.status_code == 302
    answers = {a.question.position: a for a in Answer.objects.all()}
    assert {k: a.number for k, a in answers.items()} == {1: 1, 4: 0, 5: 4}
    assert {a.channel for a in answers.values()} == {Channel.PHONE}
    assert {a.recorded_by for a in answers.values()} == {coordinator}
    # Recording the same question again changes nothing (the first answer counts).
    coordinator_client.post(f"/outcomes/surveys/{asked.pk}/", {f"q{questions[0].pk}": "5"})
    assert Answer.objects.get(question=questions[0]).number == 1


def test_the_answers_are_never_shown_to_the_volunteer_of_the_duo(client, organisation, asked,
                                                                 duo):
    account = VolunteerUserFactory(organisation=organisation)
    Volunteer.objects.filter(pk=duo.volunteer_id).update(user=account)
    client.force_login(account)
    assert client.get(f"/outcomes/surveys/{asked.pk}/").status_code == 403
    services.answer_record(survey=asked, question=asked.questionnaire.questions.first(),
                           raw="3", channel=Channel.PHONE)
    my_duo = client.get("/duos/my/")
    assert my_duo.status_code == 200
    assert "Op hoeveel mensen" not in my_duo.content.decode()


def test_a_double_submit_by_phone_records_once(coordinator_client, asked):
    question = asked.questionnaire.questions.first()
    for _attempt in range(2):
        coordinator_client.post(f"/outcomes/surveys/{asked.pk}/", {f"q{question.pk}": "2"})
    assert Answer.objects.count() == 1


def test_the_answers_are_in_the_persons_data_and_words_go_when_anonymised(asked):
    participant = Participant.objects.get(pk=asked.person_key.split(":")[1])
    question = asked.questionnaire.questions.get(measure="people_to_count_on")
    services.answer_record(survey=asked, question=question, raw="3", channel=Channel.PHONE)
    volunteer_survey = services.survey_open(
        organisation_id=asked.organisation_id, person_key=f"volunteer:{asked.duo.volunteer_id}",
        moment=Moment.VOLUNTEER, period="x", duo=asked.duo)
    words = volunteer_survey.questionnaire.questions.get(measure="tell_us")
    services.answer_record(survey=volunteer_survey, question=words, raw="Mijn buurman Jef",
                           channel=Channel.LINK)
    data = privacy_selectors.person_data(participant)
    assert [(row["answer"], row["channel"]) for row in data["survey_answers"]] == [
        (3, Channel.PHONE)]
    volunteer = asked.duo.volunteer
    assert privacy_selectors.person_data(volunteer)["survey_answers"][0]["answer"] == (
        "Mijn buurman Jef")
    privacy_services.person_anonymise(person=volunteer, reason="retention")
    assert Answer.objects.get(question=words).text == ""
    assert Answer.objects.get(question=question).number == 3


def test_the_person_page_lists_the_surveys_for_staff(coordinator_client, asked):
    participant_id = asked.person_key.split(":")[1]
    page = coordinator_client.get(f"/participants/{participant_id}/").content.decode()
    assert f"/outcomes/surveys/{asked.pk}/" in page
    assert "Your network · During the duo" in page  # the staff's language (English here)
    assert f"/outcomes/participant/{participant_id}/stop/" in page


def test_a_volunteer_asking_for_support_and_a_low_answer_alert_the_coordinator(asked, duo):
    check = services.survey_open(organisation_id=asked.organisation_id,
                                 person_key=f"volunteer:{duo.volunteer_id}",
                                 moment=Moment.VOLUNTEER, period=f"duo:{duo.pk}:1", duo=duo)
    support = check.questionnaire.questions.get(measure="needs_support")
    services.answer_record(survey=check, question=support, raw="1", channel=Channel.LINK)
    going = asked.questionnaire.questions.get(measure="duo_going")
    services.answer_record(survey=asked, question=going, raw="4", channel=Channel.SMS)
    assert list(Alert.objects.filter(duo=duo).values_list("kind", flat=True)) == [
        AlertKind.TALK_TO_ME]
    other = services.survey_open(organisation_id=asked.organisation_id,
                                 person_key=asked.person_key, moment=Moment.END,
                                 period=f"duo:{duo.pk}", duo=duo)
    services.answer_record(survey=other, question=going, raw="1", channel=Channel.PHONE)
    assert set(Alert.objects.filter(duo=duo).values_list("kind", flat=True)) == {
        AlertKind.TALK_TO_ME, AlertKind.LOW_ANSWER}


def test_a_message_for_the_coordinator_during_a_survey_waits_in_the_inbox(client, asked,
                                                                          on_commit):
    # Free text while a survey question is open is a message, not a bad answer: no "answer
    # with a number" SMS, the coordinator gets it in the inbox with a task, and the question
    # stays open for a number sent later.
    text = "Kan je me bellen? Mijn buddy komt niet meer"
    with at(ASKED_ON, 11), on_commit():
        reply(client, text, "SM1")
    assert "Antwoord: Een cijfer" not in bodies()[-1]
    assert "coördinator" in bodies()[-1]
    task = CoordinatorTask.objects.get()
    assert task.kind == TaskKind.UNEXPECTED_REPLY and task.detail == text
    assert task.recipient_key == asked.person_key
    waiting = Message.objects.get(body=text)
    assert waiting.handled_at is None  # in the coordinator's inbox
    assert Survey.objects.get(pk=asked.pk).bad_replies == 0 and not Answer.objects.exists()
    with at(ASKED_ON, 11, 5), on_commit():
        reply(client, "long text without a question mark but with many words", "SM2")
        reply(client, "2", "SM3")
    assert CoordinatorTask.objects.count() == 1  # one open task per person and kind
    assert Answer.objects.get().number == 2
    assert "Hoe vaak voel je je alleen?" in bodies()[-1]
