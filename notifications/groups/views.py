from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from organisations.permissions import StaffRequiredMixin

from ..conversations.services import new_token
from ..models import GroupMessage, GroupStatus, Status
from . import selectors, services
from .forms import GroupMessageForm


class GroupMessageListView(StaffRequiredMixin, TemplateView):
    template_name = "notifications/group_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(groups=selectors.group_message_list(), **kwargs)


class GroupMessageCreateView(StaffRequiredMixin, TemplateView):
    """Choose a group, write once per language, see who it reaches and what it costs,
    then send."""

    template_name = "notifications/group_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", GroupMessageForm(
            choices=services.group_choices(), initial={"token": new_token()}))
        return context

    def post(self, request):
        if request.user.organisation_id is None:
            raise Http404
        form = GroupMessageForm(request.POST, choices=services.group_choices())
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        kind, value = form.kind_and_value()
        try:
            if request.POST.get("action") != "send":
                preview = services.group_preview(
                    organisation_id=request.user.organisation_id, kind=kind, value=value,
                    texts_by_language=form.texts())
                return self.render_to_response(self.get_context_data(
                    form=form, preview=preview,
                    errors=services.problems(preview, form.texts())))
            group = services.group_message_send(
                organisation_id=request.user.organisation_id, kind=kind, value=value,
                texts_by_language=form.texts(), user=request.user,
                token=form.cleaned_data["token"], request=request)
        except services.GroupMessageRefused as refused:
            form.add_error(None, str(refused))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        flash.success(request, _("The message is being sent in the background."))
        return redirect("notifications:group-detail", pk=group.pk)


class GroupMessageDetailView(StaffRequiredMixin, TemplateView):
    """Progress of a group message: how many handled, sent, delivered, not sent."""

    template_name = "notifications/group_detail.html"

    def get_context_data(self, **kwargs):
        group = get_object_or_404(GroupMessage.objects.select_related("created_by"),
                                  pk=self.kwargs["pk"])
        counts = selectors.status_counts(group)
        return super().get_context_data(
            group=group, counts=sorted((Status(status).label, count)
                                       for status, count in counts.items()),
            running=group.status in (GroupStatus.QUEUED, GroupStatus.SENDING),
            left_out=[(services.REASONS[reason], count)
                      for reason, count in group.left_out.items() if reason in services.REASONS],
            **kwargs)


class GroupMessageCancelView(StaffRequiredMixin, View):
    def post(self, request, pk):
        group = get_object_or_404(GroupMessage, pk=pk)
        services.group_message_cancel(group=group, user=request.user, request=request)
        flash.success(request, _("Cancelled: nobody else gets this message."))
        return redirect("notifications:group-detail", pk=group.pk)
