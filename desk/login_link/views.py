"""Asking for a login link (/accounts/login/link/) and the page behind it (a button, so
that a mail scanner opening the link does not spend it)."""

from django.shortcuts import redirect
from django.views.generic import FormView

from matching.intake.models import Volunteer
from notifications import link_pages
from notifications.services import LinkInvalid

from ..password_reset.forms import PasswordResetRequestForm
from . import services


class LoginLinkRequestView(FormView):
    form_class = PasswordResetRequestForm
    template_name = "registration/login_link_form.html"

    def form_valid(self, form):
        if services.address_over_limit(self.request):
            return self.render_to_response(
                self.get_context_data(form=form, too_many=True), status=429)
        services.login_link_request(request=self.request,
                                    login_name=form.cleaned_data["login"])
        return self.render_to_response(self.get_context_data(form=form, sent=True))


def login_link_page(request, link):
    """Behind the link: one button logs the volunteer in and opens their page."""
    user_id = link_pages.subject_id(link, "user")
    volunteer = Volunteer.objects.select_related("user").filter(user_id=user_id).first()
    link_pages.check_recipient(link, "volunteer", volunteer.pk if volunteer else None)
    if not (volunteer.user.is_active and volunteer.user.is_volunteer):
        raise LinkInvalid()
    if request.method == "POST":
        services.login_by_link(request=request, link=link, user=volunteer.user)
        return redirect("me")
    return link_pages.page(request, "registration/login_link_page.html",
                           {"first_name": volunteer.preferred_name or volunteer.first_name})
