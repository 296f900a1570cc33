"""Pages for coordinators (follow-up of duos, expenses) and for volunteers (my duo, the
meeting log). Thin: parse the form, call a service or selector, render."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from buddy.exports import XLSX_CONTENT_TYPE, download, private
from buddy.forms import add_service_errors
from organisations.audit import audit
from organisations.models import AuditAction
from organisations.permissions import StaffRequiredMixin, is_staff_user

from . import exports, forms, selectors, services
from .models import ConfirmationChannel, Duo, DuoStatus, Expense, Outcome, Side


def _staff_duo(pk):
    return get_object_or_404(Duo.objects.select_related("participant", "volunteer",
                                                        "agreement"), pk=pk)


class DuoListView(StaffRequiredMixin, TemplateView):
    template_name = "duos/duo_list.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", "")
        status = status if status in DuoStatus.values else ""
        return super().get_context_data(
            duos=selectors.duo_list(status or None), status=status,
            statuses=DuoStatus.choices, **kwargs,
        )


class DuoDetailView(StaffRequiredMixin, TemplateView):
    template_name = "duos/duo_detail.html"

    def get_context_data(self, **kwargs):
        duo = get_object_or_404(selectors.duo_detail_queryset(), pk=self.kwargs["pk"])
        final_ending = next((e for e in duo.endings.all() if e.outcome != Outcome.EXTENDED),
                            None)
        audit(self.request, AuditAction.VIEW, duo)
        return super().get_context_data(
            duo=duo, agreement=duo.agreement, timeline=selectors.duo_timeline(duo),
            open_alerts=[a for a in duo.alerts.all() if a.resolved_at is None],
            planned_checkins=[c for c in duo.checkins.all() if c.done_on is None],
            final_ending=final_ending,
            # Several small forms on one page: distinct ids, the same field names.
            phone_form=forms.PhoneConfirmationForm(auto_id="phone_%s"),
            answer_form=forms.ParticipantAnswerForm(auto_id="answer_%s"),
            end_answer_form=forms.EndAnswerForm(auto_id="end_%s"),
            **kwargs,
        )


class _DuoFormView(StaffRequiredMixin, TemplateView):
    """A coordinator's form about one duo: GET shows it, POST runs `save`."""

    form_class = None
    success_message = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and is_staff_user(request.user):
            self.duo = _staff_duo(kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        # The form shows the duo (both people's names, the agreement): a view of its record.
        audit(request, AuditAction.VIEW, self.duo)
        return super().get(request, *args, **kwargs)

    def get_form(self, data=None, files=None):
        return self.form_class(data, files, initial=self.get_initial())

    def get_initial(self):
        return {}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())
        return super().get_context_data(duo=self.duo, **kwargs)

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                self.save(form)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                audit(request, AuditAction.CHANGE, self.duo)
                if self.success_message:
                    messages.success(request, self.success_message)
                return redirect("duos:detail", pk=self.duo.pk)
        return self.render_to_response(self.get_context_data(form=form))


class AgreementEditView(_DuoFormView):
    template_name = "duos/agreement_form.html"
    form_class = forms.AgreementForm

    def get_initial(self):
        return forms.AgreementForm.initial_from(self.duo.agreement)

    def save(self, form):
        services.agreement_update(duo=self.duo, **form.service_fields())
        messages.success(self.request, _("The agreement is saved."))


class CheckInView(_DuoFormView):
    template_name = "duos/checkin_form.html"
    form_class = forms.CheckInForm

    def save(self, form):
        services.checkin_record(duo=self.duo, recorded_by=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("The check-in is recorded."))


class EvaluationView(_DuoFormView):
    template_name = "duos/evaluation_form.html"
    form_class = forms.EvaluationForm

    def get_form(self, data=None, files=None):
        return forms.EvaluationForm(
            data, questions=selectors.evaluation_questions(self.duo.organisation_id))

    def save(self, form):
        services.evaluation_record(
            duo=self.duo, moment=form.cleaned_data["moment"], party=form.cleaned_data["party"],
            answers=form.answers(), free_text=form.cleaned_data["free_text"],
            recorded_by=self.request.user,
        )
        messages.success(self.request, _("The evaluation is recorded."))


class EndView(_DuoFormView):
    """Ending a duo: who ended it and why (unless the end answers recorded it), the exit
    conversation, and what happens next for each of them."""

    template_name = "duos/end_form.html"
    form_class = forms.CloseForm

    def _final_ending(self):
        return self.duo.endings.exclude(outcome=Outcome.EXTENDED).first()

    def get_context_data(self, **kwargs):
        ending = self._final_ending()
        if "end_form" not in kwargs and ending is None:
            kwargs["end_form"] = forms.EndForm(prefix="end")
        return super().get_context_data(final_ending=ending, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.duo.status == DuoStatus.CLOSED:
            return redirect("duos:detail", pk=self.duo.pk)
        ending = self._final_ending()
        form = forms.CloseForm(request.POST)
        end_form = forms.EndForm(request.POST, prefix="end") if ending is None else None
        if form.is_valid() and (end_form is None or end_form.is_valid()):
            close = form.cleaned_data
            try:
                if end_form is not None:
                    services.duo_end_early(
                        duo=self.duo, recorded_by=request.user,
                        exit_conversation_done=close["exit_conversation_done"],
                        exit_conversation_notes=close["exit_conversation_notes"],
                        **end_form.cleaned_data,
                    )
                services.duo_close(duo=self.duo, closed_by=request.user, **close)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                audit(request, AuditAction.CHANGE, self.duo, label=f"duo #{self.duo.pk} closed")
                messages.success(request, _("The duo is closed."))
                return redirect("duos:detail", pk=self.duo.pk)
        context = self.get_context_data(form=form)
        if end_form is not None:
            context["end_form"] = end_form
        return self.render_to_response(context)


class _DuoActionView(StaffRequiredMixin, View):
    """A button on the duo page: POST only, runs `act`, back to the duo page."""

    def post(self, request, pk):
        duo = _staff_duo(pk)
        try:
            message = self.act(request, duo)
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            audit(request, AuditAction.CHANGE, duo)
            if message:
                messages.success(request, message)
        return redirect("duos:detail", pk=duo.pk)


class AgreementPhoneConfirmView(_DuoActionView):
    def act(self, request, duo):
        form = forms.PhoneConfirmationForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose who confirmed."))
        services.agreement_confirm(duo=duo, side=form.cleaned_data["side"],
                                   channel=ConfirmationChannel.PHONE, recorded_by=request.user)
        return _("The confirmation is recorded.")


class AgreementAskView(_DuoActionView):
    def act(self, request, duo):
        services.agreement_ask_confirmation(duo=duo)
        return _("Both are asked to confirm the agreement.")


class ParticipantAnswerView(_DuoActionView):
    def act(self, request, duo):
        form = forms.ParticipantAnswerForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Answer with a number from 1 to 5."))
        services.participant_answer_record(duo=duo, score=form.cleaned_data["score"],
                                           channel="phone")
        return _("The answer is recorded.")


class EndAnswerView(_DuoActionView):
    def act(self, request, duo):
        form = forms.EndAnswerForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose who answered and the answer."))
        services.end_answer_record(duo=duo, **form.cleaned_data)
        return _("The answer is recorded.")


class AlertResolveView(StaffRequiredMixin, View):
    def post(self, request, pk):
        alert = get_object_or_404(selectors.alert_list(), pk=pk)
        form = forms.AlertResolveForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        services.alert_resolve(alert=alert, resolved_by=request.user, note=note)
        messages.success(request, _("The alert is resolved."))
        target = request.POST.get("next", "")
        if target == "follow-up":
            return redirect("duos:follow_up")
        return redirect("duos:detail", pk=alert.duo_id)


class FollowUpView(StaffRequiredMixin, TemplateView):
    template_name = "duos/follow_up.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(items=selectors.follow_up_items(), **kwargs)


class ExpenseOverviewView(StaffRequiredMixin, TemplateView):
    template_name = "duos/expenses.html"

    def get_context_data(self, **kwargs):
        month = forms.MonthForm(self.request.GET).month_start()
        previous = (month.replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
        following = selectors.month_bounds(month)[1]
        return super().get_context_data(
            overview=selectors.expense_overview(month),
            expenses=selectors.expenses_of_month(month), month=month,
            over_max=selectors.duos_over_monthly_max(month),
            month_param=month.strftime("%Y-%m"), previous=previous.strftime("%Y-%m"),
            following=following.strftime("%Y-%m"), reject_form=forms.ExpenseRejectForm(),
            **kwargs,
        )


class ExpenseActionView(StaffRequiredMixin, View):
    def post(self, request, pk, action):
        expense = get_object_or_404(Expense.objects.all(), pk=pk)
        try:
            if action == "approve":
                services.expense_approve(expense=expense, approved_by=request.user)
            elif action == "reject":
                services.expense_reject(expense=expense, rejected_by=request.user,
                                        reason=request.POST.get("reason", ""))
            elif action == "paid":
                services.expense_mark_paid(expense=expense, paid_by=request.user)
            else:
                raise Http404
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            audit(request, AuditAction.CHANGE, expense)
        month = expense.spent_on.strftime("%Y-%m")
        return redirect(f"{reverse('duos:expenses')}?month={month}")


class ExpenseExportView(StaffRequiredMixin, View):
    def get(self, request, fmt):
        month = forms.MonthForm(request.GET).month_start()
        rows = exports.expense_rows(selectors.expenses_of_month(month))
        name = f"expenses-{month:%Y-%m}"
        audit(request, AuditAction.EXPORT, ref="duos.expense:*",
              label=f"expenses {month:%Y-%m} {fmt}, {len(rows) - 1} rows")
        if fmt == "csv":
            return download(exports.to_csv(rows), "text/csv; charset=utf-8", f"{name}.csv")
        return download(exports.to_xlsx(rows), XLSX_CONTENT_TYPE, f"{name}.xlsx")


RECEIPT_CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}


class ReceiptView(LoginRequiredMixin, View):
    """A receipt, only for the organisation's staff and the duo's own volunteer."""

    def get(self, request, pk):
        expense = get_object_or_404(Expense.objects.select_related("duo__volunteer"), pk=pk)
        own = expense.duo.volunteer.user_id == request.user.pk
        if not (is_staff_user(request.user) or own) or not expense.receipt:
            raise Http404
        response = FileResponse(expense.receipt.open("rb"),
                                content_type=RECEIPT_CONTENT_TYPES.get(expense.receipt_type,
                                                                       "application/octet-stream"))
        response["Content-Disposition"] = "inline"
        return private(response)


class MyDuoView(LoginRequiredMixin, TemplateView):
    """The volunteer's own duos: first name of the participant, the agreement, own logs."""

    template_name = "duos/my_duo.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(duos=list(selectors.volunteer_duos(self.request.user)),
                                        **kwargs)


class MyAgreementConfirmView(LoginRequiredMixin, View):
    """The volunteer confirms the agreement of their own duo (the link channel: the page the
    signed link in their e-mail or SMS opens)."""

    def post(self, request, pk):
        duo = get_object_or_404(selectors.volunteer_duos(request.user), pk=pk)
        try:
            services.agreement_confirm(duo=duo, side=Side.VOLUNTEER,
                                       channel=ConfirmationChannel.LINK)
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("Thank you, you confirmed the agreement."))
        return redirect("duos:my_duo")


# The service names the expense's fields as the expense does; the form prefixes them.
EXPENSE_FIELDS = {"amount": "expense_amount", "kind": "expense_kind",
                  "receipt": "expense_receipt", "spent_on": "date"}


class MeetingLogCreateView(LoginRequiredMixin, TemplateView):
    """The meeting-log form, for the volunteer on a phone (only for their own duo)."""

    template_name = "duos/meeting_log_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.duo = get_object_or_404(selectors.volunteer_duos(request.user),
                                         pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", forms.MeetingLogForm())
        return super().get_context_data(duo=self.duo, **kwargs)

    def post(self, request, pk):
        form = forms.MeetingLogForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.meeting_log_create(duo=self.duo, created_by=request.user,
                                            **form.service_fields())
            except ValidationError as exc:
                add_service_errors(form, exc, EXPENSE_FIELDS)
            else:
                messages.success(request, _("Thank you, your meeting is saved."))
                return redirect("duos:my_duo")
        return self.render_to_response(self.get_context_data(form=form))
