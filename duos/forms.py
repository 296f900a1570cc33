"""Forms parse input only; the services check the state and save."""

import datetime
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buddy.dates import EARLIEST, LATEST
from matching.intake.models import BuddyRole, LifeArea

from .models import (
    AGREED_LENGTHS,
    ActivityKind,
    ContactHow,
    DurationKind,
    EndedBy,
    EndReason,
    EvaluationMoment,
    ExpenseKind,
    MeetingDuration,
    MeetingFrequency,
    Side,
    VolunteerNext,
    With,
)

SCORE_CHOICES = [(1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AgreementForm(forms.Form):
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    duration_kind = forms.ChoiceField(
        label=_("Duration"), choices=DurationKind.choices,
        help_text=_("Agreed with both at the introduction meeting; both are asked to confirm "
                    "once it is filled in."))
    duration_months = forms.IntegerField(
        label=_("Number of months"), min_value=1, max_value=60, required=False,
        help_text=_("Only for a duration in months."),
    )
    meeting_frequency = forms.ChoiceField(label=_("Intended meeting frequency"),
                                          choices=MeetingFrequency.choices)
    buddy_roles = forms.MultipleChoiceField(
        label=_("What the buddy may do"), choices=BuddyRole.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    buddy_roles_other = forms.CharField(label=_("Other roles"), max_length=300, required=False)
    excluded_areas = forms.MultipleChoiceField(
        label=_("Parts of life that stay out"), choices=LifeArea.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    excluded_areas_other = forms.CharField(label=_("Other parts of life that stay out"),
                                           max_length=300, required=False)
    expenses_reimbursed = forms.CharField(
        label=_("Which expenses are reimbursed"), max_length=300, required=False,
    )
    expenses_monthly_max = forms.DecimalField(
        label=_("Monthly maximum for expenses (€)"), min_value=0, max_digits=7,
        decimal_places=2, required=False,
    )
    how_to_reach = forms.CharField(label=_("How the two reach each other"), max_length=300,
                                   required=False)

    def clean(self):
        data = super().clean()
        if data.get("duration_kind") == DurationKind.MONTHS and not data.get("duration_months"):
            self.add_error("duration_months", _("Fill in a number of months."))
        return data

    def service_fields(self):
        data = dict(self.cleaned_data)
        maximum = data.pop("expenses_monthly_max")
        data["expenses_monthly_max_cents"] = int(maximum * 100) if maximum is not None else None
        if data["duration_kind"] != DurationKind.MONTHS:
            data["duration_months"] = None
        return data

    @classmethod
    def initial_from(cls, agreement):
        initial = {name: getattr(agreement, name) for name in (
            "start_date", "duration_kind", "duration_months", "meeting_frequency",
            "buddy_roles", "buddy_roles_other", "excluded_areas", "excluded_areas_other",
            "expenses_reimbursed", "how_to_reach")}
        if agreement.expenses_monthly_max_cents is not None:
            initial["expenses_monthly_max"] = agreement.expenses_monthly_max_cents / 100
        return initial


class PhoneConfirmationForm(forms.Form):
    side = forms.ChoiceField(label=_("Who confirmed by phone"), choices=Side.choices)


class CheckInForm(forms.Form):
    done_on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    with_whom = forms.ChoiceField(label=_("With whom"), choices=With.choices)
    how = forms.ChoiceField(label=_("How"), choices=ContactHow.choices)
    note = forms.CharField(label=_("Short note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Keep it short: the volunteer never sees it, but "
                                       "write only what the coordination needs."))


class ParticipantAnswerForm(forms.Form):
    score = forms.TypedChoiceField(label=_("How is it going (1 = bad, 5 = good)"),
                                   choices=SCORE_CHOICES, coerce=int)


class AlertResolveForm(forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=300, required=False)


class EndForm(forms.Form):
    ended_by = forms.ChoiceField(label=_("Who ended it"), choices=EndedBy.choices)
    planned = forms.BooleanField(label=_("Planned"), required=False)
    reason = forms.ChoiceField(label=_("Reason"), choices=EndReason.choices)
    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    exit_conversation_done = forms.BooleanField(label=_("Exit conversation done"),
                                                required=False)
    exit_conversation_notes = forms.CharField(label=_("Exit conversation notes"),
                                              required=False,
                                              widget=forms.Textarea(attrs={"rows": 3}))
    participant_wants_new_buddy = forms.BooleanField(
        label=_("The participant wants a new buddy"), required=False,
        help_text=_("They return to the waiting list with their original waiting date."),
    )
    volunteer_next = forms.ChoiceField(label=_("The volunteer"), choices=VolunteerNext.choices)
    volunteer_leave_reason = forms.CharField(label=_("Why the volunteer leaves"),
                                             max_length=300, required=False)


class EndAnswerForm(forms.Form):
    side = forms.ChoiceField(label=_("Who answered"), choices=Side.choices)
    answer = forms.ChoiceField(label=_("Answer"), choices=[
        ("extend", _("Extend")), ("close", _("Close")),
        ("friends", _("Go on as friends without the project")),
    ])
    duration_kind = forms.ChoiceField(label=_("New duration"), required=False,
                                      choices=[("", _("The same as before")),
                                               *AGREED_LENGTHS])
    duration_months = forms.IntegerField(label=_("Number of months"), min_value=1,
                                         max_value=60, required=False)


class EvaluationForm(forms.Form):
    moment = forms.ChoiceField(label=_("Moment"), choices=EvaluationMoment.choices)
    party = forms.ChoiceField(label=_("With"), choices=Side.choices)
    free_text = forms.CharField(label=_("In their own words"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for index, question in enumerate(self.questions):
            self.fields[f"q{index}"] = forms.CharField(label=question, required=False,
                                                       max_length=500)

    def answers(self):
        return {q: self.cleaned_data.get(f"q{i}", "") for i, q in enumerate(self.questions)}


class MeetingLogForm(forms.Form):
    """The volunteer's form, made for a phone: few fields, big targets."""

    client_key = forms.CharField(widget=forms.HiddenInput, required=False)
    date = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    did_not_meet = forms.BooleanField(label=_("We did not meet"), required=False)
    not_met_reason = forms.CharField(label=_("Why not (optional)"), max_length=300,
                                     required=False)
    duration = forms.ChoiceField(label=_("Roughly how long"), required=False,
                                 choices=[("", "—"), *MeetingDuration.choices])
    activities = forms.MultipleChoiceField(
        label=_("What did you do"), choices=ActivityKind.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    activity_text = forms.CharField(label=_("In your own words (optional)"), max_length=500,
                                    required=False)
    how_it_went = forms.TypedChoiceField(
        label=_("How did it go (1 = bad, 5 = very good)"), required=False, coerce=int,
        empty_value=None, choices=SCORE_CHOICES, widget=forms.RadioSelect,
    )
    expense_amount = forms.DecimalField(label=_("Expense (€, optional)"), required=False,
                                        min_value=0, max_digits=7, decimal_places=2)
    expense_kind = forms.ChoiceField(label=_("Kind of expense"), required=False,
                                     choices=[("", "—"), *ExpenseKind.choices])
    expense_receipt = forms.FileField(label=_("Photo of the receipt (optional)"),
                                      required=False,
                                      help_text=_("JPEG, PNG or PDF, at most 5 MB."))
    note_to_coordinator = forms.CharField(label=_("Note to the coordinator (optional)"),
                                          required=False,
                                          help_text=_("Only your coordinator reads this."),
                                          widget=forms.Textarea(attrs={"rows": 3}))
    wants_to_talk = forms.BooleanField(label=_("I would like to talk to the coordinator"),
                                       required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4().hex)

    def clean(self):
        data = super().clean()
        if data.get("expense_amount") and not data.get("expense_kind"):
            self.add_error("expense_kind", _("Choose the kind of expense."))
        return data

    def service_fields(self):
        data = dict(self.cleaned_data)
        amount, kind = data.pop("expense_amount"), data.pop("expense_kind")
        receipt = data.pop("expense_receipt")
        data["expenses"] = (
            [{"amount": amount, "kind": kind, "receipt": receipt}] if amount else []
        )
        data["client_key"] = (data.get("client_key") or "")[:64]
        return data


class MonthForm(forms.Form):
    month = forms.CharField(required=False)

    def month_start(self) -> datetime.date:
        """The month asked for; this month when none is asked, or one beyond the calendar."""
        value = self.data.get("month") or ""
        try:
            month = datetime.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            month = None
        if month is None or not EARLIEST <= month <= LATEST:
            return timezone.localdate().replace(day=1)
        return month


class ExpenseRejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), max_length=300)
