"""Every shipped question, with its answer words, fits one SMS segment in Dutch, French and
English (the next-question text, the organisation's name of the SMS budget tests)."""

import pytest
from django.utils import translation

from notifications import texts
from notifications.segments import count_segments
from outcomes import defaults
from outcomes.models import Question
from outcomes.services import hint
from outcomes.sms_texts import EXPECTED, NEXT

QUESTIONS = [item for questionnaire in defaults.QUESTIONNAIRES
             for item in questionnaire.questions]


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
@pytest.mark.parametrize("item", QUESTIONS, ids=lambda item: item.measure)
def test_every_shipped_question_fits_one_segment(item, language):
    with translation.override(language):
        question = Question(answer_type=item.answer_type, scale_max=item.scale_max,
                            **{"text_nl": "-", f"text_{language}": str(item.text),
                               f"words_{language}": str(item.words)})
    context = {**texts.SAMPLE_CONTEXT, "message": question.text(language),
               "choices": hint(question, language)}
    for kind in (NEXT, EXPECTED):
        body = texts.render(texts.standard_text(kind, language), context)
        assert count_segments(body).segments == 1, body
        assert "{" not in body
