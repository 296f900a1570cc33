"""Forms of the staff pages. They parse input; the services validate and save."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from organisations.models import Role, User

from . import imports, languages
from .availability import DAYS, PARTS, to_mask, to_slots
from .models import (
    MESSAGE_LANGUAGE_CHOICES,
    BuddyRole,
    ConsentPurpose,
    ImportKind,
    Interest,
    InterestCategory,
    LifeArea,
    Participant,
    Referrer,
    SynonymKind,
    Volunteer,
    VolunteerStatus,
)

FOREIGN_INTEREST = _("This interest is not in your organisation's catalogue.")


class AvailabilityWidget(forms.CheckboxSelectMultiple):
    template_name = "matching/widgets/availability.html"


class AvailabilityField(forms.MultipleChoiceField):
    """The week as 21 check boxes (day × morning/afternoon/evening); cleans to a bit mask."""

    widget = AvailabilityWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        choices = [
            (DAYS[d], [(f"{d}-{p}", PARTS[p]) for p in range(3)]) for d in range(7)
        ]
        super().__init__(choices=choices, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return [f"{d}-{p}" for d, p in to_slots(value)]
        return value

    def clean(self, value):
        values = super().clean(value)
        return to_mask(tuple(map(int, v.split("-"))) for v in values)


class LanguagesField(forms.CharField):
    """Languages as codes or names, separated by commas, "+", "/" or "en": "nl, fr, ar" or
    "Arabisch + Nederlands"."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        codes, unknown = languages.read(super().to_python(value) or "")
        # An unknown name stays as written: the service says it is not a language.
        return codes + [part.lower() for part in unknown]


class PastDateInput(forms.DateInput):
    """A date that cannot be in the future: the browser's calendar stops at today (the
    service refuses a later date all the same, with a clear message)."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"type": "date", **(attrs or {})}, format="%Y-%m-%d")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["max"] = timezone.localdate().isoformat()
        return context


class ServiceFormMixin:
    """A form whose data a service validates and saves (errors: `buddy.forms`)."""

    def _post_clean(self):
        # Model validation is the service's job; the instance is not touched here.
        pass


PROFILE_FIELDS = [
    "first_name", "last_name", "preferred_name", "birth_year", "age_range", "gender",
    "gender_description", "phone", "email", "contact_channel", "message_language",
    "postcode", "municipality", "languages", "interests", "interests_other", "availability",
    "mobility", "childcare", "budget",
]


class ProfileForm(ServiceFormMixin, forms.ModelForm):
    phone = forms.CharField(
        label=_("Mobile phone"), required=False, max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=_("Belgian or Dutch, as you like: 0470 12 34 56, +32 470 12 34 56."),
    )
    postcode = forms.CharField(label=_("Postcode"), max_length=8,
                               widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    municipality = forms.CharField(
        label=_("Municipality"), required=False, max_length=100,
        help_text=_("Filled in from the postcode when left empty."),
    )
    languages = LanguagesField(
        label=_("Languages spoken"), required=False,
        help_text=_("Language codes separated by commas, e.g. nl, fr, ar."),
    )
    interests = forms.ModelMultipleChoiceField(
        label=_("Interests"), queryset=Interest.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": FOREIGN_INTEREST},
    )
    availability = AvailabilityField(label=_("Weekly availability"))

    fieldsets: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interests"].queryset = Interest.objects.filter(
            is_active=True).select_related("category")
        if self.instance.pk:
            self.initial.setdefault("phone", self.instance.phone.as_international
                                    if self.instance.phone else "")
            self.initial["postcode"] = self.instance.postcode.code
            self.initial["municipality"] = self.instance.postcode.municipality

    def grouped(self):
        """The bound fields by fieldset: [(legend, [bound field, ...]), ...]."""
        return [(legend, [self[name] for name in names if name in self.fields])
                for legend, names in self.fieldsets]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("intake_key", None)
        return data


class ParticipantForm(ProfileForm):
    buddy_roles = forms.MultipleChoiceField(
        label=_("What the buddy may do"), choices=BuddyRole.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    excluded_areas = forms.MultipleChoiceField(
        label=_("Parts of life that stay out"), choices=LifeArea.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Participant
        fields = [
            *[f for f in PROFILE_FIELDS if f not in ("postcode", "municipality")],
            "buddy_gender", "buddy_gender_strength", "buddy_age_min", "buddy_age_max",
            "buddy_age_strength", "buddy_lived_experience", "buddy_lived_experience_strength",
            "buddy_roles", "buddy_roles_other", "excluded_areas", "excluded_areas_other",
            "referrer", "referrer_detail", "intake_note", "waiting_since", "last_contact_on",
        ]
        widgets = {
            "waiting_since": PastDateInput(),
            "last_contact_on": PastDateInput(),
            "intake_note": forms.Textarea(attrs={"rows": 4}),
        }

    fieldsets = [
        (_("Who"), ["first_name", "last_name", "preferred_name", "birth_year", "age_range",
                    "gender", "gender_description"]),
        (_("How to reach them"), ["phone", "email", "contact_channel", "message_language",
                                  "postcode", "municipality"]),
        (_("Languages and interests"), ["languages", "interests", "interests_other"]),
        (_("When"), ["availability"]),
        (_("Practical limits"), ["mobility", "childcare", "budget"]),
        (_("Wishes about the buddy"), [
            "buddy_gender", "buddy_gender_strength", "buddy_age_min", "buddy_age_max",
            "buddy_age_strength", "buddy_lived_experience", "buddy_lived_experience_strength",
            "buddy_roles", "buddy_roles_other", "excluded_areas", "excluded_areas_other"]),
        (_("Intake"), ["referrer", "referrer_detail", "consents", "waiting_since",
                       "last_contact_on", "intake_note"]),
    ]


# Intake in two steps: first what matching needs, then the rest, which can wait.
PARTICIPANT_ESSENTIALS = [
    "first_name", "last_name", "birth_year", "age_range", "gender", "gender_description",
    "phone", "email", "contact_channel", "message_language", "postcode", "municipality",
    "languages", "interests", "interests_other", "availability", "consents", "waiting_since",
]
VOLUNTEER_ESSENTIALS = [
    "first_name", "last_name", "birth_year", "age_range", "gender", "gender_description",
    "phone", "email", "contact_channel", "message_language", "postcode", "municipality",
    "languages", "interests", "interests_other", "availability", "capacity",
]


class _StepOne:
    """Step 1 of an intake: only the fields in `essentials` (and the one-time token)."""

    essentials: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in self.essentials and name != "intake_key":
                del self.fields[name]

    def grouped(self):
        return [(legend, fields) for legend, fields in super().grouped() if fields]


class _StepTwo(_StepOne):
    """Step 2 of an intake: every field but the essentials, which were saved in step 1."""

    def __init__(self, *args, **kwargs):
        super(_StepOne, self).__init__(*args, **kwargs)
        for name in self.essentials:
            self.fields.pop(name, None)


class ParticipantDetailsForm(_StepTwo, ParticipantForm):
    """Step 2 of the intake: wishes, practical limits, the referrer, notes."""

    essentials = PARTICIPANT_ESSENTIALS


class ParticipantIntakeForm(_StepOne, ParticipantForm):
    essentials = PARTICIPANT_ESSENTIALS
    consents = forms.MultipleChoiceField(
        label=_("Agreed to"), choices=ConsentPurpose.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # A one-time token: submitting the same form twice creates one participant.
    intake_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["waiting_since"].required = False
        self.fields["waiting_since"].help_text = _("Today when left empty.")
        self.initial.setdefault("intake_key", uuid.uuid4().hex)

    def service_kwargs(self):
        data = super().service_kwargs()
        data.setdefault("referrer", Referrer.UNKNOWN)  # asked in step 2, never assumed
        if not data.get("waiting_since"):
            data.pop("waiting_since", None)
        # Consent is explicit: a purpose the coordinator left unticked is recorded as
        # refused, so it is never taken as agreed for lack of a record.
        given = set(data.get("consents") or ())
        data["consents_refused"] = [p for p in ConsentPurpose.values if p not in given]
        return data


class VolunteerForm(ProfileForm):
    certificate_seen = forms.BooleanField(
        label=_("Certificate of good conduct (model 2) seen"), required=False,
    )
    user = forms.ModelChoiceField(
        label=_("Their account"), queryset=User.objects.none(), required=False,
        help_text=_("A volunteer account of your organisation, to log in and see their duos."),
    )

    class Meta:
        model = Volunteer
        fields = [
            *[f for f in PROFILE_FIELDS if f not in ("postcode", "municipality")],
            "motivation", "introduction", "capacity", "meeting_frequency", "available_from",
            "available_until", "intake_talk_on", "certificate_seen_on", "training_done_on",
            "lived_experience",
            "wish_gender", "wish_gender_strength", "wish_age_min", "wish_age_max",
            "wish_age_strength", "user",
        ]
        widgets = {
            **{name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
               for name in ("available_from", "available_until")},
            **{name: PastDateInput()
               for name in ("intake_talk_on", "certificate_seen_on", "training_done_on")},
        }

    fieldsets = [
        (_("Who"), ["first_name", "last_name", "preferred_name", "birth_year", "age_range",
                    "gender", "gender_description", "lived_experience"]),
        (_("How to reach them"), ["phone", "email", "contact_channel", "message_language",
                                  "postcode", "municipality"]),
        (_("Languages and interests"), ["languages", "interests", "interests_other"]),
        (_("When"), ["availability", "capacity", "meeting_frequency", "available_from",
                     "available_until"]),
        (_("Practical limits"), ["mobility", "childcare", "budget"]),
        (_("About them"), ["motivation", "introduction", "user"]),
        (_("Their wishes"), ["wish_gender", "wish_gender_strength", "wish_age_min",
                             "wish_age_max", "wish_age_strength"]),
        (_("Ready to be proposed"), ["intake_talk_on", "certificate_seen",
                                     "certificate_seen_on", "training_done_on"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.scoped.filter(role=Role.VOLUNTEER)
        if self.instance.pk:
            self.initial["certificate_seen"] = bool(self.instance.certificate_seen_on)


class VolunteerIntakeForm(_StepOne, VolunteerForm):
    """Step 1 of a volunteer's intake: what matching needs. Step 2 (VolunteerDetailsForm):
    practical limits, motivation, wishes, the account and the readiness dates."""

    essentials = VOLUNTEER_ESSENTIALS
    intake_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("intake_key", uuid.uuid4().hex)


class VolunteerDetailsForm(_StepTwo, VolunteerForm):
    essentials = VOLUNTEER_ESSENTIALS


class PauseForm(forms.Form):
    check_back_on = forms.DateField(
        label=_("Check back on"), widget=forms.DateInput(attrs={"type": "date"}),
    )


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    given = forms.BooleanField(label=_("Agreed"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class VolunteerStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=VolunteerStatus.choices)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why do they leave?"), max_length=300)


class ContactForm(forms.Form):
    on = forms.DateField(label=_("Contact on"), widget=PastDateInput())


class InterestCategoryForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = InterestCategory
        fields = ["label_nl", "label_fr", "label_en", "position"]


class InterestForm(ServiceFormMixin, forms.ModelForm):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=InterestCategory.objects.none(),
        error_messages={"invalid_choice": _("This category is not in your organisation's "
                                            "catalogue.")},
    )

    class Meta:
        model = Interest
        fields = ["category", "key", "label_nl", "label_fr", "label_en", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = InterestCategory.objects.all()


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Who is in the file?"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        help_text=_("The first row holds the column names, in Dutch or English."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise ValidationError(_("Choose a CSV or XLSX file."))
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError(_("The file is larger than 5 MB."))
        return upload


class ImportMappingForm(forms.Form):
    """One choice per column of the file: which field it holds (or none)."""

    only_rows = forms.CharField(
        label=_("Only these rows"), required=False, max_length=200,
        help_text=_("Row numbers as in the spreadsheet, e.g. 2-40, 45. Every row when empty."),
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Skip the bad rows and import the others"), required=False,
    )

    def __init__(self, *args, headers, field_choices, suggested, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", _("(do not import)")), *field_choices]
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header or _("(column %(n)s)") % {"n": index + 1}, choices=choices,
                required=False, initial=suggested.get(header, ""),
            )
        self.order_fields([f"col_{i}" for i in range(len(headers))]
                          + ["only_rows", "skip_bad_rows"])

    def mapping(self) -> dict:
        return {
            header: self.cleaned_data[f"col_{index}"]
            for index, header in enumerate(self.headers)
            if self.cleaned_data.get(f"col_{index}")
        }


UNDECIDED = ""
LEAVE_OUT = "-"


class ImportResolveForm(forms.Form):
    """The resolve step: what each unknown value means, and a decision per possible duplicate.

    Every field may stay undecided ("— choose —") so that the coordinator can answer part now
    and the rest later; the import waits until all are answered.
    """

    def __init__(self, *args, report, interest_choices, language_choices, candidates,
                 **kwargs):
        super().__init__(*args, **kwargs)
        if report.get("blocking_bad_rows"):
            self.fields["skip_bad_rows"] = forms.BooleanField(
                label=ngettext("Skip the row with errors and import the others",
                               "Skip the %(n)s rows with errors and import the others",
                               report["blocking_bad_rows"]) % {"n": report["blocking_bad_rows"]},
                required=False)
        self.unresolved = report.get("unresolved", [])
        self.duplicates = report.get("duplicates", [])
        choose = [(UNDECIDED, _("— choose —"))]
        for index, entry in enumerate(self.unresolved):
            kind = entry["kind"]
            if kind == SynonymKind.INTEREST:
                choices = [*choose, (LEAVE_OUT, _("Nothing: keep it as text under other "
                                                   "interests")), *interest_choices]
            elif kind == SynonymKind.REFERRER:
                choices = [*choose, *[(value or LEAVE_OUT, label)
                                      for value, label in Referrer.choices]]
            elif kind == SynonymKind.LANGUAGE:
                choices = [*choose, (LEAVE_OUT, _("Leave it out")), *language_choices]
            elif kind == SynonymKind.MESSAGE_LANGUAGE:
                choices = [*choose, (LEAVE_OUT, _("The organisation's language")),
                           *MESSAGE_LANGUAGE_CHOICES]
            else:
                choices = [*choose, (LEAVE_OUT, _("Use the postcode column as it is")),
                           *[(f"{p.code} {p.municipality}", f"{p.code} {p.municipality}"
                              + (f" ({p.locality})" if p.locality else ""))
                             for p in candidates.get(entry["key"], [])]]
            self.fields[f"value_{index}"] = forms.ChoiceField(
                label=entry["value"], choices=choices, required=False,
                help_text=ngettext("%(kind)s, in %(n)s row", "%(kind)s, in %(n)s rows",
                                   entry["count"])
                % {"kind": SynonymKind(kind).label, "n": entry["count"]},
            )
        for entry in self.duplicates:
            options = (imports.DECISIONS_IN_FILE if entry["person"] is None
                       else imports.DECISIONS_REGISTERED)
            if entry["person"] is None:
                label = _("Row %(row)s looks like row %(other)s (%(why)s)") % {
                    "row": entry["row"], "other": entry["of_row"],
                    "why": ", ".join(entry["reasons"])}
            else:
                label = _("Row %(row)s looks like %(name)s, already registered (%(why)s)") % {
                    "row": entry["row"], "name": entry["person"]["name"],
                    "why": ", ".join(entry["reasons"])}
            self.fields[f"row_{entry['row']}"] = forms.ChoiceField(
                label=label, choices=list(options.items()), required=False,
                widget=forms.RadioSelect, initial=entry.get("decision") or None,
            )

    def value_fields(self):
        return [self[f"value_{i}"] for i in range(len(self.unresolved))]

    def duplicate_fields(self):
        return [self[f"row_{d['row']}"] for d in self.duplicates]

    def resolutions(self) -> dict:
        result = {}
        for index, entry in enumerate(self.unresolved):
            answer = self.cleaned_data.get(f"value_{index}")
            if answer:
                result.setdefault(entry["kind"], {})[entry["value"]] = (
                    "" if answer == LEAVE_OUT else answer)
        return result

    def decisions(self) -> dict:
        return {str(d["row"]): self.cleaned_data[f"row_{d['row']}"] for d in self.duplicates
                if self.cleaned_data.get(f"row_{d['row']}")}
