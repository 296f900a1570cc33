"""When surveys are asked: the participant N months into a duo, at its end and after it;
the volunteer after the first month and then every N months; the intake in person; at most
one survey SMS a week per person, one reminder, never during quiet hours; each once."""

import datetime

import pytest
from django.utils import timezone

from duos import services as duo_services
from matching.intake.models import ConsentPurpose, ConsentRecord, Volunteer
from notifications.models import CoordinatorTask, Message, Status
from notifications.tasks import reminders_dispatch
from outcomes import services
from outcomes.models import Moment, Survey, SurveySettings
from outcomes.reminders import volunteer_round
from tests.clock import BRUSSELS
from tests.factories_duos import ParticipantFactory

from .conftest import P_PHONE, START, at

pytestmark = pytest.mark.django_db
OPEN = {"outcomes.survey_open"}
ASK = {"outcomes.survey_ask"}
REMIND = {"outcomes.survey_remind"}
ALL = OPEN | ASK | REMIND


def survey_sms(phone=P_PHONE):
    return list(Message.objects.filter(template__startswith="outcomes.", phone=phone,
                                       direction="out").order_by("created_at", "pk"))


def run(on_commit, only=ALL):
    with on_commit():
        reminders_dispatch(only=only)


def test_the_participant_is_asked_three_months_into_the_duo_once(duo, on_commit):
    with at(START + datetime.timedelta(days=88)):
        run(on_commit)
    assert not Survey.objects.filter(moment=Moment.FOLLOW_UP).exists()
    with at(datetime.date(2026, 6, 2)):
        run(on_commit)
        run(on_commit)
    survey = Survey.objects.get(moment=Moment.FOLLOW_UP)
    assert survey.person_key == f"participant:{duo.participant_id}" and survey.duo == duo
    sent = survey_sms()
    assert [m.template for m in sent] == ["outcomes.first_question"]
    assert "How many people can you count on" not in sent[0].body  # in Dutch
    assert "Op hoeveel mensen kan je rekenen" in sent[0].body


def test_the_months_are_the_organisations_choice(duo, organisation, on_commit):
    SurveySettings.objects.create(organisation=organisation, participant_after_months=6,
                                  volunteer_first_after_days=100)
    with at(datetime.date(2026, 6, 2)):
        run(on_commit)
    assert not Survey.objects.exists()
    with at(datetime.date(2026, 9, 2)):
        run(on_commit)
    assert set(Survey.objects.values_list("moment", flat=True)) == {
        Moment.FOLLOW_UP, Moment.VOLUNTEER}


def test_an_organisation_that_turned_surveys_off_opens_none(duo, organisation, on_commit):
    SurveySettings.objects.create(organisation=organisation, enabled=False)
    with at(datetime.date(2026, 9, 2)):
        run(on_commit)
    assert not Survey.objects.exists() and not survey_sms()


def test_the_volunteer_is_asked_after_the_first_month_then_every_three_months(duo,
                                                                              on_commit):
    volunteer_key = f"volunteer:{duo.volunteer_id}"
    with at(START + datetime.timedelta(days=29)):
        run(on_commit)
    assert not Survey.objects.filter(person_key=volunteer_key).exists()
    with at(START + datetime.timedelta(days=30)):
        run(on_commit)
    assert list(Survey.objects.filter(person_key=volunteer_key).values_list(
        "period", flat=True)) == [f"duo:{duo.pk}:1"]
    first = survey_sms(phone=duo.volunteer.phone)
    assert len(first) == 1 and "questions" in first[0].body.lower()  # in French
    assert "Comment" in first[0].body
    with at(datetime.date(2026, 7, 1)):  # first month + 3 months, to the day
        run(on_commit)
    assert sorted(Survey.objects.filter(person_key=volunteer_key).values_list(
        "period", flat=True)) == [f"duo:{duo.pk}:1", f"duo:{duo.pk}:2"]


def test_volunteer_rounds_count_from_the_first_month():
    start = datetime.date(2026, 1, 31)
    assert volunteer_round(start, datetime.date(2026, 3, 1), 30, 3) is None
    assert volunteer_round(start, datetime.date(2026, 3, 2), 30, 3) == (
        1, datetime.date(2026, 3, 2))
    assert volunteer_round(start, datetime.date(2026, 6, 1), 30, 3) == (
        1, datetime.date(2026, 3, 2))
    assert volunteer_round(start, datetime.date(2026, 6, 2), 30, 3) == (
        2, datetime.date(2026, 6, 2))
    assert volunteer_round(start, datetime.date(2027, 6, 2), 30, 0) == (
        1, datetime.date(2026, 3, 2))


def test_the_end_and_three_months_after_the_end(duo, coordinator, on_commit):
    ended = datetime.date(2026, 5, 4)
    with at(ended):
        duo_services.duo_end_early(duo=duo, ended_by="participant", planned=False,
                                   reason="moved", recorded_by=coordinator)
        duo_services.duo_close(duo=duo, closed_by=coordinator,
                               participant_wants_new_buddy=False, volunteer_next="pause")
        run(on_commit, OPEN)
    assert list(Survey.objects.values_list("moment", flat=True)) == [Moment.END]
    with at(datetime.date(2026, 8, 3)):
        run(on_commit, OPEN)
    assert not Survey.objects.filter(moment=Moment.AFTER_END).exists()
    with at(datetime.date(2026, 8, 4)):
        run(on_commit, OPEN)
    after = Survey.objects.get(moment=Moment.AFTER_END)
    assert after.questionnaire.key == "after_end"
    assert after.questionnaire.questions.get().measure == "still_in_contact"


def test_the_intake_is_asked_in_person_and_never_by_sms(organisation, coordinator,
                                                        coordinator_client, on_commit):
    participant = ParticipantFactory(organisation=organisation, phone=P_PHONE)
    response = coordinator_client.post(f"/outcomes/participants/{participant.pk}/intake/")
    survey = Survey.objects.get(moment=Moment.INTAKE)
    assert response.status_code == 302 and response["Location"] == (
        f"/outcomes/surveys/{survey.pk}/")
    coordinator_client.post(f"/outcomes/participants/{participant.pk}/intake/")
    assert Survey.objects.count() == 1
    run(on_commit)
    assert not survey_sms()
    page = coordinator_client.get(f"/outcomes/surveys/{survey.pk}/")
    assert "How many people can you count on" not in page.content.decode()  # Dutch person
    assert "Hoe gaat het met je buddy" not in page.content.decode()  # no duo yet


def test_at_most_one_survey_sms_a_week_per_person(duo, organisation, on_commit):
    with at(datetime.date(2026, 6, 2)):
        run(on_commit, OPEN)
        # A second survey of the same person, due the same day (another questionnaire).
        services.survey_open(organisation_id=organisation.pk,
                             person_key=f"participant:{duo.participant_id}",
                             moment=Moment.AFTER_END, period="other", duo=duo)
        run(on_commit, ASK)
        run(on_commit, ASK)
    assert len(survey_sms()) == 1
    with at(datetime.date(2026, 6, 8)):
        run(on_commit, ASK)
    assert len(survey_sms()) == 1
    with at(datetime.date(2026, 6, 9)):
        run(on_commit, ASK)
    assert len(survey_sms()) == 2
    assert Survey.objects.filter(asked_at__isnull=False,
                                 person_key=f"participant:{duo.participant_id}").count() == 2


@pytest.mark.parametrize("hour", [21, 23, 3, 8])
def test_a_survey_due_during_quiet_hours_waits_for_the_morning(duo, on_commit, hour):
    day = datetime.date(2026, 6, 2)
    with at(day, hour):
        run(on_commit)
    sent = survey_sms()
    assert len(sent) == 1 and sent[0].status == Status.PENDING and sent[0].sent_at is None
    morning = day + datetime.timedelta(days=1 if hour >= 21 else 0)
    assert timezone.localtime(sent[0].not_before) == datetime.datetime(
        morning.year, morning.month, morning.day, 9, tzinfo=BRUSSELS)


def test_one_reminder_after_a_week_without_an_answer_and_no_second(duo, on_commit):
    with at(datetime.date(2026, 6, 2)):
        run(on_commit)
    with at(datetime.date(2026, 6, 8)):
        run(on_commit)
    assert [m.template for m in survey_sms()] == ["outcomes.first_question"]
    with at(datetime.date(2026, 6, 9)):
        run(on_commit)
        run(on_commit)
    with at(datetime.date(2026, 6, 20)):
        run(on_commit)
    assert [m.template for m in survey_sms()] == ["outcomes.first_question",
                                                  "outcomes.reminder"]


def test_a_person_who_stopped_the_surveys_gets_none(duo, coordinator_client, on_commit):
    response = coordinator_client.post(f"/outcomes/participant/{duo.participant_id}/stop/")
    assert response.status_code == 302
    with at(datetime.date(2026, 6, 2)):
        run(on_commit)
    assert not Survey.objects.filter(person_key=f"participant:{duo.participant_id}").exists()
    assert not survey_sms()


def test_a_participant_without_consent_to_messages_is_not_asked(duo, on_commit):
    ConsentRecord.objects.create(participant=duo.participant, purpose=ConsentPurpose.SMS,
                                 given=False)
    with at(datetime.date(2026, 6, 2)):
        run(on_commit)
    assert Survey.objects.get(moment=Moment.FOLLOW_UP).asked_at is None
    assert not survey_sms() and not CoordinatorTask.objects.exists()


def test_a_volunteer_reached_by_email_gets_the_survey_page_by_email(duo, on_commit, mailoutbox):
    Volunteer.objects.filter(pk=duo.volunteer_id).update(contact_channel="email",
                                                         email="hanne@example.org")
    with at(START + datetime.timedelta(days=30)):
        run(on_commit)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["hanne@example.org"]
    assert "/s/" in mail.body
    assert not survey_sms(phone=duo.volunteer.phone)
