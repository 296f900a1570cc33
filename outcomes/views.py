"""The coordinator's survey pages: a survey's answers and the form to record them from a
phone call (or the intake talk), the intake questions, and stopping a person's surveys.
Staff only: the answers are never shown to the other side of the duo. Thin: parse the form,
call a service or selector, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from buddy.i18n import reader_language
from matching.intake.models import Participant, Volunteer
from organisations.audit import audit
from organisations.models import AuditAction
from organisations.permissions import AdminRequiredMixin, StaffRequiredMixin

from . import selectors, services
from .forms import SurveyForm
from .models import Survey, UmbrellaSharing

PEOPLE = {"participant": Participant, "volunteer": Volunteer}


def _person_of(survey):
    role, _sep, pk = survey.person_key.partition(":")
    return get_object_or_404(PEOPLE[role], pk=int(pk))


def _person_url(person):
    name = ("matching:participant_detail" if isinstance(person, Participant)
            else "matching:volunteer_detail")
    return reverse(name, args=[person.pk])


class SurveyView(StaffRequiredMixin, TemplateView):
    """A survey: the answers so far and, for the questions without one, the form for a
    coordinator who asks them on the phone."""

    template_name = "outcomes/survey.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.survey = None

    def _survey(self):
        if self.survey is None:
            self.survey = get_object_or_404(
                Survey.objects.select_related("questionnaire", "duo"), pk=self.kwargs["pk"])
        return self.survey

    def _form(self, data=None):
        survey = self._survey()
        answered = {a.question_id for a in survey.answers.all()}
        person = _person_of(survey)
        return SurveyForm(data, questions=[q for q in selectors.questions_of(survey)
                                           if q.pk not in answered],
                          language=person.message_language or "nl")

    def get_context_data(self, **kwargs):
        survey = self._survey()
        person = _person_of(survey)
        kwargs.setdefault("form", self._form())
        language = reader_language()
        return super().get_context_data(
            survey=survey, person=person, person_url=_person_url(person),
            title=survey.questionnaire.title(language),
            answers=[(answer.question.text(language), answer) for answer in
                     survey.answers.select_related("question").order_by("question__position")],
            stopped=selectors.is_stopped(survey.organisation_id, survey.person_key),
            **kwargs)

    def get(self, request, *args, **kwargs):
        audit(request, AuditAction.VIEW, self._survey())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                stored = services.survey_answer_by_phone(
                    survey=self._survey(), values=form.values(), recorded_by=request.user)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                audit(request, AuditAction.CHANGE, self._survey())
                messages.success(request, _("%(count)s answers recorded.") % {"count": stored})
                return redirect("outcomes:survey", pk=self._survey().pk)
        return self.render_to_response(self.get_context_data(form=form))


class IntakeSurveyView(StaffRequiredMixin, View):
    """The intake questions for a participant (asked in the intake talk): opens the survey
    once and goes to its page."""

    def post(self, request, pk):
        participant = get_object_or_404(Participant, pk=pk)
        survey = services.survey_open_at_intake(participant=participant)
        audit(request, AuditAction.CHANGE, survey)
        return redirect("outcomes:survey", pk=survey.pk)


class SurveyStopView(StaffRequiredMixin, View):
    """The person told the coordinator they want no more survey questions (or want them
    again): the duo's messages go on either way."""

    def post(self, request, role, pk):
        if role not in PEOPLE:
            raise Http404
        person = get_object_or_404(PEOPLE[role], pk=pk)
        if request.POST.get("resume"):
            services.survey_resume(person=person)
            messages.success(request, _("Surveys are on again for this person."))
        else:
            services.survey_stop(person=person)
            messages.success(request, _("No more survey questions for this person."))
        audit(request, AuditAction.CHANGE, person)
        return redirect(_person_url(person))


class UmbrellaSharingView(AdminRequiredMixin, TemplateView):
    """The organisation admin chooses the umbrellas that see its outcome figures
    (aggregated, small groups hidden, never a person)."""

    template_name = "outcomes/umbrella_sharing.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sharings=UmbrellaSharing.objects.select_related("umbrella").order_by("since"),
            **kwargs)

    def post(self, request):
        organisation = request.user.organisation
        if request.POST.get("stop"):
            services.umbrella_share_stop(organisation=organisation,
                                         sharing_id=int(request.POST["stop"])
                                         if request.POST["stop"].isdigit() else 0)
            messages.success(request, _("Sharing stopped."))
            audit(request, AuditAction.CHANGE, organisation)
            return redirect("outcomes:umbrella_sharing")
        try:
            services.umbrella_share_start(organisation=organisation,
                                          umbrella_slug=request.POST.get("umbrella", ""))
        except ValidationError as exc:
            return self.render_to_response(self.get_context_data(
                error=" ".join(exc.messages), value=request.POST.get("umbrella", "")))
        audit(request, AuditAction.CHANGE, organisation)
        messages.success(request, _("Your outcome figures are shared with this umbrella."))
        return redirect("outcomes:umbrella_sharing")
