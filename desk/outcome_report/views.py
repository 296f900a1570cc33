"""The outcome report page and its exports (CSV, XLSX, PDF: desk.reports' export code)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from buddy.exports import download
from matching.proposals import services as matching_services
from organisations.audit import audit
from organisations.models import AuditAction
from organisations.permissions import StaffRequiredMixin
from organisations.services import audit_record

from .. import reports
from ..views import EXPORT_TYPES
from .figures import build_outcome_report, umbrella_report
from .lasting import MINIMUM, what_makes_a_duo_last


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
        organisation = getattr(request.user, "organisation", None)
        content = reports.as_file(report, file_format, getattr(organisation, "name", ""))
        audit_record(request_or_actor=request, action=AuditAction.EXPORT,
                     subject_ref=f"outcome-report:{report.end.isoformat()}",
                     label=_("outcome report as %(format)s") % {"format": file_format.upper()})
        return download(content, EXPORT_TYPES[file_format],
                        f"outcomes-{report.end.isoformat()}.{file_format}")


class LastingView(StaffRequiredMixin, View):
    """What makes a duo last; POST applies the suggested weights (never automatically)."""

    def _page(self, request, lasting, status=200):
        # One small chart per factor: two bars whose labels fit a phone.
        charts = [reports.Chart(
            f"lasting-{factor.key}", factor.label,
            _("The ended duos that scored high on this factor and those that scored low: the "
              "average share of their agreed length that they lasted, in percent."),
            _("percent"),
            [(_("high"), round(factor.high_mean * 100)),
             (_("low"), round(factor.low_mean * 100))]) for factor in lasting.factors]
        return render(request, "desk/lasting.html", {
            "lasting": lasting, "minimum": MINIMUM,
            "charts": [reports.chart_svg_bars(chart) for chart in charts]}, status=status)

    def get(self, request):
        return self._page(request, what_makes_a_duo_last(request.user.organisation_id))

    def post(self, request):
        organisation_id = request.user.organisation_id
        lasting = what_makes_a_duo_last(organisation_id)
        if not lasting.enough or not lasting.suggestion:
            messages.error(request, _("There is no suggestion to apply yet."))
            return redirect("lasting")
        weights = {part: suggested for part, (_current, suggested)
                   in lasting.suggestion.items()}
        try:
            settings = matching_services.matching_weights_set(organisation=organisation_id,
                                                               weights=weights)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            audit(request, AuditAction.CHANGE, settings,
                  label=f"matching weights set from 'what makes a duo last': {weights}")
            messages.success(request, _("The new weights are in the matching settings."))
        return redirect("lasting")


class UmbrellaView(StaffRequiredMixin, View):
    """An umbrella's staff: the outcome figures of the members that share them with it."""

    def get(self, request):
        report = umbrella_report(request.user.organisation_id)
        return render(request, "desk/umbrella.html", {"report": report,
                                                      "hidden_marker": reports.HIDDEN})
