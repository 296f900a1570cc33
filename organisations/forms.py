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
