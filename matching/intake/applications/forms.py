"""The public application forms: they parse what a visitor typed; the services check and
save it. Plain words (B1) for participants; every field works without JavaScript."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from buddy.i18n import reader_language

from ..forms import AvailabilityField, LanguagesField
from ..models import (
    MESSAGE_LANGUAGE_CHOICES,
    ConsentPurpose,
    ContactChannel,
    Gender,
    Interest,
    MeetingFrequency,
)
from .models import VolunteerConsent

PUBLIC_CHANNELS = [
    (ContactChannel.SMS, _("By SMS")),
    (ContactChannel.EMAIL, _("By e-mail")),
    (ContactChannel.CALL, _("By phone call")),
]


class PublicApplicationForm(forms.Form):
    """What both public forms share: the one-time key, the trap for robots, contact."""

    # A trap for robots: hidden from people (display: none), so only a robot fills it in.
    website = forms.CharField(label=_("Leave this empty"), required=False)
    form_key = forms.CharField(widget=forms.HiddenInput)

    first_name = forms.CharField(label=_("Your first name"), max_length=100)
    last_name = forms.CharField(label=_("Your last name"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Your mobile number"), required=False, max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_("For example 0470 12 34 56."),
    )
    email = forms.EmailField(label=_("Your e-mail address"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    contact_channel = forms.ChoiceField(
        label=_("How do we contact you?"), choices=PUBLIC_CHANNELS,
        initial=ContactChannel.SMS, widget=forms.RadioSelect,
    )
    message_language = forms.ChoiceField(
        label=_("In which language do we write to you?"), choices=MESSAGE_LANGUAGE_CHOICES,
        widget=forms.RadioSelect,
    )
    postcode = forms.CharField(
        label=_("Your postcode"), max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    languages = LanguagesField(
        label=_("Which languages do you speak?"), required=False,
        help_text=_("For example: Dutch, French, Arabic."),
    )
    interests = forms.ModelMultipleChoiceField(
        label=_("What do you like to do?"), queryset=Interest.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interests_other = forms.CharField(label=_("Something else you like"), max_length=300,
                                      required=False)
    availability = AvailabilityField(label=_("When are you free?"))

    consent_choices: list = []
    fieldsets: list = []

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["interests"].queryset = Interest.objects.filter(
            organisation=organisation, is_active=True).select_related("category")
        self.fields["consents"] = forms.MultipleChoiceField(
            label=_("What you agree to"), choices=self.consent_choices, required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.initial.setdefault("form_key", uuid.uuid4().hex)
        language = reader_language()
        self.initial.setdefault("message_language", language if language in dict(
            MESSAGE_LANGUAGE_CHOICES) else "nl")

    @property
    def is_trapped(self) -> bool:
        """A robot filled in the hidden field."""
        return bool(self.data.get(self.add_prefix("website"), "").strip())

    def grouped(self):
        return [(legend, [self[name] for name in names if name in self.fields])
                for legend, names in self.fieldsets]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("website", None)
        data["interests"] = list(data.get("interests") or ())
        data["consents"] = list(data.get("consents") or ())
        data["language"] = reader_language()
        return data


class VolunteerApplicationForm(PublicApplicationForm):
    birth_year = forms.IntegerField(label=_("Your year of birth"), required=False,
                                    min_value=1900, max_value=2100)
    gender = forms.ChoiceField(label=_("Gender"), required=False,
                               choices=[("", _("I'd rather not say")), *Gender.choices])
    meeting_frequency = forms.ChoiceField(
        label=_("How often could you meet your buddy?"), required=False,
        choices=MeetingFrequency.choices,
    )
    motivation = forms.CharField(
        label=_("Why would you like to be a buddy?"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few sentences are enough."),
    )
    consent_choices = VolunteerConsent.choices

    fieldsets = [
        (_("About you"), ["first_name", "last_name", "birth_year", "gender"]),
        (_("How we reach you"), ["phone", "email", "contact_channel", "message_language",
                                 "postcode"]),
        (_("What you would like to do"), ["languages", "interests", "interests_other",
                                          "motivation"]),
        (_("When"), ["availability", "meeting_frequency"]),
        (_("Your consent"), ["consents"]),
    ]


class ParticipantApplicationForm(PublicApplicationForm):
    intake_note = forms.CharField(
        label=_("Do you want to tell us something more?"), max_length=1000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the coordinator reads this."),
    )
    consent_choices = [
        (ConsentPurpose.DATA, _("You may keep my data to find me a buddy.")),
        (ConsentPurpose.SMS, _("You may send me SMS and e-mail.")),
        (ConsentPurpose.SHARE_PROFILE, _("A buddy may see my first name and what I like.")),
    ]

    fieldsets = [
        (_("About you"), ["first_name", "last_name"]),
        (_("How we reach you"), ["phone", "email", "contact_channel", "message_language",
                                 "postcode"]),
        (_("What you like"), ["languages", "interests", "interests_other"]),
        (_("When"), ["availability"]),
        (_("Anything else"), ["intake_note"]),
        (_("Your consent"), ["consents"]),
    ]
