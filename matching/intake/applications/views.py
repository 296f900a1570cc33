"""The public application pages (no account: /apply/<slug>/ for volunteers, /ask/<slug>/
for participants) and the coordinator's list of applications with its poster (QR codes).

A public page opens the scope of the organisation its slug names (anonymous requests have
none). A robot that fills in the hidden field, a person already registered and anyone
else all see the same thank-you page; too many applications from one address, or for one
organisation, within the hour get a page that says so, and nothing is saved.
"""

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from buddy import ratelimit
from buddy.forms import add_all_errors, add_service_errors
from notifications.views import client_ip
from organisations.audit import audit
from organisations.models import AuditAction, Organisation
from organisations.scoping import all_organisations, organisation_scope

from ..models import Participant
from ..referrals import services as referral_services
from ..referrals.models import Referral
from ..views import OrganisationStaffMixin
from . import selectors, services
from .forms import ParticipantApplicationForm, VolunteerApplicationForm
from .models import Application


def _organisation(slug) -> Organisation:
    with all_organisations():
        return get_object_or_404(Organisation, slug=slug, is_active=True)


def _limits(request, organisation):
    return ((f"applications:address:{client_ip(request)}", settings.APPLICATION_ADDRESS_LIMIT),
            (f"applications:organisation:{organisation.pk}",
             settings.APPLICATION_ORGANISATION_LIMIT))


def over_limit(request, organisation) -> bool:
    """This address, or this organisation, had too many applications within
    APPLICATION_WINDOW. Only saved applications count: a typo costs nothing."""
    return any(ratelimit.reached(key, limit) for key, limit in _limits(request, organisation))


def count_application(request, organisation) -> None:
    for key, limit in _limits(request, organisation):
        ratelimit.hit(key, limit, settings.APPLICATION_WINDOW)


@method_decorator(never_cache, name="dispatch")
class PublicApplicationView(View):
    form_class = VolunteerApplicationForm
    service = staticmethod(services.volunteer_apply)
    template_name = "matching/applications/apply.html"
    thanks_url = "matching:apply_thanks"
    kind = "volunteer"

    def dispatch(self, request, slug):
        self.organisation = _organisation(slug)
        with organisation_scope(self.organisation):
            return super().dispatch(request, slug)

    def render(self, form, status=200, **context):
        return render(self.request, self.template_name, {
            "form": form, "organisation": self.organisation, "kind": self.kind, **context,
        }, status=status)

    def get(self, request, slug):
        return self.render(self.form_class(organisation=self.organisation))

    def post(self, request, slug):
        form = self.form_class(request.POST, organisation=self.organisation)
        if form.is_trapped:  # a robot: thanked like anyone, nothing saved
            return redirect(self.thanks_url, slug=slug)
        if not form.is_valid():
            add_all_errors(form, self.service, organisation=self.organisation,
                           **form.service_kwargs())
            return self.render(form)
        if over_limit(request, self.organisation):
            return self.render(form, status=429, too_many=True)
        try:
            application = self.service(organisation=self.organisation,
                                       **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render(form)
        count_application(request, self.organisation)
        audit(request, AuditAction.CREATE, application.person,
              label=f"{application.kind} #{application.person.pk} (own application)")
        return redirect(self.thanks_url, slug=slug)


class PublicParticipantApplicationView(PublicApplicationView):
    form_class = ParticipantApplicationForm
    service = staticmethod(services.participant_apply)
    template_name = "matching/applications/ask.html"
    thanks_url = "matching:ask_thanks"
    kind = "participant"


def thanks(request, slug, kind):
    organisation = _organisation(slug)
    return render(request, "matching/applications/thanks.html",
                  {"organisation": organisation, "kind": kind})




class ApplicationListView(OrganisationStaffMixin, TemplateView):
    """What came in through the public pages and waits for the coordinator."""

    template_name = "matching/applications/list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            duplicates=selectors.duplicates_to_merge(),
            applicants=selectors.volunteer_applicants(),
            to_confirm=selectors.participants_to_confirm(), **kwargs)


class ApplicationPosterView(OrganisationStaffMixin, TemplateView):
    """The addresses of the organisation's two public pages, with QR codes to print."""

    template_name = "matching/applications/poster.html"

    def get_context_data(self, **kwargs):
        pages = []
        for name, title in (("matching:apply", _("Become a buddy")),
                            ("matching:ask", _("Ask for a buddy"))):
            url = settings.SITE_URL + reverse(name, kwargs={"slug": self.organisation.slug})
            pages.append({"title": title, "url": url, "qr": segno.make(url, error="m")
                          .svg_inline(scale=6, dark="#000", light="#fff", omitsize=False)})
        return super().get_context_data(pages=pages, organisation=self.organisation,
                                        **kwargs)


class ApplicationActionView(OrganisationStaffMixin, View):
    """Merges a duplicate into the registered person, or discards it."""

    ACTIONS = {"merge": (services.application_merge, _("merged")),
               "discard": (services.application_discard, _("put aside"))}

    def post(self, request, pk, action):
        if action not in self.ACTIONS:
            raise Http404
        application = get_object_or_404(Application, pk=pk)
        service, done = self.ACTIONS[action]
        try:
            application = service(application=application, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            audit(request, AuditAction.CHANGE, application.person)
            messages.success(request, _("The application was %(done)s.") % {"done": done})
        return redirect("matching:applications")


class ParticipantConfirmView(OrganisationStaffMixin, View):
    """Puts a participant who applied themselves on the waiting list."""

    def post(self, request, pk):
        participant = get_object_or_404(Participant, pk=pk)
        referral = Referral.objects.filter(participant=participant).first()
        try:
            if referral is not None:  # they said yes on the phone: the referral's date
                referral_services.referral_confirm(referral=referral)
                participant.refresh_from_db()
                if participant.status != "waiting":
                    raise ValidationError(_("This person is not waiting for a confirmation."))
            else:
                services.participant_confirm(participant=participant)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            audit(request, AuditAction.CHANGE, participant)
            messages.success(request, _("%(name)s is on the waiting list.")
                             % {"name": participant.display_name})
        return redirect("matching:applications")
