"""A partner's referral page (/refer/<key>/): the form, and the status of the partner's own
referrals (only those the participant agreed to; nothing else of the organisation)."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from buddy.forms import add_all_errors, add_service_errors
from organisations.audit import audit
from organisations.models import AuditAction
from organisations.scoping import all_organisations, organisation_scope

from ..applications.views import count_application, over_limit
from ..models import ParticipantStatus
from . import services
from .forms import ReferralForm
from .models import Partner, Referral, ReferralStatus

# What a partner reads about a referral the participant agreed to.
SHOWN_STATUS = {
    ParticipantStatus.WAITING: "waiting", ParticipantStatus.PAUSED: "waiting",
    ParticipantStatus.PROPOSAL_OPEN: "waiting", ParticipantStatus.MATCHED: "matched",
    ParticipantStatus.WITHDRAWN: "ended",
}


def _partner(key) -> Partner:
    with all_organisations():
        return get_object_or_404(Partner.objects.select_related("organisation"), token=key,
                                 is_active=True, organisation__is_active=True)


def _own_referrals(partner):
    rows = []
    for referral in (Referral.objects.filter(partner=partner)
                     .select_related("participant").order_by("-referred_on", "-pk")[:50]):
        shown = ("asked" if referral.status != ReferralStatus.CONFIRMED
                 else SHOWN_STATUS.get(referral.participant.status, "waiting"))
        rows.append({"first_name": referral.participant.first_name,
                     "referred_on": referral.referred_on, "status": shown})
    return rows


@method_decorator(never_cache, name="dispatch")
class ReferralView(View):
    template_name = "matching/referrals/refer.html"

    def dispatch(self, request, key):
        self.partner = _partner(key)
        self.organisation = self.partner.organisation
        with organisation_scope(self.organisation):
            response = super().dispatch(request, key)
        # The key stays out of other sites (same-origin: the form's own POST keeps its
        # Origin header, which the CSRF check needs; "no-referrer" would send "null").
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex"
        return response

    def render(self, form, status=200, **context):
        return render(self.request, self.template_name, {
            "form": form, "organisation": self.organisation, "partner": self.partner,
            "referrals": _own_referrals(self.partner), **context}, status=status)

    def get(self, request, key):
        return self.render(ReferralForm(organisation=self.organisation))

    def post(self, request, key):
        form = ReferralForm(request.POST, organisation=self.organisation)
        if form.is_trapped:
            return redirect("matching:refer", key=key)
        if not form.is_valid():
            add_all_errors(form, services.referral_receive, partner=self.partner,
                           **form.service_kwargs())
            return self.render(form)
        if over_limit(request, self.organisation):
            return self.render(form, status=429, too_many=True)
        try:
            referral = services.referral_receive(partner=self.partner, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render(form)
        count_application(request, self.organisation)
        if referral is not None:  # None: registered already, the coordinator has a task
            audit(request, AuditAction.CREATE, referral.participant,
                  label=f"participant #{referral.participant_id} (referral)")
        return self.render(ReferralForm(organisation=self.organisation), done=True)
