from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Direction


class AnswerForm(forms.Form):
    """A coordinator's own answer; `token` makes a double click or a retry one answer."""

    text = forms.CharField(label=_("Your answer"), max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    send_during_quiet_hours = forms.BooleanField(
        label=_("Send it now, during the quiet hours"), required=False,
        help_text=_("Otherwise it goes out when the quiet hours end."))


class CallForm(forms.Form):
    """A phone call the coordinator records in the conversation."""

    direction = forms.ChoiceField(label=_("Who called"), choices=[
        (Direction.OUT, _("I called them")), (Direction.IN, _("They called"))])
    note = forms.CharField(label=_("What was said"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Keep it short: the person may ask to read it."))
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
