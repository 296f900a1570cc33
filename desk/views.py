"""The coordinator's desk: the home after login and the reports (the roof reads every room)."""

from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from buddy.exports import XLSX_CONTENT_TYPE, download
from organisations.models import AuditAction
from organisations.permissions import StaffRequiredMixin, is_staff_user
from organisations.services import audit_record

from . import home, reports
from .forms import ReportPeriodForm


class HomeView(LoginRequiredMixin, TemplateView):
    """The first page after login: the staff home, or a volunteer's own page."""

    def get_template_names(self):
        if is_staff_user(self.request.user):
            return ["desk/staff_home.html"]
        return ["desk/volunteer_home.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if is_staff_user(self.request.user):
            context["home"] = home.home_for_today()
        return context


class ReportView(StaffRequiredMixin, View):
    """The report for a period, for the organisation's coordinators and admins."""

    def get(self, request):
        form = ReportPeriodForm(request.GET or None)
        start, end = form.period()
        # The organisation's own staff see exact figures; "as it leaves" previews what the
        # exports for funders show, small groups hidden.
        shared = request.GET.get("view") == "shared"
        report = reports.build_report(start, end, exact=not shared)
        charts = [reports.chart_svg_bars(chart) for chart in report.charts]
        query = {"date_from": start.isoformat(), "date_to": end.isoformat()}
        return render(request, "desk/reports.html", {
            "form": form, "report": report, "charts": charts, "query": urlencode(query),
            "hidden_marker": reports.HIDDEN, "shared": shared,
            "shared_query": urlencode({**query, "view": "shared"}),
        })


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": XLSX_CONTENT_TYPE,
    "pdf": "application/pdf",
}


class ReportExportView(StaffRequiredMixin, View):
    """The report as CSV, XLSX or PDF; every export is written in the audit log."""

    def get(self, request, file_format):
        if file_format not in EXPORT_TYPES:
            raise Http404
        start, end = ReportPeriodForm(request.GET or None).period()
        report = reports.build_report(start, end)
        organisation = getattr(request.user, "organisation", None)
        content = reports.as_file(report, file_format, getattr(organisation, "name", ""))
        audit_record(request_or_actor=request, action=AuditAction.EXPORT,
                     subject_ref=f"report:{report.period_ref}",
                     label=_("report %(period)s as %(format)s") % {
                         "period": report.period_ref, "format": file_format.upper()})
        return download(content, EXPORT_TYPES[file_format],
                        f"report-{start.isoformat()}-{end.isoformat()}.{file_format}")
