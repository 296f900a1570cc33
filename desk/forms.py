from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from buddy.dates import EARLIEST, LATEST

from .reports import PRESETS, preset_period


class ReportPeriodForm(forms.Form):
    """The period of a report: a preset, or from and to dates (this year by default)."""

    preset = forms.ChoiceField(label=_("Period"), required=False,
                               choices=[("", _("Chosen dates"))])
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}),
                                validators=[MinValueValidator(EARLIEST),
                                            MaxValueValidator(LATEST)])
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}),
                              validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [("", _("Chosen dates")), *PRESETS.items()]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start must come before the end."))
        if start and end and (end - start).days > 366 * 5:
            raise forms.ValidationError(_("Choose a period of five years at most."))
        return data

    def period(self):
        """(start, end): the preset, the dates, or this year; call after is_valid()."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("preset"):
            return preset_period(data["preset"])
        start, end = preset_period("this_year")
        start, end = data.get("date_from") or start, data.get("date_to") or end
        return start, max(start, end)
