"""Django's password-reset views with our form and services, and the page behind the SMS
link (registered with notifications in DeskConfig.ready())."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy

from matching.intake.models import Volunteer
from notifications import link_pages
from notifications.services import LinkInvalid

from . import services
from .forms import PasswordResetRequestForm


class PasswordResetRequestView(auth_views.PasswordResetView):
    """Asks for a username, e-mail address or mobile number; always answers with the same
    page, whether an account was found or not."""

    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        if services.address_over_limit(self.request):
            return self.render_to_response(
                self.get_context_data(form=form, too_many=True), status=429)
        services.password_reset_request(request=self.request,
                                        login=form.cleaned_data["login"])
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's link check and form; the password is saved and audited by the service.
    Nobody is logged in here: staff still pass their second factor at the next login."""

    success_url = reverse_lazy("password_reset_complete")
    post_reset_login = False

    def form_valid(self, form):
        services.password_set(request=self.request, form=form)
        self.request.session.pop(auth_views.INTERNAL_RESET_SESSION_TOKEN, None)
        return HttpResponseRedirect(self.get_success_url())


def password_reset_link_page(request, link):
    """The SMS link of a volunteer: a new password, once."""
    user_id = link_pages.subject_id(link, "user")
    volunteer = Volunteer.objects.select_related("user").filter(user_id=user_id).first()
    link_pages.check_recipient(link, "volunteer", volunteer.pk if volunteer else None)
    if not volunteer.user.is_active:
        raise LinkInvalid()
    form = SetPasswordForm(volunteer.user, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        services.password_set_by_link(request=request, form=form, link=link)
        return link_pages.page(request, "registration/password_reset_complete.html", {})
    return link_pages.page(request, "registration/password_reset_confirm.html",
                           {"form": form, "validlink": True})
