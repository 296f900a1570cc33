from django import forms
from django.utils.translation import gettext_lazy as _

from .services import normalise_phone


class SimulatorReplyForm(forms.Form):
    """A text typed on the simulated phone of a number."""

    phone = forms.CharField(label=_("Number"), max_length=40)
    body = forms.CharField(label=_("Reply"), max_length=1600,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean_phone(self):
        phone = normalise_phone(self.cleaned_data["phone"])
        if not phone:
            raise forms.ValidationError(_("This is not a phone number an SMS can come from."))
        return phone
