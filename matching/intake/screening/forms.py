from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ScreeningStage


class ScreeningMoveForm(forms.Form):
    stage = forms.ModelChoiceField(label=_("Stage reached"), queryset=ScreeningStage.objects.none(),
                                   empty_label=None)
    entered_on = forms.DateField(label=_("On"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, stages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = stages
        self.initial.setdefault("entered_on", timezone.localdate())
