from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditAction


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=16, strip=True,
        help_text=_("The 6-digit code your authenticator app shows, or one of your backup codes."),
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
            "spellcheck": "false", "autocapitalize": "off",
        }),
    )


class AuditFilterForm(forms.Form):
    person = forms.CharField(
        label=_("Person"), required=False, max_length=150,
        help_text=_("A username, a name, or a reference such as matching.participant:12."),
    )
    action = forms.ChoiceField(
        label=_("Action"), required=False,
        choices=[("", _("All actions")), *AuditAction.choices],
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
    )


class ReportPeriodForm(forms.Form):
    """The period of a report: a preset, or from and to dates (this year by default)."""

    preset = forms.ChoiceField(label=_("Period"), required=False,
                               choices=[("", _("Chosen dates"))])
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from .reports import PRESETS

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
        from .reports import preset_period

        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("preset"):
            return preset_period(data["preset"])
        start, end = preset_period("this_year")
        start, end = data.get("date_from") or start, data.get("date_to") or end
        return start, max(start, end)
