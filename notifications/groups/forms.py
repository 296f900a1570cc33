from django import forms
from django.utils.translation import gettext_lazy as _


class GroupMessageForm(forms.Form):
    """A group and one text per language; `token` makes a double click one message."""

    group = forms.ChoiceField(label=_("Group"))
    text_nl = forms.CharField(label=_("Text in Dutch"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    text_fr = forms.CharField(label=_("Text in French"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    text_en = forms.CharField(label=_("Text in English"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = choices

    def texts(self) -> dict[str, str]:
        return {language: self.cleaned_data.get(f"text_{language}", "")
                for language in ("nl", "fr", "en")}

    def kind_and_value(self) -> tuple[str, str]:
        kind, _sep, value = self.cleaned_data["group"].partition("|")
        return kind, value
