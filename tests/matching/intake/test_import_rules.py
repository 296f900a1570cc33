"""Each import rule, with Dutch, French and English column names; the resolve step, the
remembered mapping and synonyms, duplicates as decisions, and the messy demo file in docs/."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from matching.intake import imports, languages
from matching.intake.availability import (
    UnreadableAvailability,
    bit,
    parse_phrase,
    to_mask,
)
from matching.intake.models import (
    ContactChannel,
    ImportStatus,
    ImportSynonym,
    Interest,
    Participant,
    Referrer,
    Volunteer,
)
from organisations.scoping import organisation_scope
from tests.factories_matching import (
    InterestCategoryFactory,
    InterestFactory,
    ParticipantFactory,
)
from tests.matching.intake.test_import_export import xlsx_bytes

pytestmark = pytest.mark.django_db

DOCS_FILE = Path(__file__).resolve().parents[3] / "docs" / "import" / "wachtlijst-deelnemers.csv"

HEADERS = {
    "nl": ["Voornaam", "Naam", "GSM", "E-mail", "Postcode", "Gemeente", "Taal", "Talen",
           "Beschikbaarheid", "Interesses", "Doorverwezen door"],
    "fr": ["Prénom", "Nom", "Portable", "Courriel", "Code postal", "Commune", "Langue",
           "Langues parlées", "Disponibilités", "Centres d'intérêt", "Orienté par"],
    "en": ["First name", "Last name", "Mobile", "E-mail", "Zip", "City", "Language",
           "Languages spoken", "Availability", "Interests", "Referred by"],
}
FIELDS = ["first_name", "last_name", "phone", "email", "postcode", "municipality",
          "message_language", "languages", "availability", "interests", "referrer"]


def csv_bytes(rows, delimiter=";"):
    return ("\ufeff" + "\n".join(delimiter.join(row) for row in rows)).encode("utf-8")


def upload(organisation, rows, filename="lijst.csv", kind="participants"):
    content = xlsx_bytes(rows) if filename.endswith(".xlsx") else csv_bytes(rows)
    with organisation_scope(organisation):
        return imports.import_job_create(organisation=organisation, kind=kind,
                                         filename=filename, content=content)


def check(organisation, rows, filename="lijst.csv", kind="participants", **options):
    job = upload(organisation, rows, filename, kind)
    with organisation_scope(organisation):
        return imports.import_job_check(job=job, mapping=job.mapping, **options)


def resolve(organisation, job, resolutions=None, decisions=None):
    with organisation_scope(organisation):
        return imports.import_job_resolve(job=job, resolutions=resolutions or {},
                                          decisions=decisions or {})


def commit(organisation, job):
    with organisation_scope(organisation):
        imports.import_job_start(job=job)
        return imports.import_job_run(job.pk)


def row(**cells):
    values = {"first_name": "Samira", "last_name": "El Amrani", "phone": "0470 12 34 56",
              "email": "", "postcode": "9000", "municipality": "Gent",
              "message_language": "", "languages": "", "availability": "",
              "interests": "", "referrer": ""}
    values.update(cells)
    return [values[f] for f in FIELDS]


@pytest.fixture
def catalogue(organisation):
    together = InterestCategoryFactory(organisation=organisation, label_nl="Samen")
    return {key: InterestFactory(organisation=organisation, category=together, key=key,
                                 label_nl=label, label_fr=label_fr, label_en=label_en)
            for key, label, label_fr, label_en in [
                ("wandelen", "Wandelen", "Promenade", "Walking"),
                ("koken", "Koken", "Cuisine", "Cooking"),
                ("taal", "Taal oefenen", "Pratiquer la langue", "Practising the language"),
                ("voetbal", "Voetbal", "Football", "Football"),
                ("schaken", "Schaken", "Échecs", "Chess"),
                ("lezen", "Lezen", "Lecture", "Reading")]}


# Columns ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_columns_are_suggested_from_dutch_french_and_english_names(language):
    assert imports.suggest_mapping(HEADERS[language], "participants") == dict(
        zip(HEADERS[language], FIELDS, strict=True))


def test_a_single_name_column_is_the_full_name_when_there_is_no_first_name_column():
    assert imports.suggest_mapping(["Naam", "GSM", "Postcode"], "participants")["Naam"] \
        == "full_name"
    assert imports.suggest_mapping(["Voornaam", "Naam"], "participants")["Naam"] == "last_name"


def test_the_column_mapping_is_remembered_for_the_organisations_next_import(organisation):
    headers = ["Wie", "Nummer", "Waar", "Vrij op"]
    job = upload(organisation, [headers, ["Samira", "0470 12 34 56", "9000", "ma vm"]])
    assert job.mapping == {}  # nobody calls a column "Wie"
    mapping = {"Wie": "first_name", "Nummer": "phone", "Waar": "postcode",
               "Vrij op": "availability"}
    with organisation_scope(organisation):
        imports.import_job_check(job=job, mapping=mapping)
    again = upload(organisation, [headers + ["Extra"], ["Ali", "0470 22 33 44", "9000", "",
                                                        "x"]])
    assert again.mapping == mapping


# Languages -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "codes"), [
    ("Arabisch + NL", ["ar", "nl"]),
    ("Nederlands, Frans / Engels", ["nl", "fr", "en"]),
    ("NL en FR", ["nl", "fr"]),
    ("arabe et français", ["ar", "fr"]),
    ("Turkish and English", ["tr", "en"]),
    ("Tigrinya & Amhaars", ["ti", "am"]),
    ("nl, en", ["nl", "en"]),
    ("Frans (basis)", ["fr"]),
])
def test_spoken_languages_split_on_every_separator_with_names_in_three_languages(text, codes):
    assert languages.read(text) == (codes, [])


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_language_column_sets_the_message_language(organisation, language):
    job = check(organisation, [HEADERS[language],
                               row(message_language="FR", languages="Arabisch + NL"),
                               row(first_name="Jan", phone="0486 55 66 77",
                                   message_language="Nederlands")])
    assert job.report["bad_rows"] == [] and job.report["unresolved"] == []
    commit(organisation, job)
    samira, jan = Participant.objects.get(first_name="Samira"), Participant.objects.get(
        first_name="Jan")
    assert (samira.message_language, samira.languages) == ("fr", ["fr", "ar", "nl"])
    assert (jan.message_language, jan.languages) == ("nl", ["nl"])


def test_an_unknown_language_is_asked_once_and_remembered(organisation):
    job = check(organisation, [HEADERS["nl"], row(languages="Tigrinees, NL"),
                               row(first_name="Ali", phone="0486 55 66 77",
                                   languages="Tigrinees")])
    assert [(u["kind"], u["value"], u["count"]) for u in job.report["unresolved"]] == [
        ("language", "Tigrinees", 2)]
    job = resolve(organisation, job, {"language": {"Tigrinees": "ti"}})
    commit(organisation, job)
    assert Participant.objects.get(first_name="Samira").languages == ["ti", "nl"]
    assert ImportSynonym.objects.get(kind="language").target == "ti"
    next_time = check(organisation, [HEADERS["nl"], row(first_name="Yonas", phone="0475 11 22 33",
                                                        languages="tigrinees")])
    assert next_time.report["unresolved"] == []


# Availability ----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "slots"), [
    ("do vm, 's avonds, za vm", [(3, 0), (5, 0)] + [(d, 2) for d in range(7)]),
    ("ma nm, wo vm", [(0, 1), (2, 0)]),
    ("weekend", [(d, p) for d in (5, 6) for p in range(3)]),
    ("elke dag", [(d, p) for d in range(7) for p in range(3)]),
    ("elke dag vm", [(d, 0) for d in range(7)]),
    ("za en zo vm", [(5, 0), (6, 0)]),
    ("ma-vr av", [(d, 2) for d in range(5)]),
    ("ma t/m vr nm", [(d, 1) for d in range(5)]),
    ("lundi matin, mercredi après-midi", [(0, 0), (2, 1)]),
    ("tous les jours le soir", [(d, 2) for d in range(7)]),
    ("week-end", [(d, p) for d in (5, 6) for p in range(3)]),
    ("Mon-Fri evenings", [(d, 2) for d in range(5)]),
    ("Saturday morning and Sunday afternoon", [(5, 0), (6, 1)]),
    ("di 9u-12u", [(1, 0)]),
    ("nvt", []),
])
def test_availability_phrases_in_dutch_french_and_english(text, slots):
    assert parse_phrase(text) == to_mask(slots)


@pytest.mark.parametrize(("text", "part"), [
    ("do vm, zaterdg", "zaterdg"), ("lundi matin, mardy", "mardy"), ("mon, someday", "someday"),
])
def test_an_unreadable_availability_names_the_part_it_could_not_read(text, part):
    with pytest.raises(UnreadableAvailability) as caught:
        parse_phrase(text)
    assert caught.value.part == part


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_availability_is_imported_and_a_bad_one_is_a_row_error_naming_the_part(
        organisation, language):
    job = check(organisation, [HEADERS[language], row(availability="do vm, 's avonds"),
                               row(first_name="Tom", phone="0486 55 66 77",
                                   availability="zaterdg vm")])
    assert job.report["bad_rows"] == [{"row": 3, "errors": [
        "Availability: “zaterdg” is not a day or a part of the day (write e.g. “ma vm, do "
        "avond, weekend” or “lundi matin”)."]}]
    commit(organisation, resolve(organisation, check(
        organisation, [HEADERS[language], row(availability="do vm, 's avonds")])))
    assert Participant.objects.get().availability & bit(3, 0)


# Interests, referrers, municipalities: the resolve step ---------------------------------


def test_unknown_values_are_listed_once_with_their_count_and_nothing_lands(organisation,
                                                                          catalogue):
    job = check(organisation, [
        HEADERS["nl"],
        row(interests="Wandelen, Nederlands oefenen", referrer="Huisarts"),
        row(first_name="Ali", phone="0486 55 66 77", interests="nederlands oefenen, Breien"),
        row(first_name="Olena", phone="0475 11 22 33", municipality="Gentbrugge"),
    ])
    unresolved = {(u["kind"], u["value"]): u["count"] for u in job.report["unresolved"]}
    assert unresolved == {("interest", "Nederlands oefenen"): 2, ("interest", "Breien"): 1,
                          ("referrer", "Huisarts"): 1, ("municipality", "9000 Gentbrugge"): 1}
    assert job.report["bad_rows"] == []
    assert "Say what the unknown values mean." in imports.waiting_for(job)
    with pytest.raises(ValidationError), organisation_scope(organisation):
        imports.import_job_start(job=job)
    assert Participant.objects.count() == 0 and ImportSynonym.objects.count() == 0


def test_resolved_values_become_synonyms_and_new_items_when_committed(organisation,
                                                                      catalogue):
    category = catalogue["koken"].category
    rows = [HEADERS["nl"],
            row(interests="Wandelen, Nederlands oefenen", referrer="Huisarts"),
            row(first_name="Ali", phone="0486 55 66 77", interests="Breien, Tekenen"),
            row(first_name="Olena", phone="0475 11 22 33", municipality="Gentbrugge")]
    job = check(organisation, rows)
    job = resolve(organisation, job, {
        "interest": {"Nederlands oefenen": "taal", "Breien": f"new:{category.pk}",
                     "Tekenen": ""},
        "referrer": {"Huisarts": "other"},
        "municipality": {"9000 Gentbrugge": "9050"},
    })
    assert job.report["unresolved"] == [] and imports.waiting_for(job) == []
    assert ImportSynonym.objects.count() == 0  # nothing lands before the commit
    job = commit(organisation, job)
    assert job.status == ImportStatus.DONE and job.created_count == 3
    samira = Participant.objects.get(first_name="Samira")
    assert set(samira.interests.values_list("key", flat=True)) == {"wandelen", "taal"}
    assert (samira.referrer, samira.referrer_detail) == (Referrer.OTHER, "Huisarts")
    ali = Participant.objects.get(first_name="Ali")
    assert [i.label_nl for i in ali.interests.all()] == ["Breien"]
    assert ali.interests_other == "Tekenen"
    assert Interest.objects.get(label_nl="Breien").category == category
    assert Participant.objects.get(first_name="Olena").postcode.code == "9050"
    # Next time the organisation's synonyms answer by themselves.
    again = check(organisation, [HEADERS["nl"], row(first_name="Nour", phone="0472 33 44 55",
                                                    interests="Nederlands oefenen, breien",
                                                    referrer="huisarts")])
    assert again.report["unresolved"] == []


def test_a_wrong_resolution_is_refused_with_every_reason_at_once(organisation, catalogue):
    job = check(organisation, [HEADERS["nl"], row(interests="Breien", referrer="Huisarts",
                                                  languages="Tigrinees")])
    with pytest.raises(ValidationError) as caught, organisation_scope(organisation):
        imports.import_job_resolve(job=job, resolutions={
            "interest": {"Breien": "no-such-key"}, "referrer": {"Huisarts": "doctor"},
            "language": {"Tigrinees": "xx-klingon"}})
    assert len(caught.value.messages) == 3
    job.refresh_from_db()
    assert job.resolutions == {}


def test_referrer_column_empty_is_not_recorded_and_ocmw_gent_is_the_ocmw(organisation):
    job = check(organisation, [HEADERS["nl"], row(referrer="OCMW Gent"),
                               row(first_name="Jan", phone="0486 55 66 77", referrer=""),
                               row(first_name="Els", phone="0475 11 22 33", referrer="CPAS")])
    commit(organisation, job)
    people = {p.first_name: (p.referrer, p.referrer_detail) for p in Participant.objects.all()}
    assert people == {"Samira": ("ocmw", "OCMW Gent"), "Jan": ("", ""), "Els": ("ocmw", "")}


# Channels ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_no_mobile_with_an_email_is_imported_with_email_as_the_channel(organisation,
                                                                        language):
    job = check(organisation, [HEADERS[language],
                               row(phone="geen gsm", email="aicha@example.org"),
                               row(first_name="Tom", phone="", email="")])
    assert job.report["bad_rows"] == [{"row": 3, "errors": [
        "How to reach them: No way to reach them: fill in a phone number or an e-mail "
        "address."]}]
    commit(organisation, check(organisation, [HEADERS[language],
                                              row(phone="geen gsm", email="aicha@example.org")]))
    person = Participant.objects.get()
    assert (person.contact_channel, str(person.phone)) == (ContactChannel.EMAIL, "")


# Duplicates --------------------------------------------------------------------------------


def test_the_same_person_twice_in_the_file_blocks_the_commit_even_when_skipping_bad_rows(
        organisation):
    job = check(organisation, [HEADERS["nl"], row(), row(phone="0470/12.34.56")],
                skip_bad_rows=True)
    assert job.report["duplicates"][0]["of_row"] == 2
    with pytest.raises(ValidationError, match="Decide"), organisation_scope(organisation):
        imports.import_job_start(job=job)
    commit(organisation, resolve(organisation, job, decisions={"3": "this"}))
    assert Participant.objects.get().intake_key.endswith("-3")


def test_a_registered_person_is_updated_when_the_coordinator_says_so(organisation):
    marc = ParticipantFactory(organisation=organisation, first_name="Marc",
                              last_name="Peeters", birth_year=1961, phone="+32471223344",
                              message_language="nl", languages=["nl"])
    job = check(organisation, [HEADERS["nl"], row(first_name="Marc", last_name="Peeters",
                                                  phone="+32 471 22 33 44",
                                                  message_language="FR",
                                                  availability="weekend")])
    duplicate = job.report["duplicates"][0]
    assert (duplicate["person"]["id"], duplicate["reasons"]) == (marc.pk, ["same phone"])
    job = commit(organisation, resolve(organisation, job, decisions={"2": "update"}))
    marc.refresh_from_db()
    assert (job.created_count, job.report["updated"]) == (0, 1)
    assert marc.message_language == "fr" and marc.availability == parse_phrase("weekend")
    assert Participant.objects.count() == 1


# Rows, progress, all or nothing -----------------------------------------------------------


def test_only_the_chosen_rows_land_and_the_progress_ends_at_100(organisation):
    rows = [HEADERS["nl"]] + [row(first_name=f"Naam{i}", phone=f"0470 00 00 {i:02d}")
                              for i in range(10)]
    job = check(organisation, rows, only_rows="2-4, 9")
    assert job.report["to_import"] == 4
    job = commit(organisation, job)
    assert (job.created_count, job.progress_percent, job.processed_rows) == (4, 100, 10)
    assert imports.progress(job) == (10, 100)
    with pytest.raises(ValidationError, match="is not a row number"):
        imports.parse_rows("2-x")


def test_a_bad_row_never_stops_the_other_rows_from_being_checked(organisation):
    job = check(organisation, [HEADERS["nl"], row(postcode="9999"),
                               row(first_name="Jan", phone="0470 12", availability="zaterdg"),
                               row(first_name="Els", phone="0475 11 22 33")])
    assert {b["row"] for b in job.report["bad_rows"]} == {2, 3}
    assert len(job.report["bad_rows"][1]["errors"]) == 2  # both reasons of row 3
    assert job.report["good_rows"] == 1


# The messy files ----------------------------------------------------------------------------


def test_the_messy_demo_file_in_docs_imports_after_resolving(organisation, catalogue):
    ParticipantFactory(organisation=organisation, first_name="Marc", last_name="Peeters",
                       birth_year=1961, phone="+32499000000")
    with organisation_scope(organisation):
        job = imports.import_job_create(organisation=organisation, kind="participants",
                                        filename=DOCS_FILE.name, content=DOCS_FILE.read_bytes())
        job = imports.import_job_check(job=job, mapping=job.mapping, skip_bad_rows=True)
    report = job.report
    assert {u["value"] for u in report["unresolved"]} == {
        "Nederlands oefenen", "Breien", "Tekenen", "Huisarts", "Vluchtelingenwerk",
        "Tigrinees", "9000 Gentbrugge"}
    assert [b["row"] for b in report["bad_rows"]] == [9]  # Tom: no channel, "zaterdg"
    assert {(d["row"], d["of_row"]) for d in report["duplicates"]} == {(6, 2), (3, None)}
    job = resolve(organisation, job, {
        "interest": {"Nederlands oefenen": "taal", "Breien": "", "Tekenen": ""},
        "referrer": {"Huisarts": "other", "Vluchtelingenwerk": "other"},
        "language": {"Tigrinees": "ti"}, "municipality": {"9000 Gentbrugge": "9050 Gent"},
    }, {"6": "other", "3": "both"})
    job = commit(organisation, job)
    assert job.created_count == 7
    aicha = Participant.objects.get(first_name="Aïcha")
    assert (aicha.contact_channel, aicha.message_language) == ("email", "fr")
    samira = Participant.objects.get(first_name="Samira")
    assert samira.languages == ["fr", "ar", "nl"] and samira.availability & bit(3, 0)
    assert Participant.objects.get(first_name="Jan").referrer == ""


def test_volunteers_from_a_messy_xlsx_with_dutch_headers(organisation, catalogue):
    rows = [["Voornaam", "Achternaam", "GSM", "Mail", "Postcode", "Woonplaats", "Talen",
             "Wanneer vrij", "Hobby's", "Aantal duo's", "Geslacht"],
            ["Lotte", "Janssens", "0486 11 22 33", None, 9050, "Gentbrugge", "NL/EN",
             "di & do avond", "Koken, Lezen", 2, "V"],
            ["Pieter", "De Smet", "geen", "pieter@example.org", "9000", "gent", "Nederlands",
             "za vm", "Voetbal", "1", "m"],
            ["Hanne", "Wuyts", "+32 475 99 88 77", "", 9040, "", "nl + fr", "ma-vr nm",
             "Wandelen", "", "x"]]
    job = check(organisation, rows, "vrijwilligers.xlsx", kind="volunteers")
    assert job.report["bad_rows"] == [] and job.report["unresolved"] == []
    job = commit(organisation, job)
    assert job.created_count == 3
    lotte = Volunteer.objects.get(first_name="Lotte")
    assert (lotte.capacity, lotte.languages, lotte.gender) == (2, ["nl", "en"], "female")
    assert lotte.availability == to_mask([(1, 2), (3, 2)])
    assert Volunteer.objects.get(first_name="Pieter").contact_channel == "email"


def test_the_import_page_walks_through_check_resolve_and_commit(coordinator_client,
                                                                organisation, catalogue,
                                                                django_capture_on_commit_callbacks):
    content = csv_bytes([HEADERS["nl"], row(interests="Nederlands oefenen"),
                         row(first_name="Ali", phone="0470/12.34.56")])
    response = coordinator_client.post("/imports/", {
        "kind": "participants", "file": SimpleUploadedFile("lijst.csv", content)})
    url = response["Location"]
    mapping = {f"col_{i}": field for i, field in enumerate(FIELDS)}
    coordinator_client.post(url, {**mapping, "check": "1"})
    page = coordinator_client.get(url).content.decode()
    assert "Nederlands oefenen" in page and "Row 3 looks like row 2" in page
    assert 'name="commit"' not in page
    response = coordinator_client.post(url, {"resolve": "1", "value_0": "taal",
                                             "row_3": "both"})
    page = coordinator_client.get(url).content.decode()
    assert 'name="commit"' in page and "Import 2 rows" in page
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url, {"commit": "1"})
    assert Participant.objects.count() == 2
    assert "2 people were imported." in coordinator_client.get(url).content.decode()
