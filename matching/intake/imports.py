"""Import of participants and volunteers from the spreadsheets projects keep today.

upload (headers read; the mapping the organisation chose last time, else one suggested from
Dutch, French and English column names) → check (a dry run through the real intake services
inside a transaction that is rolled back: every bad row with its reasons, every value the
import could not place, every row that looks like someone already there) → resolve (the
coordinator says what each unknown value means and decides on each possible duplicate; the
dry run runs again) → commit (a Celery task).

Nothing lands before the commit, and the commit is all or nothing: every row in one
transaction, so a row that fails after all leaves nothing behind (not even the synonyms and
catalogue items the resolve step asked for). The progress of a running import is kept in the
cache, which every process shares. Each row's intake key (`import-<job>-<row>`) makes a task
that runs twice add nobody twice.
"""

import csv
import datetime
import difflib
import io
import re
from collections import defaultdict

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl import load_workbook

from . import languages, services, tasks
from .availability import UnreadableAvailability, parse_phrase
from .languages import simple
from .models import (
    ContactChannel,
    Gender,
    ImportColumnMemory,
    ImportJob,
    ImportKind,
    ImportStatus,
    ImportSynonym,
    Interest,
    InterestCategory,
    Participant,
    Postcode,
    Referrer,
    SynonymKind,
    Volunteer,
)
from .phones import is_mobile, parse_phone

MAX_ROWS = 10_000
PROGRESS_EVERY = 50
MESSAGE_LANGUAGES = ("nl", "fr", "en")

# field: (label, column names people use, in Dutch, French and English)
COMMON_FIELDS = {
    "first_name": (gettext_lazy("First name"), [
        "voornaam", "roepnaam voornaam", "prenom", "first name", "firstname", "given name"]),
    "last_name": (gettext_lazy("Last name"), [
        "achternaam", "familienaam", "nom de famille", "last name", "lastname", "surname",
        "family name"]),
    "full_name": (gettext_lazy("Full name (first and last)"), [
        "volledige naam", "naam en voornaam", "voornaam en naam", "nom complet",
        "nom et prenom", "prenom et nom", "full name", "name"]),
    "preferred_name": (gettext_lazy("Preferred name"), [
        "roepnaam", "noemt zich", "surnom", "preferred name", "nickname"]),
    "birth_year": (gettext_lazy("Year of birth"), [
        "geboortejaar", "geboortedatum", "geb datum", "annee de naissance",
        "date de naissance", "birth year", "year of birth", "date of birth", "birthdate"]),
    "gender": (gettext_lazy("Gender"), [
        "geslacht", "gender", "genre", "sexe", "sex", "m v x", "m v"]),
    "phone": (gettext_lazy("Phone"), [
        "gsm", "gsm nummer", "gsmnummer", "telefoon", "telefoonnummer", "tel", "mobiel",
        "mobiel nummer", "portable", "gsm portable", "telephone", "numero", "phone",
        "mobile", "phone number", "mobile phone", "cell"]),
    "email": (gettext_lazy("E-mail"), [
        "e mail", "email", "mail", "emailadres", "e mailadres", "mailadres", "courriel",
        "adresse e mail", "e mail address"]),
    "contact_channel": (gettext_lazy("How to reach them"), [
        "kanaal", "contact via", "bereikbaar via", "contactkanaal", "contact par", "canal",
        "contact channel", "channel", "preferred contact"]),
    "postcode": (gettext_lazy("Postcode"), [
        "postcode", "post code", "postnummer", "code postal", "cp", "postal code", "zip",
        "zipcode"]),
    "municipality": (gettext_lazy("Municipality"), [
        "gemeente", "woonplaats", "stad", "plaats", "deelgemeente", "commune", "localite",
        "ville", "municipality", "city", "town"]),
    "message_language": (gettext_lazy("Language for messages"), [
        "taal", "taal berichten", "berichten in", "voertaal", "contacttaal", "langue",
        "langue de contact", "langue des messages", "message language", "language",
        "contact language"]),
    "languages": (gettext_lazy("Languages spoken"), [
        "talen", "gesproken talen", "spreekt", "andere talen", "thuistaal", "moedertaal",
        "langues", "langues parlees", "parle", "languages", "spoken languages",
        "languages spoken", "speaks"]),
    "interests": (gettext_lazy("Interests"), [
        "interesses", "interesse", "hobby s", "hobbys", "hobby", "activiteiten",
        "vrije tijd", "centres d interet", "interets", "loisirs", "activites", "interests",
        "interest", "hobbies", "activities"]),
    "availability": (gettext_lazy("Availability"), [
        "beschikbaarheid", "beschikbaar", "wanneer", "wanneer vrij", "vrije momenten",
        "momenten", "disponibilite", "disponibilites", "disponible", "quand",
        "availability", "available", "when"]),
}
PARTICIPANT_FIELDS = {
    **COMMON_FIELDS,
    "waiting_since": (gettext_lazy("Waiting since"), [
        "wachtlijst sinds", "op wachtlijst sinds", "wacht sinds", "ingeschreven op",
        "datum inschrijving", "inschrijving", "aanmelding", "datum aanmelding",
        "en attente depuis", "inscrit le", "date d inscription", "date inscription",
        "waiting since", "registered", "registration date", "date"]),
    "referrer": (gettext_lazy("Referred by"), [
        "doorverwijzer", "verwezen door", "doorverwezen door", "verwijzer", "aangemeld door",
        "aanmelder", "via", "envoye par", "oriente par", "orientation", "orienteur",
        "referrer", "referred by", "referral", "referral source"]),
    "intake_note": (gettext_lazy("Intake note"), [
        "notitie", "notities", "opmerking", "opmerkingen", "remarque", "remarques",
        "commentaire", "commentaires", "note", "notes", "remarks", "comments"]),
}
VOLUNTEER_FIELDS = {
    **COMMON_FIELDS,
    "motivation": (gettext_lazy("Motivation"), ["motivatie", "waarom", "motivation"]),
    "capacity": (gettext_lazy("Duos at the same time"), [
        "aantal duo s", "aantal duos", "capaciteit", "nombre de duos", "capacite",
        "capacity"]),
    "intake_talk_on": (gettext_lazy("Intake talk done on"), [
        "intakegesprek", "intake gesprek", "datum intake", "intake", "entretien d accueil",
        "entretien", "intake talk", "intake interview"]),
    "certificate_seen_on": (gettext_lazy("Certificate of good conduct (model 2) seen on"), [
        "uittreksel", "uittreksel strafregister", "model 2", "attest goed gedrag",
        "extrait de casier", "casier judiciaire", "certificate", "certificate of good conduct",
        "criminal record"]),
    "training_done_on": (gettext_lazy("Basic training done on"), [
        "vorming", "basisvorming", "opleiding", "formation", "formation de base", "training",
        "basic training"]),
}
# A column called "naam" (nom, name) is the last name beside a first-name column, else the
# whole name.
NAME_ONLY = {"naam", "nom", "name"}
GENDERS = {
    "v": Gender.FEMALE, "vrouw": Gender.FEMALE, "f": Gender.FEMALE, "femme": Gender.FEMALE,
    "female": Gender.FEMALE, "woman": Gender.FEMALE, "m": Gender.MALE, "man": Gender.MALE,
    "h": Gender.MALE, "homme": Gender.MALE, "male": Gender.MALE, "x": Gender.NON_BINARY,
    "non binair": Gender.NON_BINARY, "non binaire": Gender.NON_BINARY,
    "non binary": Gender.NON_BINARY,
}
REFERRER_WORDS = [  # (word in the text, referrer): "OCMW Gent" is the OCMW
    ("ocmw", Referrer.OCMW), ("cpas", Referrer.OCMW), ("caw", Referrer.CAW),
    ("zelf", Referrer.SELF), ("eigen initiatief", Referrer.SELF), ("self", Referrer.SELF),
    ("lui meme", Referrer.SELF), ("elle meme", Referrer.SELF),
]
CHANNELS = {
    "sms": ContactChannel.SMS, "gsm": ContactChannel.SMS, "tekst": ContactChannel.SMS,
    "texto": ContactChannel.SMS, "text": ContactChannel.SMS, "bellen": ContactChannel.CALL,
    "telefoon": ContactChannel.CALL, "bel": ContactChannel.CALL, "appel": ContactChannel.CALL,
    "telephone": ContactChannel.CALL, "call": ContactChannel.CALL,
    "phone": ContactChannel.CALL, "mail": ContactChannel.EMAIL,
    "e mail": ContactChannel.EMAIL, "email": ContactChannel.EMAIL,
    "courriel": ContactChannel.EMAIL,
}
DECISIONS_IN_FILE = {
    "both": gettext_lazy("Keep both rows: two different people"),
    "this": gettext_lazy("Keep this row only"),
    "other": gettext_lazy("Keep the earlier row only"),
}
DECISIONS_REGISTERED = {
    "skip": gettext_lazy("Skip this row: the registered person stays as is"),
    "update": gettext_lazy("Update the registered person with this row"),
    "both": gettext_lazy("Add as a new person: two different people"),
}
NEW_INTEREST = "new:"


def fields_for(kind):
    return PARTICIPANT_FIELDS if kind == ImportKind.PARTICIPANTS else VOLUNTEER_FIELDS


def field_choices(kind):
    return [(name, label) for name, (label, _spellings) in fields_for(kind).items()]


def _model(kind):
    return Participant if kind == ImportKind.PARTICIPANTS else Volunteer


# Reading the file and its columns --------------------------------------------------------


def suggest_mapping(headers, kind, remembered=None) -> dict:
    """{header: field} for the headers the organisation mapped before or whose spelling is
    known; each field used once."""
    remembered = remembered or {}
    spellings = {}
    for name, (_label, words) in fields_for(kind).items():
        for word in words:
            spellings.setdefault(simple(word), name)
    has_first_name = any(spellings.get(simple(h)) == "first_name"
                         or remembered.get(simple(h)) == "first_name" for h in headers)
    mapping, used = {}, set()
    for header in headers:
        key = simple(header)
        if key in remembered:
            name = remembered[key]
        elif key in NAME_ONLY:
            name = "last_name" if has_first_name else "full_name"
        else:
            name = spellings.get(key)
        if name and name not in used:
            mapping[header] = name
            used.add(name)
    return mapping


def remembered_mapping(organisation, kind) -> dict:
    memory = ImportColumnMemory.objects.filter(organisation=organisation, kind=kind).first()
    return memory.mapping if memory else {}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(filename: str, content: bytes) -> tuple[list, list]:
    """(headers, rows) of the first sheet of an XLSX file or of a CSV file (; , or tab)."""
    if filename.lower().endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise ValidationError(_("This XLSX file cannot be read.")) from exc
        sheet = workbook.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252", errors="replace")
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
        except csv.Error:
            dialect = csv.excel
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
    rows = [row for row in rows if any(cell for cell in row)]
    if not rows:
        raise ValidationError(_("The file is empty."))
    headers, body = [h.strip() for h in rows[0]], rows[1:]
    if len(body) > MAX_ROWS:
        raise ValidationError(_("The file has more than %(n)s rows.") % {"n": MAX_ROWS})
    width = len(headers)
    return headers, [(row + [""] * width)[:width] for row in body]


def _rows(job):
    headers, rows = read_table(job.filename, bytes(job.content))
    columns = {index: job.mapping[h] for index, h in enumerate(headers) if h in job.mapping}
    for number, row in enumerate(rows, start=2):  # row 1 holds the headers
        yield number, {field: row[index] for index, field in columns.items()}


def parse_rows(text: str) -> set | None:
    """The row numbers of "2-40, 45" (None: every row); ValidationError names a bad part."""
    numbers = set()
    for part in re.split(r"[,;\s]+", text or ""):
        if not part:
            continue
        match = re.fullmatch(r"(\d{1,5})(?:-(\d{1,5}))?", part)
        if not match or (match.group(2) and int(match.group(2)) < int(match.group(1))):
            raise ValidationError({"only_rows": _("“%(part)s” is not a row number or a range "
                                                  "such as 2-40.") % {"part": part}})
        low, high = int(match.group(1)), int(match.group(2) or match.group(1))
        numbers.update(range(low, min(high, MAX_ROWS + 1) + 1))
    return numbers or None


@transaction.atomic
def import_job_create(*, organisation, kind, filename, content, created_by=None) -> ImportJob:
    """Stores an uploaded file as an import job, with its columns and a suggested mapping."""
    headers, rows = read_table(filename, content)
    return ImportJob.objects.create(
        organisation=organisation, kind=kind, filename=filename[:200], content=content,
        headers=headers,
        mapping=suggest_mapping(headers, kind, remembered_mapping(organisation, kind)),
        total_rows=len(rows), created_by=created_by,
    )


# Reading one row ---------------------------------------------------------------------------


def _parse_date(text):
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d-%m-%y",
                "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("“%(value)s” is not a date (write 31/12/2024).") % {"value": text})


def _pieces(text):
    return [part.strip() for part in re.split(r"[,;/|+&\n]+", text) if part.strip()]


class RowParser:
    """Turns a row of text cells into the keyword arguments of an intake service.

    A value it cannot place by itself (an interest, a referrer, a language, a municipality)
    is looked up in the organisation's synonyms and the job's resolutions; failing that it
    is noted in `unresolved` for the resolve step and left out of the row for now.
    """

    def __init__(self, job):
        self.job = job
        self.organisation = job.organisation
        self.interests, self.interests_by_key = {}, {}
        for interest in Interest.objects.filter(organisation=self.organisation):
            self.interests_by_key[interest.key] = interest
            for text in (interest.key, interest.label_nl, interest.label_fr, interest.label_en):
                self.interests.setdefault(simple(text), interest)
        self.synonyms = {(s.kind, s.value): s.target for s in
                         ImportSynonym.objects.filter(organisation=self.organisation)}
        for kind, values in (job.resolutions or {}).items():
            for value, target in values.items():
                self.synonyms[(kind, value)] = target
        self.postcodes_by_code, self.postcodes_by_name = defaultdict(list), defaultdict(list)
        self.postcodes_by_id = {}
        for postcode in Postcode.objects.all():
            self.postcodes_by_id[postcode.pk] = postcode
            self.postcodes_by_code[postcode.code].append(postcode)
            for name in {postcode.municipality, postcode.municipality_fr, postcode.locality}:
                if name:
                    self.postcodes_by_name[simple(name)].append(postcode)
        # (kind, value simplified) → {"value": as first written, "rows": [...]}
        self.unresolved = {}

    def _meaning(self, kind, text, number):
        """(True, target) when the organisation said what `text` means, else notes it."""
        key = simple(text)[:200]
        if (kind, key) in self.synonyms:
            return True, self.synonyms[(kind, key)]
        entry = self.unresolved.setdefault((kind, key), {"value": text.strip(), "rows": []})
        entry["rows"].append(number)
        return False, None

    def parse(self, number: int, cells: dict) -> tuple[dict, dict, set]:
        """(service kwargs, {field: [errors]}, the kwargs filled from the file)."""
        kwargs, errors, given = {}, {}, set()
        for field, value in cells.items():
            if not value.strip():
                continue
            try:
                given |= self._parse_one(field, value.strip(), kwargs, number)
            except ValidationError as exc:
                errors.setdefault(field, []).extend(exc.messages)
        self._place(kwargs, cells, errors, number)
        self._channel(kwargs, errors, given)
        if self.job.kind == ImportKind.PARTICIPANTS and "referrer" not in kwargs:
            kwargs["referrer"] = Referrer.UNKNOWN  # an empty cell is no "self"
        kwargs.setdefault("message_language", self.organisation.default_language)
        if "message_language" in given and kwargs["message_language"] not in kwargs["languages"]:
            kwargs["languages"] = [kwargs["message_language"], *kwargs["languages"]]
        return kwargs, errors, given

    def _parse_one(self, field, value, kwargs, number) -> set:
        if field == "full_name":
            first, _space, last = value.partition(" ")
            kwargs["first_name"], kwargs["last_name"] = first[:100], last.strip()[:100]
            return {"first_name", "last_name"}
        if field == "birth_year":
            if value.isdigit() and len(value) == 4:
                kwargs["birth_year"] = int(value)
            else:
                kwargs["birth_year"] = _parse_date(value).year
        elif field == "gender":
            gender = GENDERS.get(simple(value))
            if gender:
                kwargs["gender"] = gender
            else:
                kwargs["gender"] = Gender.SELF_DESCRIBED
                kwargs["gender_description"] = value[:100]
                return {"gender", "gender_description"}
        elif field == "phone":
            if not re.search(r"\d", value):
                return set()  # "geen gsm", "nvt": no number
            kwargs["phone"] = value
        elif field == "contact_channel":
            channel = CHANNELS.get(simple(value))
            if channel is None:
                raise ValidationError(_("“%(value)s” is not a way to reach someone (write SMS, "
                                        "bellen or e-mail).") % {"value": value})
            kwargs["contact_channel"] = channel
        elif field == "languages":
            self._languages(value, kwargs, number)
        elif field == "message_language":
            self._message_language(value, kwargs, number)
            return {"message_language", "languages"}
        elif field == "interests":
            self._interests(value, kwargs, number)
            return {"interests", "interests_other"}
        elif field == "availability":
            try:
                kwargs["availability"] = parse_phrase(value)
            except UnreadableAvailability as exc:
                raise ValidationError(
                    _("“%(part)s” is not a day or a part of the day (write e.g. “ma vm, do "
                      "avond, weekend” or “lundi matin”).") % {"part": exc.part}) from exc
        elif field in ("waiting_since", "intake_talk_on", "certificate_seen_on",
                       "training_done_on"):
            kwargs[field] = _parse_date(value)
        elif field == "referrer":
            self._referrer(value, kwargs, number)
            return {"referrer", "referrer_detail"}
        elif field == "capacity":
            if not value.isdigit():
                raise ValidationError(_("“%(value)s” is not a number.") % {"value": value})
            kwargs["capacity"] = int(value)
        elif field in ("postcode", "municipality"):
            return {"postcode"}  # placed with the other column, in _place
        else:
            kwargs[field] = value
        return {field}

    def _languages(self, value, kwargs, number):
        codes = []
        for part in languages.split(value):
            code = languages.code_for(part)
            if code is None:
                known, target = self._meaning(SynonymKind.LANGUAGE, part, number)
                code = target if known else None
            if code:
                codes.append(code)
        kwargs["languages"] = list(dict.fromkeys([*kwargs.get("languages", []), *codes]))

    def _message_language(self, value, kwargs, number):
        codes, unknown = languages.read(value)
        spoken = [c for c in codes if c in MESSAGE_LANGUAGES]
        if spoken and not unknown:
            kwargs["message_language"] = spoken[0]
        else:
            known, target = self._meaning(SynonymKind.MESSAGE_LANGUAGE, value, number)
            if known and target:
                kwargs["message_language"] = target
        kwargs["languages"] = list(dict.fromkeys([*codes, *kwargs.get("languages", [])]))

    def _interests(self, value, kwargs, number):
        known, other = list(kwargs.get("interests", [])), []
        for piece in _pieces(value):
            words = [piece]
            if simple(piece) not in self.interests and (SynonymKind.INTEREST, simple(piece)) \
                    not in self.synonyms:
                split = [w for w in re.split(r"\s+(?:en|et|and)\s+", piece) if w.strip()]
                if len(split) > 1 and any(simple(w) in self.interests for w in split):
                    words = split
            for word in words:
                interest = self.interests.get(simple(word))
                if interest is None:
                    found, target = self._meaning(SynonymKind.INTEREST, word, number)
                    interest = self.interests_by_key.get(target) if found else None
                if interest is not None:
                    if interest not in known:
                        known.append(interest)
                else:
                    other.append(word)
        kwargs["interests"] = known
        if other:
            kwargs["interests_other"] = ", ".join(other)[:300]

    def _referrer(self, value, kwargs, number):
        text = simple(value)
        referrer = next((r for word, r in REFERRER_WORDS if re.search(rf"\b{word}\b", text)),
                        None)
        if referrer is None:
            found, target = self._meaning(SynonymKind.REFERRER, value, number)
            referrer = target if found else Referrer.UNKNOWN
        kwargs["referrer"] = referrer
        if referrer and text not in {word for word, _r in REFERRER_WORDS}:
            kwargs["referrer_detail"] = value[:200]

    def _place(self, kwargs, cells, errors, number):
        """The postcode from the postcode and municipality columns."""
        code = re.sub(r"^[bB]\s*-\s*", "", (cells.get("postcode") or "").strip())
        name = (cells.get("municipality") or "").strip()
        if not code and not name:
            errors.setdefault("postcode", []).append(_("Fill in the postcode."))
            return
        rows = self.postcodes_by_code.get(code, []) if code else []
        if code and not rows:
            errors.setdefault("postcode", []).append(
                _("%(code)s is not a Belgian postcode.") % {"code": code})
            return
        if name:
            wanted = simple(name)
            matches = [p for p in rows if wanted in {simple(p.municipality),
                                                     simple(p.municipality_fr)}]
            matches = matches or [p for p in rows if wanted == simple(p.locality)]
            if not code:
                matches = self.postcodes_by_name.get(wanted, [])
                matches = matches if len({p.code for p in matches}) == 1 else []
            if len(matches) >= 1 and len({p.refnis for p in matches}) == 1:
                kwargs["postcode"] = matches[0]
                return
            found, target = self._meaning(SynonymKind.MUNICIPALITY,
                                          f"{code} {name}".strip() if code else name, number)
            if not found:
                kwargs["_unplaced"] = True
                return
            if target:
                kwargs["postcode"] = self.postcodes_by_id.get(int(target))
                return
        if len(rows) > 1:
            errors.setdefault("municipality", []).append(
                _("Postcode %(code)s covers several municipalities: write %(names)s.")
                % {"code": code, "names": (" " + _("or") + " ").join(p.municipality
                                                                     for p in rows)})
            return
        if rows:
            kwargs["postcode"] = rows[0]

    def _channel(self, kwargs, errors, given):
        if "contact_channel" in kwargs:
            return
        if kwargs.get("phone"):
            try:
                number = parse_phone(kwargs["phone"])
            except ValidationError:
                kwargs["contact_channel"] = ContactChannel.SMS  # the service says why
                return
            kwargs["contact_channel"] = (ContactChannel.SMS if is_mobile(number)
                                         else ContactChannel.CALL)
        elif kwargs.get("email"):
            kwargs["contact_channel"] = ContactChannel.EMAIL
        else:
            kwargs["contact_channel"] = ContactChannel.CALL
            errors.setdefault("contact_channel", []).append(
                _("No way to reach them: fill in a phone number or an e-mail address."))


def resolve_choices(organisation, report) -> dict:
    """What the resolve step offers: the catalogue, the languages, and for each unknown
    municipality the postcodes whose names come close."""
    categories = list(InterestCategory.objects.filter(organisation=organisation)
                      .prefetch_related("interests"))
    interest_choices = [
        (category.label, [(i.key, i.label) for i in category.interests.all() if i.is_active])
        for category in categories if category.interests.all()
    ] + [(_("New interest in the catalogue, in"),
          [(f"{NEW_INTEREST}{c.pk}", c.label) for c in categories])]
    wanted = [u for u in report.get("unresolved", []) if u["kind"] == SynonymKind.MUNICIPALITY]
    candidates = {}
    if wanted:
        by_name, by_code = defaultdict(list), defaultdict(list)
        for postcode in Postcode.objects.all():
            by_code[postcode.code].append(postcode)
            for name in {postcode.municipality, postcode.municipality_fr, postcode.locality}:
                if name:
                    by_name[simple(name)].append(postcode)
        for entry in wanted:
            code, _space, name = entry["value"].partition(" ")
            if not code.isdigit():
                code, name = "", entry["value"]
            names = difflib.get_close_matches(simple(name), list(by_name), n=4, cutoff=0.6)
            found = [p for n in names for p in by_name[n]] + by_code.get(code, [])
            candidates[entry["key"]] = list(dict.fromkeys(found))[:12]
    return {"interest_choices": interest_choices,
            "language_choices": languages.choices(), "candidates": candidates}


# The dry run -----------------------------------------------------------------------------


def _labels(kind):
    return {name: str(label) for name, (label, _w) in fields_for(kind).items()}


def _messages(errors: dict, labels) -> list:
    return [f"{labels.get(field, field)}: {message}" if field and field != "__all__"
            else message for field, messages in errors.items() for message in messages]


def _service_errors(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {field: list(messages) for field, messages in exc.message_dict.items()}
    return {"": list(exc.messages)}


def _intake(job, kwargs, number):
    func = (services.participant_intake if job.kind == ImportKind.PARTICIPANTS
            else services.volunteer_intake)
    return func(organisation=job.organisation, intake_key=f"import-{job.pk}-{number}",
                **{k: v for k, v in kwargs.items() if not k.startswith("_")})


def _update(job, person, kwargs, given):
    """Changes a registered person with what the row filled in (nothing else)."""
    fields = {k: v for k, v in kwargs.items() if k in given and k != "postcode"}
    if job.kind == ImportKind.PARTICIPANTS:
        fields.pop("waiting_since", None)  # their place on the list is theirs
        return services.participant_update(participant=person,
                                           postcode=kwargs.get("postcode"), **fields)
    return services.volunteer_update(volunteer=person, postcode=kwargs.get("postcode"),
                                     **fields)


def _identity(kwargs):
    try:
        phone = parse_phone(kwargs["phone"]).as_e164 if kwargs.get("phone") else ""
    except ValidationError:
        phone = ""
    name = (simple(kwargs.get("first_name")), simple(kwargs.get("last_name")),
            kwargs.get("birth_year"))
    return phone, (name if name[0] and name[1] and name[2] else None), \
        (kwargs.get("email") or "").strip().lower()


def _duplicates(job, parsed) -> list:
    """Rows that look like an earlier row or a registered person (same phone, same e-mail,
    or same name and year of birth): each one waits for the coordinator's decision."""
    keys = {number: _identity(kwargs) for number, kwargs in parsed}
    phones = {p for p, _n, _e in keys.values() if p}
    emails = {e for _p, _n, e in keys.values() if e}
    first_names = set()
    for _number, kwargs in parsed:
        name = (kwargs.get("first_name") or "").strip()
        if name:
            first_names |= {name, name.title(), name.lower(), name.upper()}
    query = Q(phone__in=phones) | Q(email__in=emails) | Q(first_name__in=first_names)
    existing = (_model(job.kind).objects.filter(query)
                .values("id", "first_name", "last_name", "birth_year", "phone", "email")
                if phones or emails or first_names else [])
    by_phone, by_name, by_email = {}, {}, {}
    for person in existing:
        if person["phone"]:
            by_phone.setdefault(str(person["phone"]), person)
        if person["email"]:
            by_email.setdefault(person["email"].lower(), person)
        by_name.setdefault((simple(person["first_name"]), simple(person["last_name"]),
                            person["birth_year"]), person)
    found, seen = [], {}
    for number, (phone, name, email) in keys.items():
        person, reasons = None, []
        for value, index, what in ((phone, by_phone, _("same phone")),
                                   (email, by_email, _("same e-mail")),
                                   (name, by_name, _("same name and year of birth"))):
            if value and value in index:
                person = person or index[value]
                reasons.append(what)
        if person is not None:
            found.append({
                "row": number, "of_row": None, "reasons": reasons,
                "person": {"id": person["id"], "name": " ".join(
                    filter(None, [person["first_name"], person["last_name"]]))},
            })
        else:
            earlier = [(seen[("p", phone)], _("same phone")) if phone and ("p", phone) in seen
                       else None,
                       (seen[("e", email)], _("same e-mail")) if email and ("e", email) in seen
                       else None,
                       (seen[("n", name)], _("same name and year of birth"))
                       if name and ("n", name) in seen else None]
            earlier = [e for e in earlier if e]
            if earlier:
                found.append({"row": number, "of_row": earlier[0][0], "person": None,
                              "reasons": [what for _row, what in earlier]})
        for key, value in (("p", phone), ("e", email), ("n", name)):
            if value:
                seen.setdefault((key, value), number)
    return found


def _skipped_by_decisions(job, duplicates) -> set:
    skipped = set()
    for duplicate in duplicates:
        decision = (job.decisions or {}).get(str(duplicate["row"]))
        if decision in ("skip", "other") or (decision == "update"
                                             and duplicate["person"] is None):
            skipped.add(duplicate["row"])
        elif decision == "this":
            skipped.add(duplicate["of_row"])
    return skipped


def _check(job) -> dict:
    """Runs every row through the intake service in a transaction that is rolled back."""
    labels = _labels(job.kind)
    parser = RowParser(job)
    chosen = parse_rows(job.only_rows)
    bad, parsed, good = [], [], set()
    with transaction.atomic():
        for number, cells in _rows(job):
            kwargs, errors, _given = parser.parse(number, cells)
            parsed.append((number, kwargs))
            # The service checks the rest of the row too, so that every reason shows at once.
            quiet = set(errors) | ({"postcode", "municipality"} if kwargs.get("_unplaced")
                                   or "postcode" in errors else set())
            if "contact_channel" in errors:
                quiet |= {"phone", "email"}
            if kwargs.get("_unplaced") or "postcode" not in kwargs:
                kwargs["postcode"] = next(iter(parser.postcodes_by_id.values()))
            try:
                with transaction.atomic():
                    _intake(job, kwargs, number)
            except ValidationError as exc:
                for field, messages in _service_errors(exc).items():
                    if field not in quiet:
                        errors.setdefault(field, []).extend(messages)
            kwargs.pop("_unplaced", None)
            if errors:
                bad.append({"row": number, "errors": _messages(errors, labels)})
            else:
                good.add(number)
        transaction.set_rollback(True)
    duplicates = _duplicates(job, parsed)
    for duplicate in duplicates:
        options = DECISIONS_IN_FILE if duplicate["person"] is None else DECISIONS_REGISTERED
        duplicate["decision"] = ((job.decisions or {}).get(str(duplicate["row"]))
                                 if (job.decisions or {}).get(str(duplicate["row"])) in options
                                 else "")
    unresolved = [
        {"kind": kind, "key": key, "value": entry["value"], "count": len(entry["rows"]),
         "rows": entry["rows"][:20]}
        for (kind, key), entry in sorted(parser.unresolved.items(),
                                         key=lambda item: (item[0][0], -len(item[1]["rows"])))
    ]
    in_scope = {number for number, _kwargs in parsed if chosen is None or number in chosen}
    skipped = _skipped_by_decisions(job, duplicates)
    bad_in_scope = [b for b in bad if b["row"] in in_scope and b["row"] not in skipped]
    to_import = len((good & in_scope) - skipped)
    return {
        "bad_rows": bad, "good_rows": len(good), "duplicates": duplicates,
        "unresolved": unresolved, "to_import": to_import,
        "blocking_bad_rows": len(bad_in_scope),
    }


def waiting_for(job) -> list:
    """What still stands between a checked import and its commit, in words."""
    report = job.report or {}
    reasons = []
    if report.get("unresolved"):
        reasons.append(_("Say what the unknown values mean."))
    if any(not d.get("decision") for d in report.get("duplicates", [])):
        reasons.append(_("Decide on each possible duplicate."))
    if report.get("blocking_bad_rows") and not job.skip_bad_rows:
        reasons.append(ngettext(
            "%(n)s row has errors: correct the file, or choose to skip it.",
            "%(n)s rows have errors: correct the file, or choose to skip them.",
            report["blocking_bad_rows"]) % {"n": report["blocking_bad_rows"]})
    if not reasons and not report.get("to_import"):
        reasons.append(_("No row is left to import."))
    return reasons


def _remember_columns(job):
    memory, _created = ImportColumnMemory.objects.get_or_create(
        organisation=job.organisation, kind=job.kind)
    chosen = {simple(header): job.mapping.get(header, "") for header in job.headers
              if simple(header)}
    memory.mapping = {**memory.mapping, **chosen}
    memory.save(update_fields=["mapping", "updated_at"])


@transaction.atomic
def import_job_check(*, job, mapping, skip_bad_rows=False, only_rows="") -> ImportJob:
    """Saves the column mapping (remembered for the organisation's next import) and runs the
    dry run: every bad row with its reason, every unknown value, every possible duplicate.
    Nobody is imported."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status in (ImportStatus.RUNNING, ImportStatus.DONE):
        raise ValidationError(_("This import has already run."))
    fields = fields_for(job.kind)
    unknown = [f for f in mapping.values() if f not in fields]
    used = list(mapping.values())
    if unknown or len(used) != len(set(used)):
        raise ValidationError(_("Each field can be chosen for one column only."))
    if not {"first_name", "full_name"} & set(used):
        raise ValidationError(_("Choose the column with the first name (or the full name)."))
    if not {"postcode", "municipality"} & set(used):
        raise ValidationError(_("Choose the column with the postcode (or the municipality)."))
    if "first_name" in used and "full_name" in used:
        raise ValidationError(_("Choose either the first name or the full name, not both."))
    parse_rows(only_rows)
    job.mapping = {h: f for h, f in mapping.items() if h in job.headers}
    job.skip_bad_rows = skip_bad_rows
    job.only_rows = (only_rows or "").strip()
    job.report = _check(job)
    job.status = ImportStatus.CHECKED
    job.save(update_fields=["mapping", "skip_bad_rows", "only_rows", "report", "status"])
    _remember_columns(job)
    return job


def _clean_target(organisation, kind, value, target) -> str:
    target = (target or "").strip()
    if not target:
        return ""
    if kind == SynonymKind.INTEREST:
        if target.startswith(NEW_INTEREST):
            category_id = target.removeprefix(NEW_INTEREST).partition(":")[0]
            if category_id.isdigit() and InterestCategory.objects.filter(
                    organisation=organisation, pk=int(category_id)).exists():
                return f"{NEW_INTEREST}{category_id}:{value.strip()[:100]}"
        elif Interest.objects.filter(organisation=organisation, key=target).exists():
            return target
        raise ValidationError(_("“%(value)s” is not an interest of your catalogue.")
                              % {"value": target})
    if kind == SynonymKind.REFERRER:
        if target in Referrer.values:
            return target
        raise ValidationError(_("“%(value)s” is not a kind of referrer.") % {"value": target})
    if kind == SynonymKind.LANGUAGE:
        code = languages.code_for(target)
        if code:
            return code
        raise ValidationError(_("“%(value)s” is not a language code such as nl, fr or ar.")
                              % {"value": target})
    if kind == SynonymKind.MESSAGE_LANGUAGE:
        if target in MESSAGE_LANGUAGES:
            return target
        raise ValidationError(_("Messages go out in Dutch, French or English."))
    match = re.fullmatch(r"(\d{4})\s*(.*)", target)
    if kind == SynonymKind.MUNICIPALITY and match:
        code, name = match.groups()
        rows = list(Postcode.objects.filter(code=code))
        if name:
            rows = [p for p in rows if simple(name) in {simple(p.municipality),
                                                         simple(p.municipality_fr),
                                                         simple(p.locality)}]
        if len(rows) == 1:
            return str(rows[0].pk)
        if len(rows) > 1:
            raise ValidationError(_("Postcode %(code)s covers several municipalities: write "
                                    "the postcode and the name.") % {"code": code})
    raise ValidationError(_("“%(value)s” is not a Belgian postcode.") % {"value": target})


@transaction.atomic
def import_job_resolve(*, job, resolutions=None, decisions=None,
                       skip_bad_rows=None) -> ImportJob:
    """Stores what the unknown values mean ({kind: {value: target}}) and the decisions on
    possible duplicates ({row: decision}), then runs the dry run again. Nobody is imported;
    the meanings become the organisation's synonyms when the import is committed."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status not in (ImportStatus.CHECKED, ImportStatus.FAILED):
        raise ValidationError(_("Check the file before resolving its values."))
    errors = []
    stored = {kind: dict(values) for kind, values in (job.resolutions or {}).items()}
    for kind, values in (resolutions or {}).items():
        if kind not in SynonymKind.values:
            errors.append(_("Unknown kind of value: %(kind)s.") % {"kind": kind})
            continue
        for value, target in values.items():
            try:
                stored.setdefault(kind, {})[simple(value)[:200]] = _clean_target(
                    job.organisation, kind, value, target)
            except ValidationError as exc:
                errors.append(f"{value}: {exc.messages[0]}")
    options = {str(d["row"]): (DECISIONS_IN_FILE if d["person"] is None
                               else DECISIONS_REGISTERED)
               for d in (job.report or {}).get("duplicates", [])}
    chosen = dict(job.decisions or {})
    for row, decision in (decisions or {}).items():
        if str(row) not in options or decision not in options[str(row)]:
            errors.append(_("Row %(row)s: choose one of the offered decisions.")
                          % {"row": row})
        else:
            chosen[str(row)] = decision
    if errors:
        raise ValidationError(errors)  # every mistake at once; nothing is stored
    job.resolutions, job.decisions = stored, chosen
    if skip_bad_rows is not None:
        job.skip_bad_rows = skip_bad_rows
    job.report = _check(job)
    job.status = ImportStatus.CHECKED
    job.save(update_fields=["resolutions", "decisions", "skip_bad_rows", "report", "status"])
    return job


@transaction.atomic
def import_job_start(*, job) -> ImportJob:
    """Marks a checked import as running and queues the task once the change is committed;
    refuses while a value is unknown, a duplicate undecided or a row bad (unless skipped).
    Starting twice queues one task."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status == ImportStatus.RUNNING:
        return job
    if job.status != ImportStatus.CHECKED:
        raise ValidationError(_("Check the file before importing it."))
    reasons = waiting_for(job)
    if reasons:
        raise ValidationError([_("Nothing is imported yet."), *reasons])
    job.status = ImportStatus.RUNNING
    job.processed_rows = 0
    job.save(update_fields=["status", "processed_rows"])
    cache.delete(progress_key(job.pk))
    transaction.on_commit(lambda: tasks.run_import.delay(job.pk))
    return job


# The commit ------------------------------------------------------------------------------


def progress_key(job_id) -> str:
    return f"matching:import-progress:{job_id}"


def progress(job) -> tuple[int, int]:
    """(rows done, percent) of an import; a running one reports through the cache."""
    if job.status == ImportStatus.RUNNING:
        done = cache.get(progress_key(job.pk)) or 0
        return done, int(100 * done / job.total_rows) if job.total_rows else 0
    return job.processed_rows, job.progress_percent


def _make_synonyms(job):
    """The resolutions become the organisation's synonyms; "new interest" ones are created."""
    resolutions = {kind: dict(values) for kind, values in (job.resolutions or {}).items()}
    for value, target in list(resolutions.get(SynonymKind.INTEREST, {}).items()):
        if target.startswith(NEW_INTEREST):
            category_id, _colon, label = target.removeprefix(NEW_INTEREST).partition(":")
            category = InterestCategory.objects.get(organisation=job.organisation,
                                                    pk=int(category_id))
            label = (label or value)[:100]
            key = re.sub(r"[^a-z0-9]+", "-", simple(label)).strip("-")[:50] or "interest"
            base, n = key, 2
            while Interest.objects.filter(organisation=job.organisation, key=key).exists():
                key, n = f"{base}-{n}", n + 1
            interest = services.interest_save(
                organisation=job.organisation, category=category, key=key, label_nl=label,
                label_fr=label, label_en=label, is_active=True)
            resolutions[SynonymKind.INTEREST][value] = interest.key
    for kind, values in resolutions.items():
        for value, target in values.items():
            ImportSynonym.objects.update_or_create(
                organisation=job.organisation, kind=kind, value=value,
                defaults={"target": target})
    job.resolutions = resolutions
    return job


def import_job_run(job_id) -> ImportJob:
    """Imports the chosen rows of a running job in one transaction: all or nothing.
    Safe to run twice: a job that is no longer running is left as it is."""
    labels = _labels(ImportJob.objects.get(pk=job_id).kind)
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if job.status != ImportStatus.RUNNING:
                return job
            job = _make_synonyms(job)
            parser = RowParser(job)
            chosen = parse_rows(job.only_rows)
            duplicates = {d["row"]: d for d in job.report.get("duplicates", [])}
            skipped = _skipped_by_decisions(job, duplicates.values())
            bad = {b["row"] for b in job.report.get("bad_rows", [])}
            people = {p.pk: p for p in _model(job.kind).objects.filter(
                pk__in=[d["person"]["id"] for d in duplicates.values() if d["person"]])}
            created = updated = done = 0
            for done, (number, cells) in enumerate(_rows(job), start=1):
                if done % PROGRESS_EVERY == 0:
                    cache.set(progress_key(job.pk), done, 3600)
                if (chosen is not None and number not in chosen) or number in skipped \
                        or number in bad:
                    continue
                kwargs, errors, given = parser.parse(number, cells)
                if errors or kwargs.pop("_unplaced", False):
                    errors = errors or {"municipality": [_("This municipality is not known.")]}
                    raise ValidationError(_("Row %(row)s: %(errors)s") % {
                        "row": number, "errors": "; ".join(_messages(errors, labels))})
                decision = job.decisions.get(str(number))
                try:
                    if decision == "update" and number in duplicates:
                        _update(job, people[duplicates[number]["person"]["id"]], kwargs, given)
                        updated += 1
                    else:
                        _intake(job, kwargs, number)
                        created += 1
                except ValidationError as exc:
                    raise ValidationError(_("Row %(row)s: %(errors)s") % {
                        "row": number,
                        "errors": "; ".join(_messages(_service_errors(exc), labels))}) from exc
            job.report = {**job.report, "updated": updated}
            job.status, job.created_count, job.processed_rows = (
                ImportStatus.DONE, created, job.total_rows)
            job.save(update_fields=["status", "created_count", "processed_rows", "report",
                                    "resolutions"])
    except ValidationError as exc:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            job.report = {**job.report, "failure": exc.messages}
            job.status, job.processed_rows = ImportStatus.FAILED, 0
            job.save(update_fields=["status", "report", "processed_rows"])
    cache.delete(progress_key(job_id))
    return job
