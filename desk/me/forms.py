from django import forms
from django.utils.translation import gettext_lazy as _

from matching.intake.applications.forms import PUBLIC_CHANNELS
from matching.intake.forms import AvailabilityField, LanguagesField
from matching.intake.models import MESSAGE_LANGUAGE_CHOICES, Interest, MeetingFrequency


class OwnProfileForm(forms.Form):
    """What a volunteer changes on their own page."""

    availability = AvailabilityField(label=_("When are you free?"))
    languages = LanguagesField(label=_("Which languages do you speak?"), required=False,
                               help_text=_("For example: Dutch, French, Arabic."))
    interests = forms.ModelMultipleChoiceField(
        label=_("What do you like to do?"), queryset=Interest.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple)
    contact_channel = forms.ChoiceField(label=_("How do we contact you?"),
                                        choices=PUBLIC_CHANNELS, widget=forms.RadioSelect)
    message_language = forms.ChoiceField(label=_("In which language do we write to you?"),
                                         choices=MESSAGE_LANGUAGE_CHOICES,
                                         widget=forms.RadioSelect)
    meeting_frequency = forms.ChoiceField(label=_("How often could you meet your buddy?"),
                                          choices=MeetingFrequency.choices, required=False)

    def __init__(self, *args, volunteer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interests"].queryset = Interest.objects.filter(
            organisation_id=volunteer.organisation_id, is_active=True)
        if not self.is_bound:
            self.initial.update(
                availability=volunteer.availability, languages=volunteer.languages,
                interests=list(volunteer.interests.values_list("pk", flat=True)),
                contact_channel=volunteer.contact_channel,
                message_language=volunteer.message_language,
                meeting_frequency=volunteer.meeting_frequency)


class PauseForm(forms.Form):
    until = forms.DateField(label=_("Not available until"),
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
