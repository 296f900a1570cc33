"""Staff pages: intake, the waiting list, recruitment, the interest catalogue, import/export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from buddy.forms import add_all_errors, add_service_errors
from organisations.audit import audit
from organisations.models import AuditAction
from organisations.permissions import StaffRequiredMixin

from . import exports, imports, person_pages, selectors, services
from .availability import describe
from .filters import WaitingListFilter
from .forms import (
    ConsentForm,
    ContactForm,
    ImportMappingForm,
    ImportResolveForm,
    ImportUploadForm,
    InterestCategoryForm,
    InterestForm,
    ParticipantDetailsForm,
    ParticipantForm,
    ParticipantIntakeForm,
    PauseForm,
    VolunteerDetailsForm,
    VolunteerForm,
    VolunteerIntakeForm,
    VolunteerStatusForm,
    WithdrawForm,
)
from .models import (
    BuddyRole,
    ImportStatus,
    Interest,
    InterestCategory,
    LifeArea,
    Participant,
    Volunteer,
)
from .person_pages import Event


class OrganisationStaffMixin(StaffRequiredMixin):
    """Staff of one organisation (a superuser without one uses the admin instead)."""

    @property
    def organisation(self):
        organisation = self.request.user.organisation
        if organisation is None:
            raise PermissionDenied
        return organisation


def _call_service(form, func, **kwargs):
    """Runs a service; on ValidationError shows its messages on the form and returns None."""
    try:
        return func(**kwargs)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


def _warn_duplicates(request, person):
    duplicates = selectors.possible_duplicates(person)
    if duplicates:
        messages.warning(request, _("Possible duplicate (same phone, or same name and year of "
                                    "birth): %(names)s. Nothing was merged; check it.")
                         % {"names": ", ".join(d.display_name for d in duplicates)})


# Participants ---------------------------------------------------------------------------


def _participant_events(participant):
    events = [Event(participant.created_at, _("Registered")),
              Event(participant.waiting_since, _("On the waiting list"))]
    if participant.last_contact_on:
        events.append(Event(participant.last_contact_on, _("Last contact")))
    if participant.check_back_on:
        events.append(Event(participant.check_back_on, _("Paused: check back")))
    if participant.left_on:
        events.append(Event(participant.left_on, _("Left the project: %(reason)s")
                            % {"reason": participant.withdrawal_reason}))
    events += [Event(c.recorded_at, _("Consent recorded: %(purpose)s, %(given)s") % {
        "purpose": c.get_purpose_display(), "given": _("agreed") if c.given else _("not agreed")})
        for c in participant.consents.all()]
    return events


def _volunteer_events(volunteer):
    events = [Event(volunteer.created_at, _("Registered"))]
    for day, text in ((volunteer.intake_talk_on, _("Intake talk")),
                      (volunteer.certificate_seen_on, _("Certificate of good conduct (model 2)")),
                      (volunteer.training_done_on, _("Basic training")),
                      (volunteer.left_on, _("Stopped"))):
        if day:
            events.append(Event(day, text))
    return events


class ParticipantCreateView(OrganisationStaffMixin, FormView):
    form_class = ParticipantIntakeForm
    template_name = "matching/participant_form.html"

    def form_valid(self, form):
        data = form.service_kwargs()
        participant = _call_service(
            form, services.participant_intake, organisation=self.organisation,
            recorded_by=self.request.user, intake_key=form.cleaned_data.get("intake_key", ""),
            **data,
        )
        if participant is None:
            return self.form_invalid(form)
        audit(self.request, AuditAction.CREATE, participant)
        messages.success(self.request, _("%(name)s is on the waiting list.")
                         % {"name": participant.display_name})
        _warn_duplicates(self.request, participant)
        return redirect(reverse("matching:participant_update", args=[participant.pk])
                        + "?step=2")

    def form_invalid(self, form):
        add_all_errors(form, services.participant_intake, organisation=self.organisation,
                       **form.service_kwargs())
        return super().form_invalid(form)


class ParticipantDetailView(OrganisationStaffMixin, DetailView):
    template_name = "matching/participant_detail.html"
    context_object_name = "participant"

    def get_queryset(self):
        return selectors.participant_detail_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        participant = self.object
        audit(self.request, AuditAction.VIEW, participant)
        context["fit_count"] = selectors.fit_counts([participant])[participant.id]
        context["availability"] = describe(participant.availability)
        context["buddy_roles"] = [BuddyRole(v).label for v in participant.buddy_roles
                                  if v in BuddyRole.values]
        context["excluded_areas"] = [LifeArea(v).label for v in participant.excluded_areas
                                     if v in LifeArea.values]
        context["pause_form"] = PauseForm()
        context["withdraw_form"] = WithdrawForm()
        context["contact_form"] = ContactForm()
        context["consent_form"] = ConsentForm()
        # The latest record per purpose (prefetched, newest first): what is withdrawn now.
        latest = {}
        for consent in sorted(participant.consents.all(),
                              key=lambda c: (c.recorded_at, c.pk), reverse=True):
            latest.setdefault(consent.purpose, consent.given)
        context["withdrawn"] = {purpose for purpose, given in latest.items() if not given}
        context["place"] = selectors.waiting_place(participant)
        context["sections"] = person_pages.sections(person_pages.PARTICIPANT, participant,
                                                    self.request)
        context["timeline"] = person_pages.timeline(
            person_pages.PARTICIPANT, participant, own=_participant_events(participant))
        context["person_key"] = f"participant:{participant.pk}"
        return context


class ParticipantUpdateView(OrganisationStaffMixin, FormView):
    template_name = "matching/participant_form.html"

    @property
    def step_two(self):
        return self.request.GET.get("step") == "2"

    def get_form_class(self):
        return ParticipantDetailsForm if self.step_two else ParticipantForm

    def form_invalid(self, form):
        add_all_errors(form, services.participant_update, participant=self.participant,
                       **form.service_kwargs())
        return super().form_invalid(form)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.participant = get_object_or_404(Participant.objects.select_related("postcode"),
                                             pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        audit(request, AuditAction.VIEW, self.participant)  # the form shows the whole record
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.participant
        return kwargs

    def form_valid(self, form):
        participant = _call_service(form, services.participant_update,
                                    participant=self.participant, **form.service_kwargs())
        if participant is None:
            return self.form_invalid(form)
        audit(self.request, AuditAction.CHANGE, participant)
        messages.success(self.request, _("The changes are saved."))
        return redirect("matching:participant_detail", pk=participant.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(participant=self.participant, step_two=self.step_two,
                                        **kwargs)


class ParticipantActionView(OrganisationStaffMixin, View):
    """Waiting-list changes from the detail page: pause, resume, withdraw, return, contact."""

    def post(self, request, pk, action):
        participant = get_object_or_404(Participant, pk=pk)
        try:
            if action == "pause":
                form = PauseForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Fill in a valid check-back date."))
                services.participant_pause(participant=participant,
                                           check_back_on=form.cleaned_data["check_back_on"])
                messages.success(request, _("Paused. The waiting-since date is kept."))
            elif action == "resume":
                services.participant_resume(participant=participant)
                messages.success(request, _("Back on the waiting list."))
            elif action == "withdraw":
                services.participant_withdraw(participant=participant,
                                              reason=request.POST.get("reason", ""))
                messages.success(request, _("Withdrawn from the project."))
            elif action == "return":
                services.participant_return_to_waiting_list(participant=participant)
                messages.success(request, _("Back on the waiting list."))
            elif action == "consent":
                form = ConsentForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Choose what the consent is about."))
                services.participant_record_consent(participant=participant,
                                                    recorded_by=request.user,
                                                    **form.cleaned_data)
                messages.success(request, _("The consent is recorded."))
            elif action == "contact":
                form = ContactForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Fill in a valid date."))
                services.participant_record_contact(participant=participant,
                                                    on=form.cleaned_data["on"])
                messages.success(request, _("The contact is noted."))
            else:
                raise Http404
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            audit(request, AuditAction.CHANGE, participant)
        return redirect("matching:participant_detail", pk=participant.pk)


# Volunteers -----------------------------------------------------------------------------


class VolunteerListView(OrganisationStaffMixin, TemplateView):
    template_name = "matching/volunteer_list.html"

    def get_context_data(self, **kwargs):
        volunteers = list(selectors.volunteer_list())
        return super().get_context_data(volunteers=volunteers, **kwargs)


class VolunteerCreateView(OrganisationStaffMixin, FormView):
    form_class = VolunteerIntakeForm
    template_name = "matching/volunteer_form.html"

    def form_valid(self, form):
        volunteer = _call_service(
            form, services.volunteer_intake, organisation=self.organisation,
            intake_key=form.cleaned_data.get("intake_key", ""), **form.service_kwargs(),
        )
        if volunteer is None:
            return self.form_invalid(form)
        audit(self.request, AuditAction.CREATE, volunteer)
        messages.success(self.request, _("%(name)s is registered as a volunteer.")
                         % {"name": volunteer.display_name})
        _warn_duplicates(self.request, volunteer)
        return redirect(reverse("matching:volunteer_update", args=[volunteer.pk]) + "?step=2")

    def form_invalid(self, form):
        add_all_errors(form, services.volunteer_intake, organisation=self.organisation,
                       **form.service_kwargs())
        return super().form_invalid(form)


class VolunteerDetailView(OrganisationStaffMixin, DetailView):
    template_name = "matching/volunteer_detail.html"
    context_object_name = "volunteer"

    def get_queryset(self):
        return selectors.volunteer_list()

    def get_context_data(self, **kwargs):
        volunteer = self.object
        audit(self.request, AuditAction.VIEW, volunteer)
        return super().get_context_data(
            availability=describe(volunteer.availability),
            status_form=VolunteerStatusForm(initial={"status": volunteer.status}),
            sections=person_pages.sections(person_pages.VOLUNTEER, volunteer, self.request),
            timeline=person_pages.timeline(person_pages.VOLUNTEER, volunteer,
                                           own=_volunteer_events(volunteer)),
            person_key=f"volunteer:{volunteer.pk}", **kwargs)


class VolunteerStatusView(OrganisationStaffMixin, View):
    """Pauses, stops or reactivates a volunteer from their page."""

    def post(self, request, pk):
        volunteer = get_object_or_404(Volunteer, pk=pk)
        form = VolunteerStatusForm(request.POST)
        if form.is_valid():
            services.volunteer_set_status(volunteer=volunteer, status=form.cleaned_data["status"])
            audit(request, AuditAction.CHANGE, volunteer)
            messages.success(request, _("The changes are saved."))
        else:
            messages.error(request, _("Choose a status."))
        return redirect("matching:volunteer_detail", pk=volunteer.pk)


class VolunteerUpdateView(OrganisationStaffMixin, FormView):
    template_name = "matching/volunteer_form.html"

    @property
    def step_two(self):
        return self.request.GET.get("step") == "2"

    def get_form_class(self):
        return VolunteerDetailsForm if self.step_two else VolunteerForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.volunteer = get_object_or_404(Volunteer.objects.select_related("postcode"),
                                           pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        audit(request, AuditAction.VIEW, self.volunteer)  # the form shows the whole record
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.volunteer
        return kwargs

    def form_valid(self, form):
        volunteer = _call_service(form, services.volunteer_update, volunteer=self.volunteer,
                                  **form.service_kwargs())
        if volunteer is None:
            return self.form_invalid(form)
        audit(self.request, AuditAction.CHANGE, volunteer)
        messages.success(self.request, _("The changes are saved."))
        return redirect("matching:volunteer_detail", pk=volunteer.pk)

    def form_invalid(self, form):
        add_all_errors(form, services.volunteer_update, volunteer=self.volunteer,
                       **form.service_kwargs())
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(volunteer=self.volunteer, step_two=self.step_two,
                                        **kwargs)


# Waiting list and recruitment -----------------------------------------------------------


class WaitingListView(OrganisationStaffMixin, TemplateView):
    template_name = "matching/waiting_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = WaitingListFilter(self.request.GET or None,
                                      queryset=selectors.participant_list(),
                                      request=self.request)
        page = Paginator(filterset.qs, self.paginate_by).get_page(self.request.GET.get("page"))
        participants = list(page.object_list)
        counts = selectors.fit_counts(participants)
        for participant in participants:
            participant.fit_count = counts[participant.id]
        query = self.request.GET.copy()
        query.pop("page", None)
        current = query.get("ordering", "waiting_since")
        columns = {}
        for key in ("name", "municipality", "waiting_since", "last_contact"):
            sort = query.copy()
            sort["ordering"] = f"-{key}" if current == key else key
            direction = ("ascending" if current == key
                         else "descending" if current == f"-{key}" else "")
            columns[key] = {"url": "?" + sort.urlencode(), "sort": direction}
        context.update(
            columns=columns,
            filter=filterset, page=page, participants=participants,
            figures=selectors.waiting_figures(), query=query.urlencode(),
            today=timezone.localdate(),
        )
        return context


def language_name(code):
    """ "Arabic (ar)" in the reader's language when Django knows the language, else the code."""
    try:
        return f"{get_language_info(code)['name_translated']} ({code})"
    except KeyError:
        return code


class RecruitmentView(OrganisationStaffMixin, TemplateView):
    template_name = "matching/recruitment.html"

    def get_context_data(self, **kwargs):
        result = selectors.recruitment()
        languages = [(language_name(code), n) for code, n in result.by_language]
        sections = [(_("Interest"), result.by_interest), (_("Language"), languages),
                    (_("Municipality"), result.by_municipality)]
        return super().get_context_data(recruitment=result, sections=sections, **kwargs)


class WaitingListExportView(OrganisationStaffMixin, View):
    """The filtered waiting list as CSV or XLSX (formula cells neutralised)."""

    def get(self, request, file_format):
        filterset = WaitingListFilter(request.GET or None, queryset=selectors.participant_list(),
                                      request=request)
        participants = list(filterset.qs)
        counts = selectors.fit_counts(participants)
        if file_format in ("xlsx", "csv"):
            audit(request, AuditAction.EXPORT, ref="matching.participant:*",
                  label=f"waiting list {file_format}, {len(participants)} rows")
        if file_format == "xlsx":
            return exports.waiting_list_xlsx(participants, counts)
        if file_format == "csv":
            return exports.waiting_list_csv(participants, counts)
        raise Http404


# Interest catalogue ---------------------------------------------------------------------


class InterestCatalogueView(OrganisationStaffMixin, TemplateView):
    template_name = "matching/interest_catalogue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("category_form", InterestCategoryForm(prefix="category"))
        context.setdefault("interest_form", InterestForm(prefix="interest"))
        context["categories"] = selectors.interest_catalogue()
        return context

    def post(self, request):
        if "category-label_nl" in request.POST:
            form = InterestCategoryForm(request.POST, prefix="category")
            if form.is_valid() and _call_service(
                form, services.interest_category_save, organisation=self.organisation,
                **form.cleaned_data,
            ):
                messages.success(request, _("The category is added."))
                return redirect("matching:interests")
            return self.render_to_response(self.get_context_data(category_form=form))
        form = InterestForm(request.POST, prefix="interest")
        if form.is_valid() and _call_service(
            form, services.interest_save, organisation=self.organisation, **form.cleaned_data,
        ):
            messages.success(request, _("The interest is added."))
            return redirect("matching:interests")
        return self.render_to_response(self.get_context_data(interest_form=form))


class InterestUpdateView(OrganisationStaffMixin, FormView):
    form_class = InterestForm
    template_name = "matching/interest_form.html"

    def get_form_kwargs(self):
        self.interest = get_object_or_404(Interest, pk=self.kwargs["pk"])
        return {**super().get_form_kwargs(), "instance": self.interest}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        if _call_service(form, services.interest_save, organisation=self.organisation,
                         interest=self.interest, **data) is None:
            return self.form_invalid(form)
        messages.success(self.request, _("The changes are saved."))
        return redirect("matching:interests")


class InterestCategoryUpdateView(OrganisationStaffMixin, FormView):
    form_class = InterestCategoryForm
    template_name = "matching/interest_form.html"

    def get_form_kwargs(self):
        self.category = get_object_or_404(InterestCategory, pk=self.kwargs["pk"])
        return {**super().get_form_kwargs(), "instance": self.category}

    def form_valid(self, form):
        if _call_service(form, services.interest_category_save, organisation=self.organisation,
                         category=self.category, **form.cleaned_data) is None:
            return self.form_invalid(form)
        messages.success(self.request, _("The changes are saved."))
        return redirect("matching:interests")


# Import ---------------------------------------------------------------------------------


class ImportUploadView(OrganisationStaffMixin, FormView):
    form_class = ImportUploadForm
    template_name = "matching/import_upload.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(jobs=selectors.import_job_list()[:10], **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            job = imports.import_job_create(
                organisation=self.organisation, kind=form.cleaned_data["kind"],
                filename=upload.name, content=upload.read(), created_by=self.request.user,
            )
        except ValidationError as exc:
            form.add_error("file", exc)
            return self.form_invalid(form)
        audit(self.request, AuditAction.CREATE, job, label=f"import #{job.pk} uploaded")
        return redirect("matching:import_job", pk=job.pk)


class ImportJobView(OrganisationStaffMixin, TemplateView):
    """The steps of an import on one page: columns, check, resolve, commit and progress."""

    template_name = "matching/import_job.html"

    def get_job(self):
        return get_object_or_404(selectors.import_job_list(), pk=self.kwargs["pk"])

    def mapping_form(self, job, data=None):
        return ImportMappingForm(
            data, headers=job.headers, field_choices=imports.field_choices(job.kind),
            suggested=job.mapping or imports.suggest_mapping(job.headers, job.kind),
            initial={"skip_bad_rows": job.skip_bad_rows, "only_rows": job.only_rows},
        )

    def resolve_form(self, job, data=None):
        return ImportResolveForm(data, report=job.report or {},
                                 **imports.resolve_choices(self.organisation, job.report or {}))

    def get_context_data(self, **kwargs):
        job = kwargs.pop("job", None) or self.get_job()
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.mapping_form(job))
        context["job"] = job
        context["editable"] = job.status in (ImportStatus.UPLOADED, ImportStatus.CHECKED,
                                             ImportStatus.FAILED)
        if job.status in (ImportStatus.CHECKED, ImportStatus.FAILED):
            context.setdefault("resolve_form", self.resolve_form(job))
            context["waiting_for"] = imports.waiting_for(job)
        context["processed_rows"], context["percent"] = imports.progress(job)
        return context

    def post(self, request, pk):
        job = self.get_job()
        if job.status in (ImportStatus.RUNNING, ImportStatus.DONE):
            return redirect("matching:import_job", pk=job.pk)  # a double click
        try:
            if "commit" in request.POST:
                job = imports.import_job_start(job=job)
                audit(request, AuditAction.CREATE, job, label=f"import #{job.pk} started")
            elif "resolve" in request.POST:
                form = self.resolve_form(job, request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(
                        job=job, resolve_form=form))
                job = imports.import_job_resolve(
                    job=job, resolutions=form.resolutions(), decisions=form.decisions(),
                    skip_bad_rows=form.cleaned_data.get("skip_bad_rows"))
                messages.success(request, _("Saved; the file is checked again."))
            else:
                form = self.mapping_form(job, request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(job=job, form=form))
                job = imports.import_job_check(job=job, mapping=form.mapping(),
                                               skip_bad_rows=form.cleaned_data["skip_bad_rows"],
                                               only_rows=form.cleaned_data["only_rows"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("matching:import_job", pk=job.pk)


class ImportJobStatusView(OrganisationStaffMixin, View):
    """The progress of an import, for the page to poll."""

    def get(self, request, pk):
        job = get_object_or_404(selectors.import_job_list(), pk=pk)
        processed, percent = imports.progress(job)
        return JsonResponse({
            "status": job.status, "status_label": job.get_status_display(),
            "processed_rows": processed, "total_rows": job.total_rows,
            "percent": percent, "created_count": job.created_count,
            "url": reverse("matching:import_job", args=[job.pk]),
        })
