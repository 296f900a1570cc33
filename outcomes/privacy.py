"""Privacy of the surveys (orchestrated by `desk/privacy/`): a person's answers in their data
export, and their written answers blanked when they are anonymised (the numbers stay, for
the figures, without a name)."""

from .models import Answer, Survey, SurveyStop


def _surveys(person_kind: str, person_id: int):
    return Survey.objects.filter(person_key=f"{person_kind}:{person_id}")


def person_data(person_kind: str, person_id: int) -> list[dict]:
    """One row per answer the person gave: survey, moment, question, answer, how, when."""
    answers = (Answer.objects.filter(survey__in=_surveys(person_kind, person_id))
               .select_related("survey", "question")
               .order_by("survey__opened_at", "question__position"))
    return [{"survey": answer.survey.pk, "moment": answer.survey.moment,
             "question": answer.question.text_nl,
             "answer": answer.number if answer.number is not None else answer.text,
             "channel": answer.channel, "received_at": answer.received_at.isoformat(),
             "late": answer.late} for answer in answers]


def anonymise_surveys(person_kind: str, person_id: int) -> dict:
    """Blanks the person's answers in words and forgets their stop; returns counts."""
    surveys = _surveys(person_kind, person_id)
    blanked = Answer.objects.filter(survey__in=surveys).exclude(text="").update(text="")
    SurveyStop.objects.filter(person_key=f"{person_kind}:{person_id}").delete()
    return {"survey_answers_blanked": blanked}
