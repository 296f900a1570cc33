"""Staff pages of coaching: thin; they parse a form, call a service or selector, render."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from buddy.dates import add_months
from buddy.forms import add_service_errors
from organisations.audit import audit
from organisations.models import AuditAction
from organisations.permissions import StaffRequiredMixin

from . import forms, selectors, services
from .models import AnswerChannel, Invitation, TrainingModule


def _organisation(request):
    """The user's organisation; a superuser without one works in the admin instead."""
    if request.user.organisation_id is None:
        raise PermissionDenied
    return request.user.organisation


def _session_or_404(pk):
    return get_object_or_404(selectors.session_detail_queryset(), pk=pk)


class FormPage(StaffRequiredMixin, TemplateView):
    """GET shows the form, POST validates it and calls `perform`; service errors show up
    on the form, and nothing is saved."""

    form_class = None
    # The attribute `setup_object` sets to the record the page is about ("session"): a GET
    # is audited as a view of it, a successful POST as a change. Empty: about no one record
    # (`perform` audits what it creates).
    audit_attribute = ""

    def get_form(self, data=None):
        return self.form_class(data, initial=self.get_initial())

    def _audited_object(self):
        return getattr(self, self.audit_attribute) if self.audit_attribute else None

    def get_initial(self):
        return {}

    def get(self, request, *args, **kwargs):
        self.setup_object()
        if self._audited_object() is not None:
            audit(request, AuditAction.VIEW, self._audited_object())
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        self.setup_object()
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                response = self.perform(form)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if self._audited_object() is not None:
                    audit(request, AuditAction.CHANGE, self._audited_object())
                return response
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def setup_object(self):
        pass

    def perform(self, form):
        raise NotImplementedError


# Sessions ---------------------------------------------------------------------------------


class SessionListView(StaffRequiredMixin, TemplateView):
    template_name = "coaching/session_list.html"

    def get_context_data(self, **kwargs):
        past = self.request.GET.get("when") == "past"
        return super().get_context_data(
            past=past, sessions=list(selectors.session_list(past=past)), **kwargs)


class SessionCreateView(FormPage):
    template_name = "coaching/session_form.html"
    form_class = forms.SessionCreateForm

    def get_initial(self):
        return {"date": timezone.localdate() + datetime.timedelta(days=14),
                "start_time": datetime.time(19, 0), "end_time": datetime.time(21, 0),
                "facilitator": self.request.user.pk}

    def perform(self, form):
        data = form.cleaned_data
        organisation = _organisation(self.request)
        if data["repeats"]:
            series = services.series_create(
                organisation=organisation, created_by=self.request.user,
                interval_weeks=data["interval_weeks"], until=data["until"],
                count=data["count"], **form.session_fields(), **form.chosen_people())
            session = series.sessions.order_by("starts_at").first()
            messages.success(self.request, _("The series is planned."))
        else:
            session = services.session_create(organisation=organisation,
                                              **form.session_fields(), **form.chosen_people())
            messages.success(self.request, _("The session is planned."))
        audit(self.request, AuditAction.CREATE, session)
        return redirect("coaching:session_detail", pk=session.pk)


class SessionDetailView(StaffRequiredMixin, TemplateView):
    template_name = "coaching/session_detail.html"

    def get_context_data(self, **kwargs):
        session = _session_or_404(self.kwargs["pk"])
        audit(self.request, AuditAction.VIEW, session)  # who is invited, who came
        invitations = selectors.session_invitations(session)
        ranks = selectors.waiting_rank(invitations)
        for invitation in invitations:
            invitation.waiting_rank = ranks.get(invitation.pk)
        return super().get_context_data(
            session=session, invitations=invitations,
            is_past=session.ends_at <= timezone.now(),
            note=getattr(session, "note", None),
            answer_form=forms.AnswerForm(), invite_form=forms.InviteOneForm(), **kwargs)


class SessionEditView(FormPage):
    template_name = "coaching/session_edit.html"
    form_class = forms.SessionEditForm

    audit_attribute = "session"

    def setup_object(self):
        self.session = _session_or_404(self.kwargs["pk"])

    def get_form(self, data=None):
        form = super().get_form(data)
        if not self.session.series_id:
            del form.fields["scope"]
        return form

    def get_initial(self):
        return forms.SessionForm.initial_for(self.session)

    def get_context_data(self, **kwargs):
        return super().get_context_data(session=self.session, **kwargs)

    def perform(self, form):
        # Only what was changed on this page is carried to the rest of a series: a later
        # session that got its own place keeps it when only the time changes here.
        fields = {name: value for name, value in form.session_fields().items()
                  if value != getattr(self.session, name)}
        if "starts_at" in fields or "ends_at" in fields:
            fields["starts_at"], fields["ends_at"] = (form.session_fields()["starts_at"],
                                                      form.session_fields()["ends_at"])
        if "facilitator" in fields and getattr(fields["facilitator"], "pk", None) == (
                self.session.facilitator_id):
            del fields["facilitator"]
        people = form.chosen_people()
        if (set(people["chosen_volunteers"]) == set(self.session.chosen_volunteers.all())
                and set(people["chosen_participants"])
                == set(self.session.chosen_participants.all())):
            people = {}
        services.session_update(session=self.session,
                                scope=form.cleaned_data.get("scope") or services.THIS,
                                **fields, **people)
        messages.success(self.request, _("The session is changed. Everyone who said yes or "
                                         "maybe is told of a new time or place."))
        return redirect("coaching:session_detail", pk=self.session.pk)


class SessionCancelView(FormPage):
    template_name = "coaching/session_cancel.html"
    form_class = forms.SessionCancelForm

    audit_attribute = "session"

    def setup_object(self):
        self.session = _session_or_404(self.kwargs["pk"])

    def get_form(self, data=None):
        form = super().get_form(data)
        if not self.session.series_id:
            del form.fields["scope"]
        return form

    def get_context_data(self, **kwargs):
        return super().get_context_data(session=self.session, **kwargs)

    def perform(self, form):
        services.session_cancel(session=self.session,
                                scope=form.cleaned_data.get("scope") or services.THIS,
                                reason=form.cleaned_data["reason"])
        messages.success(self.request, _("The session is cancelled. Everyone who said yes or "
                                         "maybe is told."))
        return redirect("coaching:session_detail", pk=self.session.pk)


class SessionInviteView(StaffRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        session = _session_or_404(pk)
        try:
            created = services.invitations_send(session=session)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if created:
                messages.success(request, ngettext(
                    "%(count)s invitation is being sent.", "%(count)s invitations are being sent.",
                    len(created)) % {"count": len(created)})
            else:
                messages.info(request, _("Everyone is already invited."))
            audit(request, AuditAction.CHANGE, session)
        return redirect("coaching:session_detail", pk=session.pk)


class SessionInviteOneView(StaffRequiredMixin, View):
    """Invites one more volunteer or participant (a walk-in, a duo chosen later)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        session = _session_or_404(pk)
        form = forms.InviteOneForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect("coaching:session_detail", pk=session.pk)
        try:
            invitation = services.invitation_add(session=session, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            audit(request, AuditAction.CREATE, invitation)
            messages.success(request, _("%(name)s is invited.") % {"name": invitation.invitee})
        return redirect("coaching:session_detail", pk=session.pk)


class InvitationAnswerView(StaffRequiredMixin, View):
    """The coordinator records an answer given on the phone or in person."""

    http_method_names = ["post"]

    def post(self, request, pk):
        invitation = get_object_or_404(Invitation.objects.select_related("session"), pk=pk)
        form = forms.AnswerForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose yes, no or maybe."))
        else:
            try:
                invitation = services.invitation_answer(
                    invitation, form.cleaned_data["answer"], AnswerChannel.COORDINATOR,
                    recorded_by=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                audit(request, AuditAction.CHANGE, invitation)
                if invitation.is_waiting:
                    messages.info(request, _("The session is full: %(name)s is on the "
                                             "waiting list.") % {"name": invitation.invitee})
                else:
                    messages.success(request, _("The answer of %(name)s is recorded.")
                                     % {"name": invitation.invitee})
        return redirect(reverse("coaching:session_detail", args=[invitation.session_id])
                        + f"#invitation-{invitation.pk}")


class AttendanceView(StaffRequiredMixin, TemplateView):
    """A checklist for the facilitator's phone: tick who is there, save."""

    template_name = "coaching/attendance.html"

    def get_context_data(self, **kwargs):
        session = self.session
        return super().get_context_data(
            session=session, rows=selectors.attendance_checklist(session),
            too_early=timezone.localtime(session.starts_at).date() > timezone.localdate(),
            **kwargs)

    def get(self, request, *args, **kwargs):
        self.session = _session_or_404(kwargs["pk"])
        audit(request, AuditAction.VIEW, self.session)
        return super().get(request, *args, **kwargs)

    def post(self, request, pk):
        self.session = _session_or_404(pk)
        try:
            listed = {int(value) for value in request.POST.getlist("listed")}
            present = {int(value) for value in request.POST.getlist("present")}
        except ValueError:
            listed, present = set(), set()
        try:
            services.attendance_record(
                session=self.session, recorded_by=request.user,
                marks={invitation_id: invitation_id in present for invitation_id in listed})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return self.render_to_response(self.get_context_data(), status=400)
        audit(request, AuditAction.CHANGE, self.session)
        messages.success(request, _("Attendance is saved."))
        return redirect("coaching:session_detail", pk=pk)


class SessionNoteView(FormPage):
    template_name = "coaching/session_note.html"
    form_class = forms.NoteForm

    audit_attribute = "session"

    def setup_object(self):
        self.session = _session_or_404(self.kwargs["pk"])

    def get_initial(self):
        note = getattr(self.session, "note", None)
        if note is None:
            return {}
        return {"themes": note.themes, "successes": note.successes, "pitfalls": note.pitfalls,
                "follow_up": note.follow_up}

    def get_context_data(self, **kwargs):
        return super().get_context_data(session=self.session, **kwargs)

    def perform(self, form):
        services.note_save(session=self.session, written_by=self.request.user,
                           **form.cleaned_data)
        messages.success(self.request, _("The notes are saved."))
        return redirect("coaching:session_detail", pk=self.session.pk)


# Coaching contacts ------------------------------------------------------------------------


class ContactListView(FormPage):
    template_name = "coaching/contact_list.html"
    form_class = forms.CoachingContactForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(contacts=list(selectors.contact_list()[:200]),
                                        **kwargs)

    def perform(self, form):
        contact = services.coaching_contact_record(
            organisation=_organisation(self.request), coordinator=self.request.user,
            **form.cleaned_data)
        audit(self.request, AuditAction.CREATE, contact)
        messages.success(self.request, _("The coaching contact is recorded."))
        return redirect("coaching:contact_list")


# Training ---------------------------------------------------------------------------------


class TrainingListView(FormPage):
    template_name = "coaching/training_list.html"
    form_class = forms.TrainingModuleForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(modules=list(selectors.training_module_list()),
                                        **kwargs)

    def perform(self, form):
        module = services.training_module_save(organisation=_organisation(self.request),
                                               **form.cleaned_data)
        messages.success(self.request, _("The training module is added."))
        return redirect("coaching:training_detail", pk=module.pk)


class TrainingDetailView(FormPage):
    template_name = "coaching/training_detail.html"
    form_class = forms.TrainingCompletionForm

    audit_attribute = "module"  # the page lists who completed the module

    def setup_object(self):
        self.module = get_object_or_404(TrainingModule.objects.all(), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        completions = list(selectors.training_completion_list().filter(module=self.module))
        return super().get_context_data(module=self.module, completions=completions, **kwargs)

    def perform(self, form):
        services.training_complete(module=self.module, recorded_by=self.request.user,
                                   **form.cleaned_data)
        messages.success(self.request, _("The completion is recorded."))
        return redirect("coaching:training_detail", pk=self.module.pk)


# Support, figures, settings ---------------------------------------------------------------


class SupportView(StaffRequiredMixin, TemplateView):
    template_name = "coaching/support.html"

    def get_context_data(self, **kwargs):
        organisation = _organisation(self.request)
        return super().get_context_data(
            rows=selectors.volunteers_needing_support(organisation),
            settings=selectors.coaching_settings(organisation), **kwargs)


class FiguresView(StaffRequiredMixin, TemplateView):
    template_name = "coaching/figures.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        months, per_volunteer = selectors.attendance_per_volunteer(today=today, months=6)
        return super().get_context_data(
            sessions=list(selectors.attendance_per_session(
                since=add_months(today, -12))),
            months=months, per_volunteer=per_volunteer,
            share=selectors.active_volunteers_at_intervision(today=today, months=6),
            **kwargs)


class SettingsView(FormPage):
    template_name = "coaching/settings.html"
    form_class = forms.CoachingSettingsForm

    def get_initial(self):
        current = selectors.coaching_settings(_organisation(self.request))
        return {"months_without_intervision": current.months_without_intervision,
                "reminder_lead_days": current.reminder_lead_days}

    def perform(self, form):
        services.coaching_settings_update(organisation=_organisation(self.request),
                                          **form.cleaned_data)
        messages.success(self.request, _("The coaching settings are saved."))
        return redirect("coaching:support")

