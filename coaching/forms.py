"""Forms of the coaching pages: they parse input; the services decide."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import Answer, Audience, ContactForm

SCOPE_CHOICES = [
    ("this", _("Only this session")),
    ("rest_of_series", _("This session and the rest of the series")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class VolunteerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class PeopleField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.display_name


class FacilitatorField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class SessionForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Ends at"), widget=TimeInput())
    place = forms.CharField(label=_("Address"), max_length=300, required=False)
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    facilitator = FacilitatorField(label=_("Facilitator"), queryset=None, required=False)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices,
                                 widget=forms.RadioSelect, initial=Audience.VOLUNTEERS)
    chosen_volunteers = PeopleField(
        label=_("Chosen volunteers"), queryset=None, required=False,
        help_text=_("Only for the audience “chosen duos”."),
    )
    chosen_participants = PeopleField(
        label=_("Chosen participants"), queryset=None, required=False,
        help_text=_("Only for the audience “chosen duos”."),
    )
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, required=False,
                                  help_text=_("Leave empty for no limit."))
    theme_description = forms.CharField(label=_("Theme"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = selectors.facilitator_choices()
        self.fields["chosen_volunteers"].queryset = selectors.volunteer_choices()
        self.fields["chosen_participants"].queryset = selectors.participant_choices()

    @staticmethod
    def initial_for(session):
        local_start = timezone.localtime(session.starts_at)
        return {
            "topic": session.topic, "date": local_start.date(),
            "start_time": local_start.time(),
            "end_time": timezone.localtime(session.ends_at).time(),
            "place": session.place, "online_link": session.online_link,
            "facilitator": session.facilitator_id, "audience": session.audience,
            "chosen_volunteers": list(session.chosen_volunteers.all()),
            "chosen_participants": list(session.chosen_participants.all()),
            "capacity": session.capacity, "theme_description": session.theme_description,
        }

    def session_fields(self) -> dict:
        data = self.cleaned_data
        starts_at = timezone.make_aware(datetime.datetime.combine(data["date"],
                                                                  data["start_time"]))
        ends_at = timezone.make_aware(datetime.datetime.combine(data["date"], data["end_time"]))
        return {
            "topic": data["topic"], "starts_at": starts_at, "ends_at": ends_at,
            "place": data["place"], "online_link": data["online_link"],
            "facilitator": data["facilitator"], "audience": data["audience"],
            "capacity": data["capacity"], "theme_description": data["theme_description"],
        }

    def chosen_people(self) -> dict:
        if self.cleaned_data["audience"] != Audience.CHOSEN:
            return {"chosen_volunteers": [], "chosen_participants": []}
        return {"chosen_volunteers": list(self.cleaned_data["chosen_volunteers"]),
                "chosen_participants": list(self.cleaned_data["chosen_participants"])}


class SessionCreateForm(SessionForm):
    repeats = forms.BooleanField(label=_("Repeats (a series)"), required=False)
    interval_weeks = forms.IntegerField(label=_("Every how many weeks"), min_value=1,
                                        max_value=52, initial=6, required=False)
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    count = forms.IntegerField(label=_("Or number of sessions"), min_value=2, max_value=52,
                               required=False)

    def clean(self):
        data = super().clean()
        if data.get("repeats"):
            if not data.get("interval_weeks"):
                self.add_error("interval_weeks", _("Fill in every how many weeks."))
            if not data.get("until") and not data.get("count"):
                self.add_error("until", _("Fill in an end date or a number of sessions."))
        return data


class SessionEditForm(SessionForm):
    scope = forms.ChoiceField(label=_("Change"), choices=SCOPE_CHOICES,
                              widget=forms.RadioSelect, initial="this")


class SessionCancelForm(forms.Form):
    scope = forms.ChoiceField(label=_("Cancel"), choices=SCOPE_CHOICES,
                              widget=forms.RadioSelect, initial="this")
    reason = forms.CharField(label=_("Reason (for the coordinators)"), max_length=300,
                             required=False)


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Answer"), widget=forms.RadioSelect,
        choices=[(Answer.YES, _("Yes")), (Answer.MAYBE, _("Maybe")), (Answer.NO, _("No"))],
    )


class InviteOneForm(forms.Form):
    volunteer = VolunteerChoiceField(label=_("Volunteer"), queryset=None, required=False)
    participant = VolunteerChoiceField(label=_("Participant"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = selectors.volunteer_choices()
        self.fields["participant"].queryset = selectors.participant_choices()

    def clean(self):
        data = super().clean()
        if bool(data.get("volunteer")) == bool(data.get("participant")):
            raise forms.ValidationError(_("Choose one volunteer or one participant."))
        return data


class NoteForm(forms.Form):
    themes = forms.CharField(label=_("Themes raised"), required=False,
                             widget=forms.Textarea(attrs={"rows": 4}))
    successes = forms.CharField(label=_("Successes shared"), required=False,
                                widget=forms.Textarea(attrs={"rows": 4}))
    pitfalls = forms.CharField(label=_("Pitfalls shared"), required=False,
                               widget=forms.Textarea(attrs={"rows": 4}))
    follow_up = forms.CharField(label=_("Follow-up actions"), required=False,
                                widget=forms.Textarea(attrs={"rows": 4}))


class CoachingContactForm(forms.Form):
    volunteer = VolunteerChoiceField(label=_("Volunteer"), queryset=None)
    participant = VolunteerChoiceField(
        label=_("Participant (when coaching the duo together)"), queryset=None, required=False,
    )
    happened_on = forms.DateField(label=_("Date"), widget=DateInput(),
                                  initial=timezone.localdate)
    form = forms.ChoiceField(label=_("Form"), choices=ContactForm.choices,
                             widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Short note"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Keep it short and factual; the volunteer may ask to read it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = selectors.volunteer_choices()
        self.fields["participant"].queryset = selectors.participant_choices()


class TrainingModuleForm(forms.Form):
    name_nl = forms.CharField(label=_("Name (Dutch)"), max_length=200)
    name_fr = forms.CharField(label=_("Name (French)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    is_basic = forms.BooleanField(
        label=_("Basic training"), required=False,
        help_text=_("Completing it counts toward the volunteer's readiness for matching."),
    )


class TrainingCompletionForm(forms.Form):
    volunteer = VolunteerChoiceField(label=_("Volunteer"), queryset=None)
    completed_on = forms.DateField(label=_("Completed on"), widget=DateInput(),
                                   initial=timezone.localdate)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = selectors.volunteer_choices()


class CoachingSettingsForm(forms.Form):
    months_without_intervision = forms.IntegerField(
        label=_("Months without intervision"), min_value=1, max_value=36,
        help_text=_("A volunteer not at any intervision for this long may need support."),
    )
    reminder_lead_days = forms.IntegerField(
        label=_("Reminder days before a session"), min_value=0, max_value=30,
    )
