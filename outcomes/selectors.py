"""The reads of the surveys that pages, the scheduler and the services share."""

import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q

from .defaults import ABOUT_THE_DUO
from .models import Answer, Moment, Question, Survey, SurveySettings, SurveyStop


def survey_settings(organisation_id) -> SurveySettings:
    found = SurveySettings.objects.filter(organisation_id=organisation_id).first()
    return found or SurveySettings(organisation_id=organisation_id)


def settings_of_all():
    """organisation_id -> its SurveySettings (defaults until saved), in one query."""
    found = {row.organisation_id: row for row in SurveySettings.objects.all()}
    default = SurveySettings()
    return lambda organisation_id: found.get(organisation_id, default)


def questions_of(survey: Survey) -> list[Question]:
    """The questions this survey asks, in order: a question about the duo is not asked
    in a survey without a duo (the intake)."""
    questions = list(Question.objects.filter(questionnaire_id=survey.questionnaire_id)
                     .order_by("position"))
    if survey.duo_id is None and survey.moment == Moment.INTAKE:
        questions = [q for q in questions if q.measure not in ABOUT_THE_DUO]
    return questions


def next_question(survey: Survey) -> Question | None:
    """The first question of the survey without an answer, or None when all have one."""
    answered = set(Answer.objects.filter(survey=survey).values_list("question_id", flat=True))
    return next((q for q in questions_of(survey) if q.pk not in answered), None)


def contacted_since(organisation_id, person_keys, since) -> set[str]:
    """The people among `person_keys` that a survey asked or reminded since `since`."""
    return set(Survey.objects.filter(
        Q(asked_at__gt=since) | Q(reminded_at__gt=since),
        organisation_id=organisation_id, person_key__in=list(person_keys),
    ).exclude(moment=Moment.INTAKE).values_list("person_key", flat=True))


def stopped_expression():
    return Exists(SurveyStop.objects.filter(organisation_id=OuterRef("organisation_id"),
                                            person_key=OuterRef("person_key")))


def to_ask(now):
    """Open surveys never asked (the intake is asked in person), oldest first."""
    return (Survey.objects.filter(asked_at__isnull=True, completed_at__isnull=True,
                                  closes_at__gt=now)
            .exclude(moment=Moment.INTAKE)
            .annotate(stopped=stopped_expression()).filter(stopped=False))


def to_remind(now, settings_of):
    """Surveys asked, without all their answers, whose reminder time has come."""
    rows = (Survey.objects.filter(asked_at__isnull=False, reminded_at__isnull=True,
                                  completed_at__isnull=True, closes_at__gt=now)
            .exclude(moment=Moment.INTAKE)
            .annotate(stopped=stopped_expression()).filter(stopped=False)
            .only("id", "organisation_id", "person_key", "asked_at"))
    return [survey for survey in rows
            if survey.asked_at + datetime.timedelta(
                days=settings_of(survey.organisation_id).reminder_after_days) <= now]


def person_surveys(person_key: str):
    """A person's surveys with their questionnaire and answers (three queries): staff only."""
    return list(Survey.objects.filter(person_key=person_key)
                .select_related("questionnaire", "duo")
                .prefetch_related(Prefetch("answers", Answer.objects.select_related(
                    "question").order_by("question__position")))
                .order_by("-opened_at", "-pk"))


def is_stopped(organisation_id, person_key: str) -> bool:
    return SurveyStop.objects.filter(organisation_id=organisation_id,
                                     person_key=person_key).exists()
