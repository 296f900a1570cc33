from django import forms
from django.utils.translation import gettext_lazy as _

from ..applications.forms import PublicApplicationForm
from ..models import ConsentPurpose


class ReferralForm(PublicApplicationForm):
    """A partner refers a participant: what matching needs, and the consent as recorded."""

    first_name = forms.CharField(label=_("The participant's first name"), max_length=100)
    last_name = forms.CharField(label=_("Their last name"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Their mobile number"), required=False, max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=_("They get an SMS and reply YES to be put on the waiting list."))
    email = forms.EmailField(label=_("Their e-mail address"), required=False)
    contact_channel = forms.ChoiceField(
        label=_("How do we contact them?"), widget=forms.RadioSelect,
        choices=[("sms", _("By SMS")), ("call", _("By phone call"))], initial="sms")
    message_language = forms.ChoiceField(label=_("Their language for messages"),
                                         choices=[("nl", _("Dutch")), ("fr", _("French")),
                                                  ("en", _("English"))],
                                         widget=forms.RadioSelect)
    postcode = forms.CharField(label=_("Their postcode"), max_length=8)
    intake_note = forms.CharField(
        label=_("What should the coordinator know?"), max_length=1000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only what matching needs; the coordinator reads it, never a buddy."))
    referred_by = forms.CharField(label=_("Your name"), max_length=100, required=False)
    consent_recorded = forms.BooleanField(
        label=_("The participant agreed that we receive these details and contact them."),
        required=False)
    consent_choices = [
        (ConsentPurpose.SMS, _("They agree to SMS and e-mail from the project.")),
        (ConsentPurpose.SHARE_PROFILE,
         _("They agree that a buddy sees their first name and interests.")),
    ]

    fieldsets = [
        (_("The participant"), ["first_name", "last_name", "phone", "email", "contact_channel",
                                "message_language", "postcode"]),
        (_("What they like"), ["languages", "interests", "interests_other", "availability",
                               "intake_note"]),
        (_("Consent as the participant gave it to you"), ["consent_recorded", "consents"]),
        (_("You"), ["referred_by"]),
    ]

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        data.pop("language", None)
        return data
