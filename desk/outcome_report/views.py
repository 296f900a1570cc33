"""The outcome report page and its exports (CSV, XLSX, PDF: desk.reports' export code)."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from buddy.exports import download
from organisations.models import AuditAction
from organisations.permissions import StaffRequiredMixin
from organisations.services import audit_record

from .. import reports
from ..views import EXPORT_TYPES
from .figures import build_outcome_report


class OutcomeReportView(StaffRequiredMixin, View):
    """Exact figures for the organisation's own staff; "as it leaves" hides small groups."""

    def get(self, request):
        shared = request.GET.get("view") == "shared"
        report = build_outcome_report(exact=not shared)
        return render(request, "desk/outcome_report.html", {
            "report": report, "charts": [reports.chart_svg_bars(c) for c in report.charts],
            "hidden_marker": reports.HIDDEN, "shared": shared})


class OutcomeReportExportView(StaffRequiredMixin, View):
    """The outcome report for funders, small groups hidden; every export is audited."""

    def get(self, request, file_format):
        if file_format not in EXPORT_TYPES:
            raise Http404
        report = build_outcome_report()
        if file_format == "csv":
            content = reports.to_csv(report)
        elif file_format == "xlsx":
            content = reports.to_xlsx(report)
        else:
            organisation = getattr(request.user, "organisation", None)
            content = reports.to_pdf(report, getattr(organisation, "name", ""))
        audit_record(request_or_actor=request, action=AuditAction.EXPORT,
                     subject_ref=f"outcome-report:{report.end.isoformat()}",
                     label=_("outcome report as %(format)s") % {"format": file_format.upper()})
        return download(content, EXPORT_TYPES[file_format],
                        f"outcomes-{report.end.isoformat()}.{file_format}")
