from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from . import selectors, two_factor
from .forms import AuditFilterForm, TwoFactorCodeForm
from .models import AuditAction
from .permissions import AdminRequiredMixin
from .services import audit_record


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return "/"


class TwoFactorSetupView(LoginRequiredMixin, View):
    """Set up an authenticator app: QR code, secret, confirm with a code, backup codes."""

    template_name = "organisations/two_factor_setup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and two_factor.has_confirmed_device(request.user):
            # Once set up, a password alone never sets up another authenticator.
            return redirect(f"{_verify_url()}?{urlencode({'next': _next_url(request)})}")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(request, TwoFactorCodeForm())

    def post(self, request):
        form = TwoFactorCodeForm(request.POST)
        if form.is_valid():
            device = two_factor.pending_device(request.user)
            codes = two_factor.two_factor_confirm(
                request=request, device=device, token=form.cleaned_data["code"]
            )
            if codes is not None:
                audit_record(request_or_actor=request, action=AuditAction.CHANGE,
                             subject_ref=request.user, label=_("two-factor authentication set up"))
                return render(request, "organisations/two_factor_backup_codes.html",
                              {"codes": codes, "next": _next_url(request)})
            form.add_error("code", _("This code is not right. Check the time on your phone "
                                     "and enter the code the app shows now."))
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        device = two_factor.pending_device(request.user)
        return render(request, self.template_name, {
            "form": form, "qr_svg": two_factor.device_qr_svg(device),
            "secret": two_factor.device_secret(device), "next": _next_url(request),
        }, status=status)


def _verify_url():
    return reverse("two_factor_verify")


class TwoFactorVerifyView(LoginRequiredMixin, View):
    """The second step of logging in: a code from the app or a backup code."""

    template_name = "organisations/two_factor_verify.html"

    def get(self, request):
        if request.user.is_verified():
            return redirect(_next_url(request))
        return render(request, self.template_name,
                      {"form": TwoFactorCodeForm(), "next": _next_url(request)})

    def post(self, request):
        form = TwoFactorCodeForm(request.POST)
        if form.is_valid():
            if two_factor.two_factor_verify(request=request, token=form.cleaned_data["code"]):
                audit_record(request_or_actor=request, action=AuditAction.LOGIN_SUCCESS,
                             subject_ref=request.user, label=_("two-factor code accepted"))
                return redirect(_next_url(request))
            audit_record(request_or_actor=request, action=AuditAction.LOGIN_FAILURE,
                         subject_ref=request.user, label=_("wrong two-factor code"))
            form.add_error("code", _("This code is not right, or it was used already."))
        return render(request, self.template_name, {"form": form, "next": _next_url(request)},
                      status=400)


class AuditLogView(AdminRequiredMixin, ListView):
    """The organisation's audit log, for its admins: who saw or changed what, and logins."""

    template_name = "organisations/audit_log.html"
    context_object_name = "events"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = AuditFilterForm(self.request.GET or None)
        if self.filter_form.is_bound and not self.filter_form.is_valid():
            return selectors.audit_event_list().none()
        filters = self.filter_form.cleaned_data if self.filter_form.is_bound else {}
        return selectors.audit_event_list(
            person=filters.get("person", ""), action=filters.get("action", ""),
            date_from=filters.get("date_from"), date_to=filters.get("date_to"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filter_form=self.filter_form, query=query.urlencode())
        return context
