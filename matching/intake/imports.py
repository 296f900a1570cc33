"""Import of participants and volunteers from the spreadsheets projects keep today.

upload (headers read, mapping suggested) → check (a dry run through the real intake
services inside a transaction that is rolled back: every bad row with its reason, possible
duplicates flagged) → commit (a Celery task, in chunks so the page can show progress).

All or nothing: a file with a bad row imports nothing unless the coordinator chose to skip
bad rows; should a row fail during the commit all the same, the rows this import created
are removed again. Each row's intake key (`import-<job>-<row>`) makes a retried task add
nothing twice.
"""

import csv
import datetime
import io
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from . import services, tasks
from .models import (
    ContactChannel,
    Gender,
    ImportJob,
    ImportKind,
    ImportStatus,
    Interest,
    Participant,
    Referrer,
    Volunteer,
)
from .phones import is_mobile, parse_phone

MAX_ROWS = 10_000
CHUNK = 100

# field: (label, header spellings people use, in Dutch and English)
COMMON_FIELDS = {
    "first_name": (gettext_lazy("First name"), ["voornaam", "first name", "firstname",
                                                "given name", "prenom"]),
    "last_name": (gettext_lazy("Last name"), ["achternaam", "familienaam", "naam",
                                              "last name", "lastname", "surname", "nom"]),
    "preferred_name": (gettext_lazy("Preferred name"), ["roepnaam", "preferred name",
                                                        "nickname"]),
    "birth_year": (gettext_lazy("Year of birth"), ["geboortejaar", "geboortedatum",
                                                    "birth year", "year of birth",
                                                    "date of birth", "birthdate"]),
    "gender": (gettext_lazy("Gender"), ["geslacht", "gender", "sex", "gender identity"]),
    "phone": (gettext_lazy("Phone"), ["gsm", "gsm nummer", "gsmnummer", "telefoon",
                                      "telefoonnummer", "tel", "mobiel", "phone", "mobile",
                                      "phone number", "cell"]),
    "email": (gettext_lazy("E-mail"), ["e-mail", "email", "mail", "e mail", "emailadres",
                                       "e-mailadres"]),
    "postcode": (gettext_lazy("Postcode"), ["postcode", "post code", "postal code", "zip",
                                            "zipcode", "code postal"]),
    "municipality": (gettext_lazy("Municipality"), ["gemeente", "woonplaats", "stad",
                                                    "plaats", "municipality", "city", "town",
                                                    "commune"]),
    "languages": (gettext_lazy("Languages"), ["talen", "taal", "languages", "language",
                                              "gesproken talen", "langues"]),
    "message_language": (gettext_lazy("Language for messages"), ["taal berichten",
                                                                 "message language"]),
    "interests": (gettext_lazy("Interests"), ["interesses", "interesse", "hobby's", "hobbys",
                                              "hobby", "interests", "interest", "hobbies"]),
}
PARTICIPANT_FIELDS = {
    **COMMON_FIELDS,
    "waiting_since": (gettext_lazy("Waiting since"), [
        "wachtlijst sinds", "op wachtlijst sinds", "ingeschreven op", "datum inschrijving",
        "inschrijving", "aanmelding", "datum aanmelding", "waiting since", "registered",
        "registration date", "date"]),
    "referrer": (gettext_lazy("Referred by"), ["doorverwijzer", "verwezen door", "verwijzer",
                                               "referrer", "referred by"]),
    "intake_note": (gettext_lazy("Intake note"), ["notitie", "notities", "opmerking",
                                                  "opmerkingen", "note", "notes", "remarks"]),
}
VOLUNTEER_FIELDS = {
    **COMMON_FIELDS,
    "motivation": (gettext_lazy("Motivation"), ["motivatie", "motivation"]),
    "capacity": (gettext_lazy("Duos at the same time"), ["aantal duo's", "aantal duos",
                                                         "capaciteit", "capacity"]),
}
LANGUAGE_NAMES = {
    "nederlands": "nl", "vlaams": "nl", "dutch": "nl", "frans": "fr", "french": "fr",
    "francais": "fr", "engels": "en", "english": "en", "arabisch": "ar", "arabic": "ar",
    "turks": "tr", "turkish": "tr", "duits": "de", "german": "de", "spaans": "es",
    "spanish": "es", "italiaans": "it", "pools": "pl", "polish": "pl", "russisch": "ru",
    "russian": "ru", "oekraiens": "uk", "ukrainian": "uk", "farsi": "fa", "perzisch": "fa",
    "dari": "prs", "pashto": "ps", "somalisch": "so", "somali": "so", "tigrinya": "ti",
    "berbers": "ber", "tamazight": "ber", "lingala": "ln", "swahili": "sw", "portugees": "pt",
    "roemeens": "ro", "bulgaars": "bg", "albanees": "sq", "koerdisch": "ku",
}
GENDERS = {
    "v": Gender.FEMALE, "vrouw": Gender.FEMALE, "f": Gender.FEMALE, "female": Gender.FEMALE,
    "woman": Gender.FEMALE, "m": Gender.MALE, "man": Gender.MALE, "male": Gender.MALE,
    "x": Gender.NON_BINARY, "non-binair": Gender.NON_BINARY, "non-binary": Gender.NON_BINARY,
}
REFERRERS = {"ocmw": Referrer.OCMW, "cpas": Referrer.OCMW, "caw": Referrer.CAW,
             "zelf": Referrer.SELF, "self": Referrer.SELF, "eigen initiatief": Referrer.SELF}


def fields_for(kind):
    return PARTICIPANT_FIELDS if kind == ImportKind.PARTICIPANTS else VOLUNTEER_FIELDS


def field_choices(kind):
    return [(name, label) for name, (label, _spellings) in fields_for(kind).items()]


def _simple(text) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[_\-./:]+", " ", text.lower()).split())


def suggest_mapping(headers, kind) -> dict:
    """{header: field} for the headers whose spelling is known; each field used once."""
    spellings = {}
    for name, (_label, words) in fields_for(kind).items():
        for word in words:
            spellings.setdefault(_simple(word), name)
    mapping, used = {}, set()
    for header in headers:
        name = spellings.get(_simple(header))
        if name and name not in used:
            mapping[header] = name
            used.add(name)
    return mapping


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
    """(headers, rows) of the first sheet of an XLSX file or of a CSV file (; or ,)."""
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
    headers, body = rows[0], rows[1:]
    if len(body) > MAX_ROWS:
        raise ValidationError(_("The file has more than %(n)s rows.") % {"n": MAX_ROWS})
    width = len(headers)
    return headers, [(row + [""] * width)[:width] for row in body]


@transaction.atomic
def import_job_create(*, organisation, kind, filename, content, created_by=None) -> ImportJob:
    """Stores an uploaded file as an import job, with its columns and a suggested mapping."""
    headers, rows = read_table(filename, content)
    return ImportJob.objects.create(
        organisation=organisation, kind=kind, filename=filename[:200], content=content,
        headers=headers, mapping=suggest_mapping(headers, kind), total_rows=len(rows),
        created_by=created_by,
    )


def _parse_date(text):
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("“%(value)s” is not a date (write 31/12/2024).") % {"value": text})


def _split(text):
    return [part.strip() for part in re.split(r"[,;/|]+", text) if part.strip()]


class RowParser:
    """Turns a row of text cells into the keyword arguments of an intake service."""

    def __init__(self, job):
        self.job = job
        self.interests = {}
        for interest in Interest.objects.filter(organisation=job.organisation):
            for text in (interest.key, interest.label_nl, interest.label_fr, interest.label_en):
                self.interests[_simple(text)] = interest

    def parse(self, cells: dict) -> tuple[dict, dict]:
        kwargs, errors = {}, {}
        for field, value in cells.items():
            if not value:
                continue
            try:
                self._parse_one(field, value, kwargs)
            except ValidationError as exc:
                errors.setdefault(field, []).extend(exc.messages)
        if kwargs.get("phone"):
            try:
                number = parse_phone(kwargs["phone"])
                kwargs["contact_channel"] = (ContactChannel.SMS if is_mobile(number)
                                             else ContactChannel.CALL)
            except ValidationError:
                kwargs["contact_channel"] = ContactChannel.SMS  # the service says why
        elif kwargs.get("email"):
            kwargs["contact_channel"] = ContactChannel.EMAIL
        else:
            kwargs["contact_channel"] = ContactChannel.CALL
        kwargs.setdefault("postcode", "")
        kwargs.setdefault("message_language", self.job.organisation.default_language)
        return kwargs, errors

    def _parse_one(self, field, value, kwargs):
        if field == "birth_year":
            if value.isdigit() and len(value) == 4:
                kwargs["birth_year"] = int(value)
            else:
                kwargs["birth_year"] = _parse_date(value).year
        elif field == "gender":
            gender = GENDERS.get(_simple(value))
            if gender:
                kwargs["gender"] = gender
            else:
                kwargs["gender"] = Gender.SELF_DESCRIBED
                kwargs["gender_description"] = value[:100]
        elif field == "languages":
            kwargs["languages"] = [LANGUAGE_NAMES.get(_simple(v), _simple(v))
                                   for v in _split(value)]
        elif field == "message_language":
            kwargs["message_language"] = LANGUAGE_NAMES.get(_simple(value), _simple(value))
        elif field == "interests":
            known, other = [], []
            for name in _split(value):
                interest = self.interests.get(_simple(name))
                (known if interest else other).append(interest or name)
            kwargs["interests"] = known
            if other:
                kwargs["interests_other"] = ", ".join(other)[:300]
        elif field == "waiting_since":
            kwargs["waiting_since"] = _parse_date(value)
        elif field == "referrer":
            referrer = REFERRERS.get(_simple(value))
            kwargs["referrer"] = referrer or Referrer.OTHER
            if not referrer:
                kwargs["referrer_detail"] = value[:200]
        elif field == "capacity":
            if not value.isdigit():
                raise ValidationError(_("“%(value)s” is not a number.") % {"value": value})
            kwargs["capacity"] = int(value)
        else:
            kwargs[field] = value


def _rows(job):
    headers, rows = read_table(job.filename, bytes(job.content))
    columns = {index: job.mapping[h] for index, h in enumerate(headers) if h in job.mapping}
    for number, row in enumerate(rows, start=2):  # row 1 holds the headers
        yield number, {field: row[index] for index, field in columns.items()}


def _intake(job, kwargs, number):
    func = (services.participant_intake if job.kind == ImportKind.PARTICIPANTS
            else services.volunteer_intake)
    return func(organisation=job.organisation, intake_key=f"import-{job.pk}-{number}", **kwargs)


def _messages(exc: ValidationError, labels) -> list:
    if hasattr(exc, "error_dict"):
        return [f"{labels.get(field, field)}: {message}"
                for field, errors in exc.message_dict.items() for message in errors]
    return list(exc.messages)


def _duplicates(job, parsed) -> list:
    """Possible duplicates (same phone, or same name and birth year), in the file or in the
    database; flagged, never merged."""
    model = Participant if job.kind == ImportKind.PARTICIPANTS else Volunteer
    keys = {}
    for number, kwargs in parsed:
        try:
            phone = parse_phone(kwargs["phone"]).as_e164 if kwargs.get("phone") else ""
        except ValidationError:
            phone = ""
        name = (_simple(kwargs.get("first_name")), _simple(kwargs.get("last_name")),
                kwargs.get("birth_year"))
        keys[number] = (phone, name if name[0] and name[2] else None)
    phones = {p for p, _n in keys.values() if p}
    first_names = {n[0] for _p, n in keys.values() if n}
    existing = model.objects.filter(
        Q(phone__in=phones) | Q(first_name__in=[f.title() for f in first_names])
        | Q(first_name__in=first_names)
    ).values("id", "first_name", "last_name", "birth_year", "phone")
    by_phone, by_name = {}, {}
    for person in existing:
        if person["phone"]:
            by_phone.setdefault(str(person["phone"]), person)
        by_name.setdefault((_simple(person["first_name"]), _simple(person["last_name"]),
                            person["birth_year"]), person)
    found, seen_phone, seen_name = [], {}, {}
    for number, (phone, name) in keys.items():
        reasons = []
        if phone and phone in seen_phone:
            reasons.append(_("same phone as row %(row)s") % {"row": seen_phone[phone]})
        if name and name in seen_name:
            reasons.append(_("same name and year of birth as row %(row)s")
                           % {"row": seen_name[name]})
        if phone and phone in by_phone:
            reasons.append(_("same phone as %(name)s, already registered")
                           % {"name": by_phone[phone]["first_name"]})
        elif name and name in by_name:
            reasons.append(_("same name and year of birth as %(name)s, already registered")
                           % {"name": by_name[name]["first_name"]})
        if phone:
            seen_phone.setdefault(phone, number)
        if name:
            seen_name.setdefault(name, number)
        if reasons:
            found.append({"row": number, "reasons": reasons})
    return found


def _check(job) -> dict:
    """Runs every row through the intake service in a transaction that is rolled back."""
    labels = {name: str(label) for name, (label, _w) in fields_for(job.kind).items()}
    parser = RowParser(job)
    bad, parsed, good = [], [], 0
    with transaction.atomic():
        for number, cells in _rows(job):
            kwargs, errors = parser.parse(cells)
            parsed.append((number, kwargs))
            messages = [f"{labels.get(f, f)}: {m}" for f, ms in errors.items() for m in ms]
            if not messages:
                try:
                    with transaction.atomic():
                        _intake(job, kwargs, number)
                except ValidationError as exc:
                    messages = _messages(exc, labels)
            if messages:
                bad.append({"row": number, "errors": messages})
            else:
                good += 1
        transaction.set_rollback(True)
    return {"bad_rows": bad, "good_rows": good, "duplicates": _duplicates(job, parsed)}


@transaction.atomic
def import_job_check(*, job, mapping, skip_bad_rows=False) -> ImportJob:
    """Saves the column mapping and runs the dry run: the report lists every bad row with
    its reason and every possible duplicate. Nothing is imported."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status in (ImportStatus.RUNNING, ImportStatus.DONE):
        raise ValidationError(_("This import has already run."))
    fields = fields_for(job.kind)
    unknown = [f for f in mapping.values() if f not in fields]
    used = list(mapping.values())
    if unknown or len(used) != len(set(used)):
        raise ValidationError(_("Each field can be chosen for one column only."))
    if "first_name" not in used or "postcode" not in used:
        raise ValidationError(_("Choose the columns with the first name and the postcode."))
    job.mapping = mapping
    job.skip_bad_rows = skip_bad_rows
    job.report = _check(job)
    job.status = ImportStatus.CHECKED
    job.save(update_fields=["mapping", "skip_bad_rows", "report", "status"])
    return job


@transaction.atomic
def import_job_start(*, job) -> ImportJob:
    """Marks a checked import as running and queues the task once the change is committed;
    refuses a file with bad rows unless the coordinator chose to skip them. Starting twice
    queues one task."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status == ImportStatus.RUNNING:
        return job
    if job.status != ImportStatus.CHECKED:
        raise ValidationError(_("Check the file before importing it."))
    if job.report.get("bad_rows") and not job.skip_bad_rows:
        raise ValidationError(_("Nothing is imported: %(n)s rows have errors. Correct the file, "
                                "or choose to skip the bad rows.")
                              % {"n": len(job.report["bad_rows"])})
    job.status = ImportStatus.RUNNING
    job.processed_rows = 0
    job.save(update_fields=["status", "processed_rows"])
    transaction.on_commit(lambda: tasks.run_import.delay(job.pk))
    return job


def _model(job):
    return Participant if job.kind == ImportKind.PARTICIPANTS else Volunteer


def import_job_run(job_id) -> ImportJob:
    """Imports the rows of a running job in chunks, updating its progress; all or nothing.
    Safe to run twice: rows already imported are found by their intake key."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportStatus.RUNNING:
        return job
    skip = {entry["row"] for entry in job.report.get("bad_rows", [])}
    rows = [(n, cells) for n, cells in _rows(job) if n not in skip]
    parser = RowParser(job)
    labels = {name: str(label) for name, (label, _w) in fields_for(job.kind).items()}
    prefix = f"import-{job.pk}-"
    try:
        for start in range(0, len(rows), CHUNK):
            with transaction.atomic():
                for number, cells in rows[start:start + CHUNK]:
                    kwargs, errors = parser.parse(cells)
                    if errors:
                        raise ValidationError(errors)
                    try:
                        _intake(job, kwargs, number)
                    except ValidationError as exc:
                        raise ValidationError(
                            _("Row %(row)s: %(errors)s")
                            % {"row": number, "errors": "; ".join(_messages(exc, labels))}
                        ) from exc
                ImportJob.objects.filter(pk=job.pk).update(
                    processed_rows=min(start + CHUNK, len(rows)))
    except ValidationError as exc:
        with transaction.atomic():
            _model(job).objects.filter(organisation=job.organisation,
                                       intake_key__startswith=prefix).delete()
            report = {**job.report, "failure": exc.messages}
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.FAILED, report=report, processed_rows=0)
        return ImportJob.objects.get(pk=job.pk)
    created = _model(job).objects.filter(organisation=job.organisation,
                                         intake_key__startswith=prefix).count()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE, created_count=created, processed_rows=len(rows),
    )
    return ImportJob.objects.get(pk=job.pk)
