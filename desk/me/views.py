"""A volunteer's own page (/me/): what they can change themselves (availability, languages,
interests, how to reach them), a pause until a day, and their hours and expenses. In the
roof because it reads intake (the profile) and duos (meetings, expenses). Every change is
audited with the volunteer as the actor, and the intake services announce it to matching,
so their short lists follow."""

from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from buddy.forms import add_service_errors
from duos.models import Expense, MeetingLog
from duos.person_sections import HOURS
from matching.intake import services
from matching.intake.models import Volunteer
from organisations.audit import audit
from organisations.models import AuditAction

from .forms import OwnProfileForm, PauseForm


def hours_per_month(volunteer) -> list[tuple[str, float, int]]:
    """(month "2026-11", rough hours, meetings) of the volunteer's logged meetings, newest
    month first: one query."""
    months = OrderedDict()
    for day, duration in (MeetingLog.objects.filter(duo__volunteer=volunteer,
                                                    did_not_meet=False)
                          .order_by("-date").values_list("date", "duration")):
        hours, meetings = months.get(day.strftime("%Y-%m"), (0, 0))
        months[day.strftime("%Y-%m")] = (hours + HOURS.get(duration, 0), meetings + 1)
    return [(month, round(hours, 1), meetings) for month, (hours, meetings) in months.items()]


class MyPageView(LoginRequiredMixin, TemplateView):
    template_name = "desk/me.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if not request.user.is_volunteer:
                raise PermissionDenied
            self.volunteer = Volunteer.objects.filter(user=request.user).first()
            if self.volunteer is None:
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("profile_form", OwnProfileForm(volunteer=self.volunteer))
        kwargs.setdefault("pause_form", PauseForm())
        expenses = (Expense.objects.filter(duo__volunteer=self.volunteer)
                    .order_by("-spent_on", "-pk")[:24])
        return super().get_context_data(volunteer=self.volunteer,
                                        hours=hours_per_month(self.volunteer),
                                        expenses=expenses, today=timezone.localdate(),
                                        **kwargs)

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "profile":
            form = OwnProfileForm(request.POST, volunteer=self.volunteer)
            if form.is_valid():
                try:
                    services.volunteer_update_own(volunteer=self.volunteer,
                                                  **form.cleaned_data)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    return self._done(_("Your changes are saved."))
            return self.render_to_response(self.get_context_data(profile_form=form),
                                           status=400)
        if action == "pause":
            form = PauseForm(request.POST)
            if form.is_valid():
                try:
                    services.volunteer_pause_until(volunteer=self.volunteer,
                                                   until=form.cleaned_data["until"])
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    return self._done(_("Enjoy your break. We will not propose anyone to "
                                        "you before %(date)s.") % {
                        "date": form.cleaned_data["until"].strftime("%d/%m/%Y")})
            return self.render_to_response(self.get_context_data(pause_form=form),
                                           status=400)
        if action == "back":
            services.volunteer_come_back(volunteer=self.volunteer)
            return self._done(_("Welcome back."))
        return redirect("me")

    def _done(self, text):
        audit(self.request, AuditAction.CHANGE, self.volunteer)
        messages.success(self.request, text)
        return redirect("me")
