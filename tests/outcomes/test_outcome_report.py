"""The outcome report on a history whose answer is known: the change from intake to the
latest answer, its confidence interval, cohorts, small groups hidden outside the
organisation, constant queries, and the exports."""

import datetime
import io

import pytest
from openpyxl import load_workbook
from scipy import stats

from desk.outcome_report.figures import build_outcome_report, change_of
from desk.reports import Hidden
from outcomes import services
from outcomes.models import Channel, Moment
from tests.factories_duos import ParticipantFactory, VolunteerFactory, active_duo

from .conftest import at

pytestmark = pytest.mark.django_db
START = datetime.date(2026, 1, 12)


def history(organisation, coordinator, people):
    """For each (intake, later, referrer) a participant whose answer to "how many people
    can you count on" went from `intake` to `later`."""
    for number, (before, after, referrer) in enumerate(people):
        participant = ParticipantFactory(organisation=organisation, referrer=referrer,
                                         phone=f"+3247091{number:04d}")
        intake = services.survey_open_at_intake(participant=participant)
        question = intake.questionnaire.questions.get(measure="people_to_count_on")
        services.answer_record(survey=intake, question=question, raw=str(before),
                               channel=Channel.PHONE)
        with at(START):
            duo = active_duo(organisation, coordinator=coordinator, participant=participant,
                             volunteer=VolunteerFactory(organisation=organisation),
                             start_date=START)
        later = services.survey_open(organisation_id=organisation.pk,
                                     person_key=f"participant:{participant.pk}",
                                     moment=Moment.FOLLOW_UP, period=f"duo:{duo.pk}", duo=duo)
        services.answer_record(survey=later, question=question, raw=str(after),
                               channel=Channel.SMS)


def test_the_change_and_its_interval_are_those_of_the_paired_differences():
    pairs = [(1, 2), (0, 3), (2, 2), (1, 4), (3, 5), (2, 3)]
    change = change_of(pairs, exact=True)
    differences = [a - b for b, a in pairs]
    assert change.n == 6 and change.change == pytest.approx(sum(differences) / 6)
    expected = stats.ttest_1samp(differences, 0).confidence_interval(0.95)
    assert (change.low, change.high) == (pytest.approx(expected.low),
                                         pytest.approx(expected.high))
    assert isinstance(change_of(pairs[:4], exact=False).n, Hidden)
    assert change_of(pairs[:4], exact=True).n == 4


def test_the_report_shows_the_known_change_overall_and_by_referrer(organisation, coordinator,
                                                                   coordinator_client):
    history(organisation, coordinator, [(1, 3, "ocmw")] * 5 + [(2, 2, "caw")] * 3)
    report = build_outcome_report(exact=True)
    overall = dict(next(s for s in report.sections if s.key == "outcome-all").rows)
    assert overall["How many people can you count on when you need help?"].startswith(
        "+1.25 (95% interval")
    by_referrer = dict(next(s for s in report.sections if s.key == "outcome-referrer").rows)
    ocmw = next(value for label, value in by_referrer.items() if label.startswith("OCMW"))
    caw = next(value for label, value in by_referrer.items() if label.startswith("CAW"))
    assert ocmw.startswith("+2.00") and "n = 5" in ocmw
    assert caw.startswith("+0.00") and "n = 3" in caw
    shared = build_outcome_report(exact=False)
    by_referrer = dict(next(s for s in shared.sections if s.key == "outcome-referrer").rows)
    caw = next(value for label, value in by_referrer.items() if label.startswith("CAW"))
    assert caw == "n = < 5"  # a small group: neither its mean nor its interval
    page = coordinator_client.get("/reports/outcomes/")
    assert page.status_code == 200 and b"<svg" in page.content
    assert "+2.00" in page.content.decode()


def test_the_exports_hide_small_groups(organisation, coordinator, coordinator_client):
    history(organisation, coordinator, [(1, 3, "ocmw")] * 5 + [(2, 2, "caw")] * 3)
    csv = coordinator_client.get("/reports/outcomes/export.csv").content.decode()
    assert "n = < 5" in csv and "+2.00" in csv
    workbook = load_workbook(io.BytesIO(
        coordinator_client.get("/reports/outcomes/export.xlsx").content))
    assert any("n = < 5" in str(cell.value) for row in workbook.active.iter_rows()
               for cell in row)
    pdf = coordinator_client.get("/reports/outcomes/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_report_uses_a_constant_number_of_queries(organisation, coordinator,
                                                      django_assert_max_num_queries):
    history(organisation, coordinator, [(1, 2, "ocmw")] * 3)
    with django_assert_max_num_queries(7):
        build_outcome_report(exact=True)
    history(organisation, coordinator, [(0, 4, "caw")] * 6)
    with django_assert_max_num_queries(7):
        build_outcome_report(exact=True)


def test_a_participant_without_an_intake_answer_is_not_counted(organisation, coordinator):
    participant = ParticipantFactory(organisation=organisation)
    with at(START):
        duo = active_duo(organisation, coordinator=coordinator, participant=participant,
                         start_date=START)
    later = services.survey_open(organisation_id=organisation.pk,
                                 person_key=f"participant:{participant.pk}",
                                 moment=Moment.FOLLOW_UP, period=f"duo:{duo.pk}", duo=duo)
    question = later.questionnaire.questions.get(measure="people_to_count_on")
    services.answer_record(survey=later, question=question, raw="4", channel=Channel.SMS)
    overall = dict(next(s for s in build_outcome_report(exact=True).sections
                        if s.key == "outcome-all").rows)
    assert overall["How many people can you count on when you need help?"] == "n = 0"


def test_the_exports_of_an_organisation_without_answers_work(coordinator_client):
    for file_format in ("csv", "xlsx", "pdf"):
        response = coordinator_client.get(f"/reports/outcomes/export.{file_format}")
        assert response.status_code == 200
