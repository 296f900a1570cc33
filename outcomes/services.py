"""The surveys' use cases: one function per state change, each in its own transaction.

A survey is opened (`survey_open`, by the scheduler or a coordinator at intake), asked once
(`survey_ask`: the first question by SMS, the page by e-mail, or a call task), reminded
once (`survey_remind`), and answered question by question (`answer_record`) through an SMS
reply (`survey_reply_received`), the link page (`survey_answer_by_link`) or the coordinator
on the phone (`survey_answer_by_phone`). STOP to a survey question, or the coordinator
recording it, stops the surveys only (`survey_stop`).
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from duos import services as duo_services
from duos.models import RUNNING_STATUSES, AlertKind
from duos.selectors import duo_settings_for
from matching.intake import reach
from matching.intake.models import Participant, Volunteer
from notifications import hooks, keywords
from notifications import services as notify
from notifications.models import OptOut, TaskKind
from organisations.models import Organisation
from organisations.scoping import all_organisations

from . import defaults, selectors
from . import sms_texts as kinds
from .models import (
    LANGUAGES,
    Answer,
    AnswerType,
    Audience,
    Channel,
    Moment,
    Question,
    Questionnaire,
    Survey,
    SurveyStop,
    UmbrellaSharing,
)

PURPOSE = "outcomes.survey"
# Late answers still reach the survey this long after it closed: a week by SMS (an open
# survey question takes every reply of the number, so it must not stay open for long),
# two months by the link.
SMS_LATE_GRACE = datetime.timedelta(days=7)
LINK_LATE_GRACE = datetime.timedelta(days=60)
WEEK = datetime.timedelta(days=7)
LEADING_NUMBER = re.compile(r"^\s*(\d{1,2})(?:\D|$)")
# A reply that is no answer but this long, or that asks something, is a message for the
# coordinator ("Can you call me? My buddy does not come any more"), not a try at the answer
# (a number, yes or no, "weet ik niet"): it goes to the inbox and the question stays open.
MESSAGE_WORDS = 5


# --- questionnaires -----------------------------------------------------------------------


@transaction.atomic
def questionnaires_install(*, organisation) -> list[Questionnaire]:
    """Gives the organisation its copy of the shipped questionnaires (in nl, fr and en),
    once: one already there is left as the organisation changed it."""
    installed = []
    for default in defaults.QUESTIONNAIRES:
        found = Questionnaire.objects.filter(organisation=organisation,
                                             key=default.key).first()
        if found is not None:
            installed.append(found)
            continue
        titles = {}
        for language in LANGUAGES:
            with translation.override(language):
                titles[f"title_{language}"] = str(default.title)
        questionnaire = Questionnaire.objects.create(
            organisation=organisation, key=default.key, audience=default.audience, **titles)
        questions = []
        for position, item in enumerate(default.questions, start=1):
            words = {}
            for language in LANGUAGES:
                with translation.override(language):
                    words[f"text_{language}"] = str(item.text)
                    words[f"words_{language}"] = str(item.words)
            questions.append(Question(
                questionnaire=questionnaire, position=position, measure=item.measure,
                answer_type=item.answer_type, scale_max=item.scale_max,
                higher_is_better=item.higher_is_better, **words))
        Question.objects.bulk_create(questions)
        installed.append(questionnaire)
    return installed


def _questionnaire(organisation_id: int, key: str) -> Questionnaire:
    found = Questionnaire.objects.filter(organisation_id=organisation_id, key=key,
                                         active=True).first()
    if found is None:
        installed = questionnaires_install(
            organisation=Organisation.objects.get(pk=organisation_id))
        found = next(q for q in installed if q.key == key)
    return found


# --- opening and asking -------------------------------------------------------------------


def _person(person_key: str):
    role, _sep, pk = person_key.partition(":")
    model = Participant if role == Audience.PARTICIPANT else Volunteer
    return model.objects.get(pk=int(pk))


def _settings(organisation_id):
    return selectors.survey_settings(organisation_id)


@transaction.atomic
def survey_open(*, organisation_id: int, person_key: str, moment: str, period: str = "",
                duo=None, questionnaire_key: str = "") -> Survey:
    """Opens the survey of a person for a moment (once: the same moment and period again
    is the same survey), open for the organisation's number of days."""
    existing = Survey.objects.filter(organisation_id=organisation_id, person_key=person_key,
                                     moment=moment, period=period).first()
    if existing is not None:
        return existing
    key = questionnaire_key or (
        defaults.AFTER_END if moment == Moment.AFTER_END
        else defaults.VOLUNTEER if person_key.startswith("volunteer:")
        else defaults.PARTICIPANT)
    now = timezone.now()
    try:
        with transaction.atomic():
            return Survey.objects.create(
                organisation_id=organisation_id, person_key=person_key, moment=moment,
                period=period, duo=duo, questionnaire=_questionnaire(organisation_id, key),
                opened_at=now,
                closes_at=now + datetime.timedelta(days=_settings(organisation_id).open_days))
    except IntegrityError:  # opened meanwhile by a concurrent call: that one
        return Survey.objects.get(organisation_id=organisation_id, person_key=person_key,
                                  moment=moment, period=period)


@transaction.atomic
def survey_open_at_intake(*, participant) -> Survey:
    """The coordinator asks the intake questions in the intake talk: the survey is asked
    in person (no SMS goes out) and recorded on the phone page."""
    survey = survey_open(organisation_id=participant.organisation_id,
                         person_key=f"participant:{participant.pk}", moment=Moment.INTAKE)
    if survey.asked_at is None:
        Survey.objects.filter(pk=survey.pk).update(asked_at=timezone.now())
        survey.refresh_from_db()
    return survey


def hint(question: Question, language: str) -> str:
    """What an answer to the question looks like, in the person's language."""
    with translation.override(language):
        if question.answer_type == AnswerType.SCALE:
            return question.words(language) or str(_("A number from 1 to %(max)s.") % {
                "max": question.scale_max})
        if question.answer_type == AnswerType.YES_NO:
            return str(_("%(yes)s or %(no)s.") % {
                "yes": keywords.reply_word(keywords.YES, language),
                "no": keywords.reply_word(keywords.NO, language)})
        if question.answer_type == AnswerType.COUNT:
            return str(_("A number, 0 if nobody."))
        return str(_("A few words."))


def _question_spec(survey: Survey, question: Question) -> notify.QuestionSpec:
    return notify.QuestionSpec(
        purpose=PURPOSE, subject=f"survey:{survey.pk}:{question.pk}",
        accepts=(keywords.ANY, keywords.STOP), choices=question.scale_max or 0,
        valid_for=max(survey.closes_at - timezone.now(), datetime.timedelta(0)) + SMS_LATE_GRACE)


def _sms_question(survey: Survey, question: Question, person, *, kind: str, step: str):
    language = reach.language_of(person)
    questions = selectors.questions_of(survey)
    return notify.sms_send(
        recipient=reach.recipient(person), template=kind,
        idempotency_key=f"outcomes.survey:{survey.pk}:{question.pk}:{step}",
        context={"message": question.text(language), "choices": hint(question, language),
                 "count": str(len(questions))},
        question=_question_spec(survey, question))


def _link(survey: Survey) -> notify.LinkSpec:
    return notify.LinkSpec(
        purpose=PURPOSE, subject=f"survey:{survey.pk}", single_use=True,
        valid_for=max(survey.closes_at - timezone.now(), datetime.timedelta(0)) + LINK_LATE_GRACE)


def _reach_with_questions(survey: Survey, person, *, kind: str, step: str) -> None:
    question = selectors.next_question(survey)
    if question is None:
        return
    channel = reach.channel_for(person)
    if channel in ("sms", "whatsapp"):
        _sms_question(survey, question, person, kind=kind, step=step)
        Survey.objects.filter(pk=survey.pk).update(position=question.position)
        return
    reach.reach(
        person, kind=kinds.LINK, key=f"outcomes.survey:{survey.pk}:{step}",
        email_title=_("A few short questions"),
        email_line=_("How are you doing? A few short questions help your project. "
                     "Answering is free and you may skip any question."),
        link=_link(survey),
        call_detail=_("Ask the survey questions on the phone and record the answers."))


def may_contact(survey: Survey, now=None) -> bool:
    """The weekly rule and the stops: no survey SMS to this person in the last week, they
    did not stop the surveys nor every SMS, and the organisation sends surveys."""
    now = now or timezone.now()
    if not _settings(survey.organisation_id).enabled:
        return False
    if SurveyStop.objects.filter(organisation_id=survey.organisation_id,
                                 person_key=survey.person_key).exists():
        return False
    return survey.person_key not in selectors.contacted_since(
        survey.organisation_id, [survey.person_key], now - WEEK)


def _sms_stopped(person) -> bool:
    """The person stopped every SMS, or withdrew consent to messages: no survey asks them
    (it would only become a call task); the coordinator may still ask on the phone."""
    phone = notify.normalise_phone(str(person.phone or ""))
    if phone and OptOut.objects.filter(phone=phone).exists():
        return True
    return not hooks.consent_allows(reach.key_of(person), kinds.FIRST)


@transaction.atomic
def survey_ask(*, survey: Survey) -> bool:
    """Asks an open survey for the first time: the first question by SMS (the others
    follow each answer), the page by e-mail, or a call for the coordinator. Once; False
    when it may not be asked now (the weekly rule, a stop, closed)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    now = timezone.now()
    if (survey.asked_at is not None or survey.completed_at is not None
            or survey.is_closed(now) or not may_contact(survey, now)):
        return False
    person = _person(survey.person_key)
    if _sms_stopped(person):
        return False  # STOP to every SMS: the coordinator may still ask on the phone
    survey.asked_at = now
    survey.save(update_fields=["asked_at"])
    _reach_with_questions(survey, person, kind=kinds.FIRST, step="ask")
    return True


@transaction.atomic
def survey_remind(*, survey: Survey) -> bool:
    """The one reminder of a survey asked and not completed (its current question
    again), within the weekly rule."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    now = timezone.now()
    if (survey.asked_at is None or survey.reminded_at is not None
            or survey.completed_at is not None or survey.is_closed(now)
            or survey.moment == Moment.INTAKE or not may_contact(survey, now)):
        return False
    person = _person(survey.person_key)
    if _sms_stopped(person):
        return False
    survey.reminded_at = now
    survey.save(update_fields=["reminded_at"])
    _reach_with_questions(survey, person, kind=kinds.REMINDER, step="remind")
    return True


# --- answers ------------------------------------------------------------------------------


def parse_answer(question: Question, raw) -> tuple[int | None, str]:
    """(number, text) of an answer as typed or chosen; ValidationError with what the
    question expects when it is not one."""
    value = str(raw if raw is not None else "").strip()
    if question.answer_type == AnswerType.TEXT:
        if not value:
            raise ValidationError(_("Write a few words, or leave the question empty."))
        return None, value[:300]
    parsed = keywords.parse(value)
    leading = LEADING_NUMBER.match(value)
    if parsed.kind is None and leading:  # "2 mensen", "3, soms": the number counts
        parsed = keywords.Parsed(keywords.CHOICE, int(leading.group(1)))
    if question.answer_type == AnswerType.YES_NO:
        if parsed.kind in (keywords.YES, keywords.NO):
            return int(parsed.kind == keywords.YES), ""
        if value in ("1", "0"):  # the page's radio buttons
            return int(value), ""
        raise ValidationError(_("Answer yes or no."))
    if question.answer_type == AnswerType.COUNT:
        if parsed.kind == keywords.NONE:
            return 0, ""
        if parsed.kind == keywords.CHOICE and 0 <= parsed.number <= 99:
            return parsed.number, ""
        raise ValidationError(_("Answer with a number, 0 if nobody."))
    if parsed.kind == keywords.CHOICE and 1 <= parsed.number <= (question.scale_max or 0):
        return parsed.number, ""
    raise ValidationError(_("Answer with a number from 1 to %(max)s.")
                          % {"max": question.scale_max})


def _record(survey: Survey, question: Question, number, text, channel, when, by=None) -> bool:
    """Stores one answer unless the question has one already; True when stored. An answer
    that asks for the coordinator (the volunteer wants support, the participant says the
    duo goes badly) puts an alert on the duo's follow-up list."""
    if Answer.objects.filter(survey=survey, question=question).exists():
        return False
    Answer.objects.create(survey=survey, question=question, number=number, text=text,
                          channel=channel, received_at=when, late=when >= survey.closes_at,
                          recorded_by=by)
    _alert_if_needed(survey, question, number)
    return True


def _alert_if_needed(survey: Survey, question: Question, number) -> None:
    if survey.duo_id is None or number is None or survey.duo.status not in RUNNING_STATUSES:
        return  # nothing to follow up in a duo that ended
    if question.measure == defaults.NEEDS_SUPPORT and number == 1:
        duo_services.alert_raise(duo=survey.duo, kind=AlertKind.TALK_TO_ME,
                                 detail=str(_("Asked for support in a survey.")))
    elif (question.measure == defaults.DUO_GOING and survey.person_key.startswith(
            "participant:") and number <= duo_settings_for(
            survey.organisation_id).low_answer_threshold):
        duo_services.alert_raise(duo=survey.duo, kind=AlertKind.LOW_ANSWER,
                                 detail=str(_("Low answer in a survey.")))


def _complete_if_done(survey: Survey, when) -> bool:
    if survey.completed_at is None and selectors.next_question(survey) is None:
        survey.completed_at = when
        survey.save(update_fields=["completed_at"])
        return True
    return False


@transaction.atomic
def answer_record(*, survey: Survey, question: Question, raw, channel: str, by=None,
                  when=None) -> Answer | None:
    """Records one answer (the first one counts; a late one is kept and marked late).
    Raises ValidationError saying what is expected when it is not an answer."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if question.questionnaire_id != survey.questionnaire_id:
        raise ValidationError(_("This question is not part of this survey."))
    number, text = parse_answer(question, raw)
    when = when or timezone.now()
    if _record(survey, question, number, text, channel, when, by):
        _complete_if_done(survey, when)
    return Answer.objects.get(survey=survey, question=question)


def _answers_many(survey: Survey, values: dict, channel: str, by=None) -> int:
    """Records the answers of a form: {question_id: raw}; empty ones are skipped. Checks
    every one first, so a form with one bad answer changes nothing."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    questions = {q.pk: q for q in selectors.questions_of(survey)}
    parsed, errors = {}, {}
    for question_id, raw in values.items():
        question = questions.get(question_id)
        if question is None or raw in (None, ""):
            continue
        try:
            parsed[question] = parse_answer(question, raw)
        except ValidationError as exc:
            errors[f"q{question_id}"] = exc.messages
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    stored = sum(_record(survey, question, number, text, channel, now, by)
                 for question, (number, text) in parsed.items())
    _complete_if_done(survey, now)
    return stored


@transaction.atomic
def survey_answer_by_link(*, survey: Survey, values: dict) -> int:
    """The person's answers from the link page (all questions at once; skipped ones stay
    open). Returns how many were stored."""
    return _answers_many(survey, values, Channel.LINK)


@transaction.atomic
def survey_answer_by_phone(*, survey: Survey, values: dict, recorded_by) -> int:
    """The answers a coordinator took on the phone (or in the intake talk)."""
    if survey.asked_at is None:
        Survey.objects.filter(pk=survey.pk).update(asked_at=timezone.now())
    return _answers_many(survey, values, Channel.PHONE, recorded_by)


# --- SMS replies --------------------------------------------------------------------------


def _subject(subject: str) -> tuple[int, int] | None:
    parts = subject.split(":")
    if len(parts) != 3 or parts[0] != "survey" or not (parts[1].isdigit()
                                                        and parts[2].isdigit()):
        return None
    return int(parts[1]), int(parts[2])


def is_a_message(text: str) -> bool:
    """A reply that is no answer but reads as a message for the coordinator: it asks
    something, or it has `MESSAGE_WORDS` words or more."""
    return "?" in text or len(text.split()) >= MESSAGE_WORDS


@transaction.atomic
def survey_reply_received(*, subject: str, answer: str | None, text: str,
                          received_at) -> str:
    """An SMS reply to a survey question: STOP stops the surveys; an answer is stored and
    the next question (or a thank-you) goes out; a reply that is no answer gets one SMS
    saying what is expected, a second one becomes a task for the coordinator; a message
    meant for the coordinator (`is_a_message`) is left to the inbox, the question open.
    Returns "stopped", "recorded", "expected", "task", "message" or "unknown"."""
    ids = _subject(subject)
    survey = ids and Survey.objects.select_for_update().filter(pk=ids[0]).first()
    question = survey and Question.objects.filter(
        pk=ids[1], questionnaire_id=survey.questionnaire_id).first()
    if not question:
        return "unknown"
    person = _person(survey.person_key)
    if answer == keywords.STOP:
        _stop(survey.organisation_id, survey.person_key, Channel.SMS)
        notify.sms_send(recipient=reach.recipient(person), template=kinds.STOPPED,
                        idempotency_key=f"outcomes.stopped:{survey.person_key}")
        return "stopped"
    try:
        number, answer_text = parse_answer(question, text)
    except ValidationError:
        if is_a_message(text):
            return "message"
        survey.bad_replies += 1
        survey.save(update_fields=["bad_replies"])
        if survey.bad_replies == 1:
            _sms_question(survey, question, person, kind=kinds.EXPECTED, step="expected")
            return "expected"
        reach.open_task(person, survey.person_key, TaskKind.UNEXPECTED_REPLY, str(_(
            "Survey reply not understood twice: call to ask the questions.")))
        return "task"
    _record(survey, question, number, answer_text, Channel.SMS, received_at)
    if _complete_if_done(survey, received_at):
        notify.sms_send(recipient=reach.recipient(person), template=kinds.THANKS,
                        idempotency_key=f"outcomes.survey:{survey.pk}:thanks")
        return "recorded"
    following = selectors.next_question(survey)
    if following is not None:
        _sms_question(survey, following, person, kind=kinds.NEXT, step="next")
        Survey.objects.filter(pk=survey.pk).update(position=following.position)
    return "recorded"


# --- stopping -----------------------------------------------------------------------------


def _stop(organisation_id: int, person_key: str, via: str) -> None:
    SurveyStop.objects.get_or_create(organisation_id=organisation_id, person_key=person_key,
                                     defaults={"via": via})


@transaction.atomic
def survey_stop(*, person, via: str = Channel.PHONE) -> None:
    """The person wants no more survey questions (told the coordinator): their duo's
    messages go on."""
    _stop(person.organisation_id, reach.key_of(person), via)


@transaction.atomic
def survey_resume(*, person) -> None:
    """The person agrees to surveys again."""
    SurveyStop.objects.filter(organisation_id=person.organisation_id,
                              person_key=reach.key_of(person)).delete()


# --- sharing with an umbrella -------------------------------------------------------------


@transaction.atomic
def umbrella_share_start(*, organisation, umbrella_slug: str) -> UmbrellaSharing:
    """The member starts sharing its outcome figures (aggregated, small groups hidden) with
    the umbrella of that short name; once."""
    # The umbrella is another organisation: found by its short name across organisations,
    # and only its id is kept.
    with all_organisations():
        umbrella = Organisation.objects.filter(slug=umbrella_slug.strip()).exclude(
            pk=organisation.pk).first()
    if umbrella is None:
        raise ValidationError({"umbrella": _("No other organisation has this short name.")})
    sharing, _created = UmbrellaSharing.objects.get_or_create(organisation=organisation,
                                                              umbrella_id=umbrella.pk)
    return sharing


@transaction.atomic
def umbrella_share_stop(*, organisation, sharing_id: int) -> None:
    """The member stops sharing with one umbrella."""
    UmbrellaSharing.objects.filter(organisation=organisation, pk=sharing_id).delete()
