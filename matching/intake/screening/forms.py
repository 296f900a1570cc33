from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ScreeningStage


class ScreeningMoveForm(forms.Form):
    stage = forms.ModelChoiceField(label=_("Stage reached"), queryset=ScreeningStage.objects.none(),
                                   empty_label=None)
    entered_on = forms.DateField(label=_("On"), widget=forms.DateInput(
        attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, stages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = stages
        self.initial.setdefault("entered_on", timezone.localdate())


class ReferenceRequestForm(forms.Form):
    referee_name = forms.CharField(label=_("Name of the referee"), max_length=100)
    referee_email = forms.EmailField(label=_("Their e-mail address"))


class ReferenceAnswerForm(forms.Form):
    recommends = forms.TypedChoiceField(
        label=_("Would you recommend them as a buddy for someone in a vulnerable position?"),
        choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
    )
    answer = forms.CharField(
        label=_("How do you know them? Is there anything we should know?"), max_length=1000,
        required=False, widget=forms.Textarea(attrs={"rows": 4}),
    )


class CertificateCopyForm(forms.Form):
    file = forms.FileField(label=_("A copy of the certificate (photo or PDF, at most 5 MB)"))
