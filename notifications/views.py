import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages as flash
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import ListView, TemplateView

from organisations.audit import audit
from organisations.models import AuditAction, Organisation
from organisations.permissions import AdminRequiredMixin, StaffRequiredMixin
from organisations.scoping import all_organisations, organisation_scope

from . import hooks, selectors, services
from .conversations.services import key_for
from .forms import SimulatorReplyForm
from .models import Channel, CoordinatorTask, Direction, SignedLink
from .sms import backend_for

logger = logging.getLogger(__name__)
security_logger = logging.getLogger("notifications.security")

PROVIDERS = {"twilio", "messagebird", "bird"}


# --- signed links ----------------------------------------------------------------------


def client_ip(request) -> str:
    """The visitor's address; behind TRUSTED_PROXY_COUNT proxies, the one they saw."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                 if h.strip()]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


# Unknown tokens are counted per address and per token prefix (organisation and language):
# people share an address (a shelter's or a library's Wi-Fi), and a link that exists, whether
# it still works or has expired or been used, is never refused for what others on that
# address mistyped. Guessing a 131-bit secret is what the count slows down.


def _unknown_tokens_key(request, parts) -> str:
    # The prefix as decoded ("01fr" is "1fr"): writing it another way counts the same.
    prefix = f"{parts.organisation_id}{parts.language}" if parts is not None else "-"
    return f"notifications:unknown-links:{client_ip(request)}:{prefix}"


def _rate_limited(request, parts) -> bool:
    return (cache.get(_unknown_tokens_key(request, parts), 0)
            >= settings.LINK_BAD_ATTEMPTS_LIMIT)


def _count_unknown_token(request, parts) -> None:
    key = _unknown_tokens_key(request, parts)
    if cache.add(key, 1, timeout=settings.LINK_BAD_ATTEMPTS_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=settings.LINK_BAD_ATTEMPTS_WINDOW)


def link_not_working(request, parts, status=404):
    """One page for an unknown, expired, used or revoked link, and for too many tries:
    in the language and with the coordinator's number the link itself names."""
    organisation = None
    if parts is not None:
        with all_organisations():
            organisation = Organisation.objects.filter(pk=parts.organisation_id,
                                                       is_active=True).first()
    language = parts.language if parts is not None else translation.get_language()
    with translation.override(language):
        response = render(request, "notifications/link_not_working.html", {
            "link_organisation": organisation,
            "coordinator_phone": organisation.contact_phone if organisation else "",
        }, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# No CSRF cookie behind a signed link: a forged form cannot know the secret in the
# address, and an old phone that refuses cookies can still answer.
@method_decorator(csrf_exempt, name="dispatch")
class LinkView(View):
    """The page behind a signed link: the owning app's page for its purpose, in the
    person's language and the link's organisation scope; a friendly page otherwise."""

    def dispatch(self, request, token):
        link, parts = services.link_find(token)
        if link is None:
            if _rate_limited(request, parts):
                security_logger.warning("Signed links: too many unknown tokens from %s",
                                        client_ip(request))
                return link_not_working(request, parts, status=429)
            _count_unknown_token(request, parts)
            return link_not_working(request, parts)
        if not link.is_usable():  # expired, used or revoked: its own page, never a 429
            return link_not_working(request, parts)
        view = hooks.link_view(link.purpose)
        if view is None:
            logger.error("No page is registered for links of %s", link.purpose)
            return link_not_working(request, parts)
        with organisation_scope(link.organisation_id), translation.override(link.language):
            request.LANGUAGE_CODE = link.language
            request.link_page_id = link.pk  # for the short path of kept pages (link_cache)
            try:
                response = view(request, link)
            except services.LinkInvalid:
                return link_not_working(request, parts)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response


# --- provider webhooks -------------------------------------------------------------------


def _verified_backend(request, provider):
    if provider not in PROVIDERS:
        raise Http404
    backend = backend_for(provider)
    # The address the provider called, as the public sees it (not as a proxy forwards it).
    url = settings.SITE_URL + request.get_full_path()
    if not backend.verify_request(request, url):
        security_logger.warning("Refused a %s webhook with a bad signature from %s: %s",
                                provider, client_ip(request), request.path)
        return None
    return backend


def _ok(provider):
    if provider == "twilio":  # an empty TwiML answer: no automatic reply from Twilio
        return HttpResponse("<Response/>", content_type="text/xml")
    return HttpResponse("OK", content_type="text/plain")


@csrf_exempt
def sms_inbound(request, provider):
    """An SMS from a person, forwarded by the provider."""
    if request.method not in ("POST", "GET") or (request.method == "GET" and
                                                provider == "twilio"):
        return HttpResponse(status=405)
    backend = _verified_backend(request, provider)
    if backend is None:
        return HttpResponseForbidden()
    services.sms_receive(backend.name, backend.parse_inbound(request))
    return _ok(provider)


@csrf_exempt
def sms_status(request, provider):
    """A provider's delivery report for one message."""
    if request.method not in ("POST", "GET") or (request.method == "GET" and
                                                provider == "twilio"):
        return HttpResponse(status=405)
    backend = _verified_backend(request, provider)
    if backend is None:
        return HttpResponseForbidden()
    services.sms_status_update(backend.parse_status(request))
    return _ok(provider)


# --- staff pages ----------------------------------------------------------------------------


class MessageListView(StaffRequiredMixin, ListView):
    """The message log: every message in and out, or one person's (?person=key)."""

    template_name = "notifications/message_list.html"
    paginate_by = 50
    context_object_name = "log"

    def get_queryset(self):
        params = self.request.GET
        return selectors.message_list(
            person=params.get("person", ""),
            channel=params.get("channel", "") if params.get("channel") in Channel.values
            else "",
            direction=params.get("direction", "") if params.get("direction") in
            Direction.values else "",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.request.GET.get("person", "")
        if person:
            # One person's messages: a view of their record. The key ("participant:12")
            # names no one.
            audit(self.request, AuditAction.VIEW, ref=f"notifications.person:{person[:60]}",
                  label=f"messages of {person[:60]}")
        context["person"] = person
        context["person_url"] = selectors.person_link(person)
        context["links"] = list(selectors.link_list(person=person)[:20]) if person else []
        for link in context["links"]:
            link.label = hooks.link_label(link.purpose) or _("A personal link")
        context["channels"] = Channel.choices
        return context


class TaskListView(StaffRequiredMixin, TemplateView):
    """Follow-up items from messages: people to phone, replies to read."""

    template_name = "notifications/task_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tasks = list(selectors.task_list(open_only=True)[:200])
        for task in tasks:
            task.person_url = selectors.person_link(task.recipient_key)
            task.conversation_key = key_for(task.recipient_key, task.phone)
        context["tasks"] = tasks
        return context


class TaskDoneView(StaffRequiredMixin, View):
    def post(self, request, pk):
        task = get_object_or_404(CoordinatorTask, pk=pk)
        services.task_done(task=task, user=request.user)
        flash.success(request, _("Marked as done."))
        return redirect("notifications:tasks")


class LinkRevokeView(StaffRequiredMixin, View):
    def post(self, request, pk):
        link = get_object_or_404(SignedLink, pk=pk)
        services.link_revoke(link=link)
        flash.success(request, _("The link no longer works."))
        return redirect(f"{reverse('notifications:messages')}?"
                        f"{urlencode({'person': link.recipient_key})}")


class UsageView(AdminRequiredMixin, TemplateView):
    """For the organisation admin: SMS per month, segments and estimated cost."""

    template_name = "notifications/usage.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["months"] = list(selectors.sms_usage_by_month()[:24])
        context["cost_per_segment"] = settings.SMS_COST_PER_SEGMENT
        return context


class RemindersView(StaffRequiredMixin, TemplateView):
    """Upcoming reminders of the organisation (14 days), the history, and the settings."""

    template_name = "notifications/reminders.html"

    def get_context_data(self, **kwargs):
        organisation = self.request.user.organisation
        return super().get_context_data(
            upcoming=selectors.reminders_upcoming(), history=selectors.reminders_history(),
            kinds=selectors.reminder_kinds(organisation),
            days=selectors.REMINDERS_UPCOMING_DAYS, **kwargs)


class SimulatorView(StaffRequiredMixin, TemplateView):
    """The phone simulator (`SMS_SIMULATOR`: `make run` and demos): every SMS sent, per
    number, and a reply box that goes through the real inbound path."""

    template_name = "notifications/simulator.html"

    def dispatch(self, request, *args, **kwargs):
        if not settings.SMS_SIMULATOR:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            phones=selectors.simulator_phones(),
            form=kwargs.pop("form", None) or SimulatorReplyForm(), **kwargs)

    def post(self, request):
        form = SimulatorReplyForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        services.simulator_reply(organisation_id=request.user.organisation_id,
                                 phone=form.cleaned_data["phone"],
                                 body=form.cleaned_data["body"])
        flash.success(request, _("The reply was received as an SMS from %(phone)s.") % {
            "phone": form.cleaned_data["phone"]})
        return redirect(f"{reverse('notifications:simulator')}#phone-"
                        f"{form.cleaned_data['phone'].lstrip('+')}")
