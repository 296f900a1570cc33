"""The survey as a form: one field per question, named "q<id>", every one optional (a person
may skip any question). The link page and the coordinator's phone page share it."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from .models import AnswerType


def _field(question, language):
    label = question.text(language)
    if question.answer_type == AnswerType.SCALE:
        words = question.words(language)
        return forms.TypedChoiceField(
            label=label, required=False, coerce=int, empty_value=None,
            choices=[(n, str(n)) for n in range(1, (question.scale_max or 5) + 1)],
            widget=forms.RadioSelect, help_text=words)
    if question.answer_type == AnswerType.YES_NO:
        with override(language):
            choices = [(1, str(_("Yes"))), (0, str(_("No")))]
        return forms.TypedChoiceField(label=label, required=False, coerce=int,
                                      empty_value=None, choices=choices,
                                      widget=forms.RadioSelect)
    if question.answer_type == AnswerType.COUNT:
        return forms.IntegerField(label=label, required=False, min_value=0, max_value=99)
    return forms.CharField(label=label, required=False, max_length=300)


class SurveyForm(forms.Form):
    def __init__(self, *args, questions=(), language="nl", **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q{question.pk}"] = _field(question, language)

    def values(self) -> dict:
        """{question id: answer} of the questions answered (the others are skipped)."""
        return {question.pk: self.cleaned_data.get(f"q{question.pk}")
                for question in self.questions
                if self.cleaned_data.get(f"q{question.pk}") not in (None, "")}

    def add_service_errors(self, exc):
        for name, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
