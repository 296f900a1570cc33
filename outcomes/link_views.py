"""The survey page behind a signed link: every question of the survey on one page (320 px,
no JavaScript), for the person it was sent to; saving spends the link. A question already
answered (by SMS, or by the coordinator) shows as answered and is not asked again."""

from django.core.exceptions import ValidationError

from notifications import link_pages

from . import selectors, services
from .forms import SurveyForm
from .models import Survey


def survey_link_page(request, link):
    survey_id = link_pages.subject_id(link, "survey")
    survey = Survey.objects.select_related("questionnaire", "organisation").filter(
        pk=survey_id).first()
    link_pages.check_recipient(link, *(survey.person_key.split(":") if survey else ("", None)))
    questions = selectors.questions_of(survey)
    answered = {a.question_id for a in survey.answers.all()}
    form = SurveyForm(request.POST or None, questions=[q for q in questions
                                                      if q.pk not in answered],
                      language=link.language)
    context = {"survey": survey, "organisation": survey.organisation, "form": form,
               "title": survey.questionnaire.title(link.language)}
    if request.method == "POST" and form.is_valid():
        try:
            link_pages.spend(link, lambda: services.survey_answer_by_link(
                survey=survey, values=form.values()))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return link_pages.page(request, "outcomes/links/survey.html",
                                   {**context, "saved": True})
    return link_pages.page(request, "outcomes/links/survey.html", context)
