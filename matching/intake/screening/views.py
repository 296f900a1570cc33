"""The screening board (/screening/) and one volunteer's screening (/screening/<id>/)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from buddy.exports import private
from buddy.forms import add_service_errors
from notifications import link_pages
from organisations.audit import audit
from organisations.models import AuditAction, Organisation

from .. import certificates
from ..models import Volunteer
from ..views import OrganisationStaffMixin
from . import selectors, services
from .forms import (
    CertificateCopyForm,
    ReferenceAnswerForm,
    ReferenceRequestForm,
    ScreeningMoveForm,
)
from .models import CertificateCopy, ReferenceRequest, ScreeningStage


class ScreeningBoardView(OrganisationStaffMixin, TemplateView):
    """Applicants by stage, with the days they have spent there."""

    template_name = "matching/screening/board.html"

    def get_context_data(self, **kwargs):
        stages = services.screening_stages_ensure(self.organisation)
        return super().get_context_data(columns=selectors.board(stages), **kwargs)


class VolunteerScreeningView(OrganisationStaffMixin, TemplateView):
    """A volunteer's steps so far, and the form to record the next one."""

    template_name = "matching/screening/volunteer.html"

    def _form(self, data=None):
        services.screening_stages_ensure(self.organisation)
        return ScreeningMoveForm(data, stages=ScreeningStage.objects.all())

    def get(self, request, *args, **kwargs):
        self.volunteer = get_object_or_404(Volunteer, pk=kwargs["pk"])
        audit(request, AuditAction.VIEW, self.volunteer)
        return self.render_to_response(self.get_context_data(form=self._form()))

    def post(self, request, *args, **kwargs):
        self.volunteer = get_object_or_404(Volunteer, pk=kwargs["pk"])
        form = self._form(request.POST)
        if form.is_valid():
            try:
                data = form.cleaned_data
                step = services.screening_move(
                    volunteer=self.volunteer, stage=data["stage"], on=data["entered_on"],
                    by=request.user, note=data["note"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                audit(request, AuditAction.CHANGE, self.volunteer)
                messages.success(request, _("%(name)s: %(stage)s on %(date)s.") % {
                    "name": self.volunteer.display_name, "stage": step.stage.label,
                    "date": step.entered_on.strftime("%d/%m/%Y")})
                return redirect("matching:screening_volunteer", pk=self.volunteer.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("reference_form", ReferenceRequestForm())
        kwargs.setdefault("copy_form", CertificateCopyForm())
        return super().get_context_data(
            volunteer=self.volunteer, steps=selectors.steps_of(self.volunteer),
            references=selectors.references_of(self.volunteer),
            copies=list(CertificateCopy.objects.filter(volunteer=self.volunteer)),
            copies_kept=certificates.settings_for(self.organisation.pk).certificate_copy_kept,
            **kwargs)


class CertificateCopyUploadView(VolunteerScreeningView):
    """Keeps an uploaded copy of the certificate (when the organisation keeps copies)."""

    def get(self, request, *args, **kwargs):
        return redirect("matching:screening_volunteer", pk=kwargs["pk"])

    def post(self, request, *args, **kwargs):
        self.volunteer = get_object_or_404(Volunteer, pk=kwargs["pk"])
        form = CertificateCopyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.certificate_copy_upload(volunteer=self.volunteer, by=request.user,
                                                 file=form.cleaned_data["file"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                audit(request, AuditAction.CHANGE, self.volunteer)
                messages.success(request, _("The copy is kept until it is marked seen."))
                return redirect("matching:screening_volunteer", pk=self.volunteer.pk)
        return self.render_to_response(self.get_context_data(
            form=self._form(), copy_form=form), status=400)


CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}


class CertificateCopyView(OrganisationStaffMixin, View):
    """A kept copy, for the organisation's staff only (audited as a view of the person)."""

    def get(self, request, pk):
        copy = get_object_or_404(CertificateCopy.objects.select_related("volunteer"), pk=pk)
        try:
            handle = copy.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        audit(request, AuditAction.VIEW, copy.volunteer)
        response = FileResponse(handle, content_type=CONTENT_TYPES.get(
            copy.kind, "application/octet-stream"))
        response["Content-Disposition"] = "inline"
        return private(response)


class ReferenceRequestView(VolunteerScreeningView):
    """Asks a referee about the volunteer by e-mail link."""

    def get(self, request, *args, **kwargs):
        return redirect("matching:screening_volunteer", pk=kwargs["pk"])

    def post(self, request, *args, **kwargs):
        self.volunteer = get_object_or_404(Volunteer, pk=kwargs["pk"])
        form = ReferenceRequestForm(request.POST)
        if form.is_valid():
            try:
                services.reference_request(volunteer=self.volunteer, by=request.user,
                                           **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                audit(request, AuditAction.CHANGE, self.volunteer)
                messages.success(request, _("The question went to %(name)s by e-mail.")
                                 % {"name": form.cleaned_data["referee_name"]})
                return redirect("matching:screening_volunteer", pk=self.volunteer.pk)
        return self.render_to_response(self.get_context_data(
            form=self._form(), reference_form=form), status=400)


def reference_link_page(request, link):
    """The referee's page behind the e-mail link: two short questions, answered once."""
    reference = (ReferenceRequest.objects.select_related("volunteer")
                 .filter(pk=link_pages.subject_id(link, "reference")).first())
    link_pages.check_recipient(link, "reference", reference.pk if reference else None)
    organisation = Organisation.objects.get(pk=reference.organisation_id)
    form = ReferenceAnswerForm(request.POST if request.method == "POST" else None)
    context = {"organisation": organisation, "first_name": reference.volunteer.first_name,
               "form": form}
    if form.is_bound and form.is_valid():
        try:
            link_pages.spend(link, lambda: services.reference_answer(
                reference=reference, **form.cleaned_data))
        except ValidationError as exc:
            context["error"] = link_pages.error_text(exc)
        else:
            context["done"] = True
    return link_pages.page(request, "matching/screening/reference_page.html", context)
