"""The volunteer's own intervision invitations, when logged in: the same answer as the
signed link in the invitation (channel "link"), for their own invitations only."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from . import services
from .models import AnswerChannel, Invitation, SessionStatus


def my_invitations(user):
    """The invitations of the volunteer linked to this account, to sessions still to come."""
    if not getattr(user, "is_authenticated", False):
        return Invitation.objects.none()
    return (Invitation.objects.filter(volunteer__user=user,
                                      session__status=SessionStatus.PLANNED,
                                      session__ends_at__gt=timezone.now())
            .select_related("session").order_by("session__starts_at", "id"))


class MyInvitationsView(LoginRequiredMixin, TemplateView):
    """The volunteer's upcoming intervision sessions, each with yes / maybe / no."""

    template_name = "coaching/my_invitations.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(invitations=list(my_invitations(self.request.user)),
                                        **kwargs)


class MyInvitationAnswerView(LoginRequiredMixin, View):
    def post(self, request, pk):
        invitation = get_object_or_404(my_invitations(request.user), pk=pk)
        try:
            services.invitation_answer(invitation, request.POST.get("answer", ""),
                                       AnswerChannel.LINK)
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("Thank you, your answer is saved."))
        return redirect("coaching:my_invitations")
