from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from organisations.audit import audit
from organisations.models import AuditAction
from organisations.permissions import StaffRequiredMixin

from .. import hooks
from ..models import Direction, Message
from ..selectors import held_notice
from . import selectors, services
from .forms import AnswerForm, CallForm


class ConversationView(StaffRequiredMixin, TemplateView):
    """A person's conversation: every message in and out, newest last, the answer form and
    a phone call to record."""

    template_name = "notifications/conversation.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.thread_exists(kwargs["key"]):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        key = self.kwargs["key"]
        organisation_id = self.request.user.organisation_id
        contact = services.contact_for(organisation_id, key)
        audit(self.request, AuditAction.VIEW, ref=f"notifications.conversation:{key[:60]}",
              label=f"conversation of {key[:60]}")
        context = super().get_context_data(**kwargs)
        context.update(
            key=key, contact=contact, thread=selectors.thread(key),
            person_url=hooks.person_url(key),
            channel=services.answer_channel(contact) if contact else "",
            quiet_now=services.quiet_now(organisation_id) if organisation_id else False,
            answer_form=kwargs.get("answer_form") or AnswerForm(
                initial={"token": services.new_token()}),
            call_form=kwargs.get("call_form") or CallForm(
                initial={"token": services.new_token()}),
        )
        return context

    def post(self, request, key):
        organisation_id = request.user.organisation_id
        if organisation_id is None:  # a superuser belongs to no organisation
            raise Http404
        started = timezone.now()
        if request.POST.get("action") == "call":
            form = CallForm(request.POST)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(call_form=form),
                                               status=400)
            try:
                services.conversation_call_record(
                    organisation_id=organisation_id, key=key, user=request.user,
                    note=form.cleaned_data["note"], token=form.cleaned_data["token"],
                    direction=form.cleaned_data["direction"])
            except services.AnswerRefused as refused:
                form.add_error(None, str(refused))
                return self.render_to_response(self.get_context_data(call_form=form),
                                               status=400)
            flash.success(request, _("The phone call is recorded."))
            return redirect(request.path)
        form = AnswerForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(answer_form=form), status=400)
        try:
            services.conversation_answer(
                organisation_id=organisation_id, key=key, user=request.user,
                text=form.cleaned_data["text"], token=form.cleaned_data["token"],
                during_quiet_hours=form.cleaned_data["send_during_quiet_hours"])
        except services.AnswerRefused as refused:
            form.add_error("text", str(refused))
            return self.render_to_response(self.get_context_data(answer_form=form), status=400)
        flash.success(request, held_notice(started) or _("Your answer is on its way."))
        return redirect(request.path)


class InboxView(StaffRequiredMixin, TemplateView):
    """Messages from people that answer no question, until a coordinator answers or
    closes them; `?handled=1` for the latest ones handled."""

    template_name = "notifications/inbox.html"

    def get_context_data(self, **kwargs):
        handled = self.request.GET.get("handled") == "1"
        return super().get_context_data(rows=selectors.inbox(handled=handled),
                                        handled=handled, **kwargs)


class InboxCloseView(StaffRequiredMixin, View):
    def post(self, request, pk):
        message = get_object_or_404(Message, pk=pk, direction=Direction.IN)
        services.inbox_close(message=message, user=request.user)
        flash.success(request, _("Closed without an answer."))
        return redirect(reverse("notifications:inbox"))
