"""Import from CSV/XLSX (mapping, dry run, all or nothing, duplicates) and export."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from openpyxl import Workbook, load_workbook

from matching.intake import imports
from matching.intake.models import ImportJob, ImportStatus, Participant, Postcode, Volunteer
from organisations.scoping import organisation_scope
from tests.celery_worker import wait_until
from tests.factories import OrganisationFactory
from tests.factories_matching import (
    InterestFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db

GOOD = [
    ["Voornaam", "Achternaam", "GSM", "Postcode", "Gemeente", "Geboortejaar", "Talen",
     "Interesses"],
    ["Fatima", "El Idrissi", "0470 12 34 56", "9000", "Gent", "1979", "Nederlands, Arabisch",
     "Wandelen"],
    ["Marc", "Peeters", "+32 471 22 33 44", "9030", "Mariakerke", "1961", "nl", ""],
]


@pytest.fixture(autouse=True)
def walking(organisation):
    """The interest the good file names, so that only the tests about unknown values meet
    the resolve step."""
    return InterestFactory(organisation=organisation, label_nl="Wandelen")


def csv_bytes(rows):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def check(organisation, rows, filename="lijst.csv", skip=False, kind="participants"):
    content = xlsx_bytes(rows) if filename.endswith(".xlsx") else csv_bytes(rows)
    with organisation_scope(organisation):
        job = imports.import_job_create(organisation=organisation, kind=kind,
                                        filename=filename, content=content)
        return imports.import_job_check(job=job, mapping=job.mapping, skip_bad_rows=skip)


def run(organisation, job):
    with organisation_scope(organisation):
        imports.import_job_start(job=job)
        return imports.import_job_run(job.pk)


def test_dutch_and_english_headers_are_mapped_automatically():
    assert imports.suggest_mapping(["Voornaam", "GSM", "Postcode", "Gemeente"], "participants") \
        == {"Voornaam": "first_name", "GSM": "phone", "Postcode": "postcode",
            "Gemeente": "municipality"}
    assert imports.suggest_mapping(["First name", "Phone", "Zip", "City", "Hobbies"],
                                   "volunteers") == {
        "First name": "first_name", "Phone": "phone", "Zip": "postcode",
        "City": "municipality", "Hobbies": "interests"}


@pytest.mark.parametrize("filename", ["lijst.csv", "lijst.xlsx"])
def test_a_good_file_is_checked_then_imported(organisation, filename, walking):
    job = check(organisation, GOOD, filename)
    assert job.report["bad_rows"] == [] and job.report["good_rows"] == 2
    assert Participant.objects.count() == 0  # the dry run saved nothing
    job = run(organisation, job)
    assert job.status == ImportStatus.DONE and job.created_count == 2
    fatima = Participant.objects.get(first_name="Fatima")
    assert fatima.phone.as_e164 == "+32470123456"
    assert fatima.languages == ["nl", "ar"]
    assert list(fatima.interests.all()) == [walking]


def test_one_bad_row_imports_nothing_and_every_bad_row_has_its_reason(organisation):
    rows = [*GOOD, ["Ayse", "Yilmaz", "0470 12", "9050", "", "1985", "tr", ""],
            ["Dirk", "Maes", "0471 99 88 77", "9999", "", "1967", "nl", ""]]
    job = check(organisation, rows)
    reasons = {bad["row"]: " ".join(bad["errors"]) for bad in job.report["bad_rows"]}
    assert set(reasons) == {4, 5}
    assert "not a possible phone number" in reasons[4]
    assert "9999 is not a Belgian postcode" in reasons[5]
    with pytest.raises(ValidationError), organisation_scope(organisation):
        imports.import_job_start(job=job)
    assert Participant.objects.count() == 0


def test_bad_rows_can_be_skipped_on_purpose(organisation):
    rows = [*GOOD, ["Ayse", "Yilmaz", "0470 12", "9050", "", "1985", "tr", ""]]
    job = run(organisation, check(organisation, rows, skip=True))
    assert job.created_count == 2
    assert set(Participant.objects.values_list("first_name", flat=True)) == {"Fatima", "Marc"}


def test_running_the_import_twice_adds_nobody_twice(organisation):
    job = run(organisation, check(organisation, GOOD))

    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    with organisation_scope(organisation):
        imports.import_job_run(job.pk)
    assert Participant.objects.count() == 2


def test_a_row_failing_during_the_commit_removes_what_was_imported(organisation):
    job = check(organisation, GOOD)

    with organisation_scope(organisation):
        imports.import_job_start(job=job)
    Postcode.objects.filter(code="9030").update(code="9039")  # the data changed meanwhile
    with organisation_scope(organisation):
        job = imports.import_job_run(job.pk)
    assert job.status == ImportStatus.FAILED
    assert "Row 3" in job.report["failure"][0]
    assert Participant.objects.count() == 0


def test_possible_duplicates_wait_for_a_decision_and_are_never_merged_silently(organisation):
    ParticipantFactory(organisation=organisation, first_name="Marc", last_name="Peeters",
                       birth_year=1961, phone="+32499000000")
    rows = [*GOOD, ["Fati", "E.", "0470123456", "9000", "", "", "", ""]]
    job = check(organisation, rows)
    duplicates = {d["row"]: d for d in job.report["duplicates"]}
    assert duplicates[4]["of_row"] == 2 and duplicates[4]["reasons"] == ["same phone"]
    assert duplicates[3]["person"]["name"] == "Marc Peeters"
    with pytest.raises(ValidationError, match="Decide on each possible duplicate"), \
            organisation_scope(organisation):
        imports.import_job_start(job=job)
    with organisation_scope(organisation):
        job = imports.import_job_resolve(job=job, decisions={"3": "both", "4": "other"})
    job = run(organisation, job)
    assert Participant.objects.filter(first_name="Marc").count() == 2
    assert not Participant.objects.filter(first_name="Fati").exists()


def test_volunteers_are_imported_too(organisation):
    rows = [["First name", "Phone", "Zip", "Capacity"], ["Lotte", "0486 11 22 33", "9050", "2"]]
    job = run(organisation, check(organisation, rows, kind="volunteers"))
    assert job.created_count == 1
    assert Volunteer.objects.get().capacity == 2


def test_import_pages_check_and_commit_with_progress(coordinator_client, organisation,
                                                    django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("lijst.csv", csv_bytes(GOOD), content_type="text/csv")
    response = coordinator_client.post("/imports/", {"kind": "participants", "file": upload})
    assert response.status_code == 302
    job_url = response["Location"]
    page = coordinator_client.get(job_url).content.decode()
    assert "Voornaam" in page
    data = {f"col_{i}": f for i, f in enumerate(
        ["first_name", "last_name", "phone", "postcode", "municipality", "birth_year",
         "languages", "interests"])}
    coordinator_client.post(job_url, {**data, "check": "1"})
    assert Participant.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        coordinator_client.post(job_url, {"commit": "1"})  # eager task in tests
    assert Participant.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True) as again:
        coordinator_client.post(job_url, {"commit": "1"})  # a double click
    # One import task queued (matching's short-list blocks hear of the new people as well).
    tasks = [c for c in callbacks if c.__module__ != "matching.intake.versions"]
    assert (len(tasks), len(again)) == (1, 0)
    status = coordinator_client.get(job_url + "status/").json()
    assert (status["status"], status["percent"]) == ("done", 100)


def test_export_neutralises_formulas(coordinator_client, organisation):
    ParticipantFactory(organisation=organisation, first_name="=HYPERLINK(\"x\")",
                       last_name="@SUM(A1)")
    text = coordinator_client.get("/waiting-list/export.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    response = coordinator_client.get("/waiting-list/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    # XLSX: a text cell holding what was typed, never a formula; the phone keeps its "+".
    assert (sheet["A2"].data_type, sheet["A2"].value) == ("s", "=HYPERLINK(\"x\")")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert str(sheet["D2"].value).startswith("+32")


def test_import_and_export_through_the_api(coordinator_client, organisation,
                                           django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("lijst.xlsx", xlsx_bytes(GOOD))
    created = coordinator_client.post("/api/imports/", {"kind": "participants", "file": upload})
    assert created.status_code == 201, created.json()
    job = created.json()
    assert job["mapping"]["GSM"] == "phone" and job["total_rows"] == 2
    url = f"/api/imports/{job['id']}/"
    assert coordinator_client.post(url + "commit/").status_code == 400  # not checked yet
    checked = coordinator_client.post(url + "check/", {}, content_type="application/json")
    assert checked.json()["report"]["good_rows"] == 2
    assert Participant.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        committed = coordinator_client.post(url + "commit/")
    assert committed.status_code == 202
    assert coordinator_client.get(url).json()["status"] == "done"
    assert Participant.objects.count() == 2
    export = coordinator_client.get("/api/waiting-list/export-csv/?language=ar")
    lines = export.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and "Fatima" in lines[1]
    xlsx = coordinator_client.get("/api/waiting-list/export-xlsx/")
    assert load_workbook(io.BytesIO(xlsx.content)).active.max_row == 3


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_import_and_the_job_shows_its_progress(celery_worker_process):
    organisation = OrganisationFactory()
    rows = [GOOD[0]] + [
        [f"Naam{i}", "Test", f"0470 {i // 100:02d} {i % 100:02d} 00", "9000", "", "1980", "nl",
         ""] for i in range(1, 151)]
    job = check(organisation, rows)
    assert job.report["good_rows"] == 150
    worker = celery_worker_process()
    with organisation_scope(organisation), transaction.atomic():
        imports.import_job_start(job=job)
    assert wait_until(lambda: ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE,
                      timeout=120)
    job.refresh_from_db()
    assert (job.processed_rows, job.created_count) == (150, 150)
    assert Participant.objects.filter(organisation=organisation).count() == 150
    worker.stop()
