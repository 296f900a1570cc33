"""Staff pages of a person's rights: export everything held about them, erase it on request."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View

from buddy.exports import download
from matching.intake.privacy import PERSON_MODELS
from organisations.audit import audit, audit_label
from organisations.models import AuditAction
from organisations.permissions import StaffRequiredMixin

from . import export, selectors, services

FORMATS = {"json": ("application/json; charset=utf-8", export.as_json),
           "md": ("text/markdown; charset=utf-8", export.as_markdown)}


def _person(kind, pk):
    if kind not in PERSON_MODELS:
        raise Http404
    return get_object_or_404(PERSON_MODELS[kind].objects.all(), pk=pk)


class PersonExportView(StaffRequiredMixin, View):
    """Everything held about one participant or volunteer, as JSON or a Markdown printout."""

    def get(self, request, kind, pk, fmt):
        if fmt not in FORMATS:
            raise Http404
        person = _person(kind, pk)
        content_type, render = FORMATS[fmt]
        audit(request, AuditAction.EXPORT, person, label=f"{audit_label(person)}, all data")
        return download(render(selectors.person_data(person)), content_type, f"{kind}-{pk}.{fmt}")


class PersonEraseView(StaffRequiredMixin, View):
    """Erases a person's data at their request (POST with the confirmation box ticked)."""

    def post(self, request, kind, pk):
        person = _person(kind, pk)
        target = f"matching:{kind}_detail"
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm that the person asked for it."))
            return redirect(target, pk=pk)
        try:
            services.person_erase(person=person, requested_by=request.user)
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            audit(request, AuditAction.DELETE, person, label=f"{audit_label(person)} erased")
            messages.success(request, _("The person's data is erased. Figures for reports "
                                        "are kept."))
        return redirect(target, pk=pk)
