"""Reports for funders: figures for a period, the small-group rule, charts, exports."""

import csv as csv_module
import datetime
import io
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from buddy.dates import add_months
from desk import reports
from desk.reports import (
    HIDDEN,
    Hidden,
    build_report,
    preset_period,
    suppress,
    suppress_linked,
    suppress_one,
    suppress_series,
    waiting_history,
)
from duos.models import Duo, EndedBy, Ending, EndReason, Outcome
from matching.intake.models import ParticipantStatus
from organisations.models import AuditEvent
from organisations.scoping import organisation_scope
from tests.factories_coaching import AttendanceFactory, SessionFactory, in_days
from tests.factories_duos import ParticipantFactory, active_duo, pending_duo

TODAY = datetime.date.today()


# The small-group rule --------------------------------------------------------------------

def test_a_group_smaller_than_five_is_hidden_and_five_is_shown():
    assert suppress_one(4) == Hidden() and suppress_one(1) == Hidden()
    assert suppress_one(5) == 5 and suppress_one(0) == 0


def test_one_hidden_cell_hides_a_second_so_the_total_does_not_give_it_away():
    out = suppress({"a": 3, "b": 20, "c": 8})
    assert out["a"] == Hidden() and out["c"] == Hidden() and out["b"] == 20


def test_a_zero_is_hidden_as_the_second_cell_when_it_is_the_smallest():
    out = suppress({"a": 2, "b": 0, "c": 9})
    assert out == {"a": Hidden(), "b": Hidden(), "c": 9}


def test_a_total_under_five_hides_every_cell():
    assert suppress({"a": 3, "b": 0}) == {"a": Hidden(), "b": Hidden()}


def test_no_hidden_cell_can_be_worked_out_from_the_total_and_the_shown_cells():
    for values in itertools.product(range(0, 9), repeat=3):
        cells = dict(zip("abc", values, strict=True))
        out = suppress(cells)
        hidden = [key for key, value in out.items() if value == Hidden()]
        for key, n in cells.items():
            if 0 < n < 5:
                assert key in hidden, cells
        # One hidden cell next to a shown total would be the total minus the others.
        assert len(hidden) != 1, cells


# Periods ---------------------------------------------------------------------------------

def test_presets_give_whole_years_and_the_last_whole_quarter():
    today = datetime.date(2026, 5, 14)
    assert preset_period("this_year", today) == (datetime.date(2026, 1, 1), today)
    assert preset_period("last_year", today) == (datetime.date(2025, 1, 1),
                                                 datetime.date(2025, 12, 31))
    assert preset_period("last_quarter", today) == (datetime.date(2026, 1, 1),
                                                    datetime.date(2026, 3, 31))
    assert preset_period("last_quarter", datetime.date(2026, 2, 1)) == (
        datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)


# The report ------------------------------------------------------------------------------

def _data(organisation, coordinator, n):
    """n duos that started a year ago, n that started last month (2 of which ended with
    "moved", the rest "no time"), n waiting people, a session with n attendances."""
    year_ago = add_months(TODAY, -13)
    for i in range(n):
        active_duo(organisation, coordinator=coordinator, start_date=year_ago)
        recent = active_duo(organisation, coordinator=coordinator,
                            start_date=TODAY - datetime.timedelta(days=40))
        Ending.objects.create(duo=recent, ended_by="participant", planned=False,
                              reason=EndReason.MOVED if i < 2 else EndReason.NO_TIME,
                              outcome=Outcome.FRIENDS, recorded_at=timezone.now())
        ParticipantFactory(organisation=organisation, status=ParticipantStatus.WAITING,
                           waiting_since=TODAY - datetime.timedelta(days=100))
    session = SessionFactory(organisation=organisation, starts_at=in_days(-3),
                             ends_at=in_days(-3, hour=21))
    for _ in range(n):
        AttendanceFactory(session=session)


def _figures(report):
    return {label: value for _section, label, value in report.rows()}


@pytest.mark.django_db
def test_report_counts_and_hides_small_groups(organisation, coordinator):
    _data(organisation, coordinator, 7)
    with organisation_scope(organisation):
        report = build_report(add_months(TODAY, -14), TODAY)
    figures = _figures(report)
    assert figures["Endings"] == 7
    assert figures[str(EndReason.NO_TIME.label)] == 5
    # Two moved away: hidden, and a second reason hidden so that 7 - 5 does not show it.
    assert figures[str(EndReason.MOVED.label)] == HIDDEN
    assert sum(1 for _value, label in EndReason.choices if figures[str(label)] == HIDDEN) >= 2
    assert figures["Friendships that went on after the project"] == 7
    # The duos' participants waited since before the period and were matched today; the
    # seven waiting joined during it.
    assert figures["On the waiting list at the start of the period"] == 14
    assert figures["Joined the waiting list (new, or back after a duo)"] == 7
    assert figures["Left the waiting list: matched with a buddy"] == 14
    assert figures["Matches made"] == 14
    assert figures["Left the waiting list: left the project"] == 0
    assert figures["On the waiting list at the end of the period"] == 7
    assert figures["At the end of the period, on the list 3 to 6 months"] == 7
    assert figures["Duos started in the period still going after 12 months"] == 7
    assert figures["Duos active during the period"] == 14
    assert figures["Attendances"] == 7


@pytest.mark.django_db
def test_report_of_another_organisation_shows_none_of_these_figures(
        organisation, other_organisation, coordinator):
    _data(organisation, coordinator, 6)
    with organisation_scope(other_organisation):
        report = build_report(add_months(TODAY, -14), TODAY)
    assert _figures(report)["Endings"] == 0
    assert _figures(report)["On the waiting list at the end of the period"] == 0
    assert _figures(report)["On the waiting list at the start of the period"] == 0


@pytest.mark.django_db
def test_report_page_draws_accessible_charts_with_their_numbers(
        organisation, coordinator, coordinator_client):
    _data(organisation, coordinator, 5)
    page = coordinator_client.get("/reports/", {"preset": "this_year"}).content.decode()
    assert page.count('<svg class="bar-chart" role="img"') == 4
    assert page.count("<title id=\"chart-") == 4 and page.count("<desc id=\"chart-") == 4
    assert "How long people had been waiting at the end of the period" in page
    assert "Time on the waiting list before a match" in page
    assert "Duos still going by month since start" in page
    assert "<table>" in page and "style=" not in page and "<script" not in page
    assert "Amina" not in page and "Pieter" not in page  # never a person


@pytest.mark.django_db
def test_report_takes_the_same_number_of_queries_for_few_and_many_rows(
        organisation, coordinator, coordinator_client):
    counts = []
    for n in (1, 5):
        _data(organisation, coordinator, n)
        with CaptureQueriesContext(connection) as queries:
            assert coordinator_client.get("/reports/", {"preset": "this_year"}).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_volunteers_and_visitors_get_no_report(client, volunteer_user):
    assert client.get("/reports/").status_code == 302
    assert client.get("/reports/export.csv").status_code == 302
    client.force_login(volunteer_user)
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/export.xlsx").status_code == 403


@pytest.mark.django_db
def test_exports_are_csv_xlsx_and_pdf_and_each_is_in_the_audit_log(
        organisation, coordinator, coordinator_client):
    _data(organisation, coordinator, 5)
    query = {"date_from": "2025-01-01", "date_to": TODAY.isoformat()}
    csv = coordinator_client.get("/reports/export.csv", query)
    assert csv["Content-Type"].startswith("text/csv")
    assert "Endings,5" in csv.content.decode()
    xlsx = coordinator_client.get("/reports/export.xlsx", query)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert ("Endings by reason", "Endings", 5) in values
    pdf = coordinator_client.get("/reports/export.pdf", query)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    events = AuditEvent.objects.filter(action="export", actor=coordinator)
    assert events.count() == 3
    assert set(events.values_list("subject_ref", flat=True)) == {
        f"report:2025-01-01..{TODAY.isoformat()}"}
    assert coordinator_client.get("/reports/export.doc").status_code == 404


def test_exported_text_that_looks_like_a_formula_is_neutralised():
    report = reports.Report(TODAY, TODAY, sections=[
        reports.Section("x", "=HYPERLINK(\"http://evil\")", [("+1", 5)])])
    assert "'=HYPERLINK" in reports.to_csv(report)
    sheet = load_workbook(io.BytesIO(reports.to_xlsx(report))).active
    # XLSX: text cells, shown as typed (a "+1" is not a formula in a typed cell).
    assert (sheet["A3"].data_type, sheet["A3"].value) == ("s", "=HYPERLINK(\"http://evil\")")
    assert sheet["B3"].value == "+1"


def test_a_series_never_steps_by_a_small_group_between_shown_values():
    assert suppress_series([12, 10, 5, 5, 0]) == [12, Hidden(), 5, 5, 0]
    assert suppress_series([9, 7, 5]) == [9, Hidden(), Hidden()]
    assert suppress_series([12, 3, 12]) == [12, Hidden(), 12]
    for values in itertools.product(range(0, 12), repeat=3):
        shown_values = [v for v in suppress_series(list(values)) if v != Hidden()]
        assert all(not 0 < v < 5 for v in shown_values)
        assert all(not 0 < abs(a - b) < 5 for a, b in itertools.pairwise(shown_values))


@pytest.mark.django_db
def test_duos_still_going_chart_hides_what_the_table_hides(organisation, coordinator):
    start = add_months(TODAY, -5)
    duos = [active_duo(organisation, coordinator=coordinator, start_date=start)
            for _ in range(7)]
    Duo.objects.filter(pk__in=[d.pk for d in duos[:2]]).update(
        ended_on=start + datetime.timedelta(days=45), status="closed")
    with organisation_scope(organisation):
        report = build_report(add_months(TODAY, -6), TODAY)
    figures = _figures(report)
    # Five still going at three months, two stopped: both hidden, in the chart as well.
    assert figures["Duos started in the period still going after 3 months"] == HIDDEN
    assert figures["Duos started in the period stopped before 3 months"] == HIDDEN
    chart = next(c for c in report.charts if c.key == "still_going")
    bars = dict(chart.bars)
    assert bars["month 0"] == 7 and bars["month 1"] == 7
    assert bars["month 2"] == Hidden() and bars["month 3"] == Hidden()


# The waiting list over a period ----------------------------------------------------------

PERIOD = (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))


def _aware(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _matched_on(participant, day, **agreement):
    duo = pending_duo(participant.organisation, participant=participant, start_date=day,
                      **agreement)
    Duo.objects.filter(pk=duo.pk).update(created_at=_aware(day))
    return duo


def _waiting_history_data(organisation, scale=1):
    """A period with everything that moves the waiting list, `scale` times over:
    6 waiting since before it, 5 who joined and were matched in it (59 days later), 2 who
    withdrew in it, 1 back after a duo that ended in it, 1 who joined after it."""
    for _ in range(scale):
        for _ in range(6):
            ParticipantFactory(organisation=organisation, status=ParticipantStatus.WAITING,
                               waiting_since=datetime.date(2025, 10, 1))
        for _ in range(5):
            _matched_on(ParticipantFactory(organisation=organisation,
                                           status=ParticipantStatus.WAITING,
                                           waiting_since=datetime.date(2026, 2, 1)),
                        datetime.date(2026, 4, 1))
        for _ in range(2):
            withdrawn = ParticipantFactory(organisation=organisation,
                                           status=ParticipantStatus.WITHDRAWN,
                                           withdrawal_reason="Moved away",
                                           waiting_since=datetime.date(2025, 11, 1))
            type(withdrawn).objects.filter(pk=withdrawn.pk).update(
                updated_at=_aware(datetime.date(2026, 3, 10)))
        back = ParticipantFactory(organisation=organisation, status=ParticipantStatus.WAITING,
                                  waiting_since=datetime.date(2024, 1, 1))
        duo = _matched_on(back, datetime.date(2025, 1, 1))
        Duo.objects.filter(pk=duo.pk).update(status="closed",
                                             ended_on=datetime.date(2026, 5, 1))
        Ending.objects.create(duo=duo, ended_by=EndedBy.PLANNED_END, planned=True,
                              reason=EndReason.AGREED_END, outcome=Outcome.CLOSED,
                              recorded_at=_aware(datetime.date(2026, 4, 20)),
                              participant_wants_new_buddy=True)
        ParticipantFactory(organisation=organisation, status=ParticipantStatus.WAITING,
                           waiting_since=datetime.date(2026, 8, 1))


@pytest.mark.django_db
def test_the_waiting_list_at_the_start_and_end_of_a_period_comes_from_stored_dates(
        organisation):
    _waiting_history_data(organisation)
    with organisation_scope(organisation):
        history = waiting_history(*PERIOD)
        before = waiting_history(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    # 6 waiting + 2 who later withdrew; the one in a duo then was not on the list.
    assert history.at_start == 8
    assert history.joined == 6  # 5 new, 1 back after the duo
    assert (history.matched, history.withdrew) == (5, 2)
    assert history.at_end == 7
    assert history.at_start + history.joined == (history.matched + history.withdrew
                                                 + history.at_end)
    assert history.days_to_match == [59] * 5
    # The one back after a duo counts from the return (60 days), not the original date.
    assert sorted(history.days_at_end) == [60] + [272] * 6
    # A year earlier: the returning participant left the list for their duo on 1 January.
    assert (before.at_start, before.matched, before.at_end) == (1, 1, 8)


@pytest.mark.django_db
def test_waiting_figures_of_a_period_hide_small_groups_and_what_would_give_them_away(
        organisation):
    _waiting_history_data(organisation)
    with organisation_scope(organisation):
        report = build_report(*PERIOD, today=datetime.date(2026, 7, 1))
    figures = _figures(report)
    assert figures["On the waiting list at the start of the period"] == 8
    # Two withdrew: hidden, and "joined" with it, or start + joined - matched - end = 2.
    assert figures["Left the waiting list: left the project"] == HIDDEN
    assert figures["Joined the waiting list (new, or back after a duo)"] == HIDDEN
    assert figures["Left the waiting list: matched with a buddy"] == 5
    assert figures["Matches made"] == 5
    assert figures["On the waiting list at the end of the period"] == 7
    assert figures["At the end of the period, on the list 6 to 12 months"] == 6
    # The one back after a duo: hidden, with the smallest other cell (a zero).
    assert figures["At the end of the period, on the list 1 to 3 months"] == HIDDEN
    assert list(figures[f"At the end of the period, on the list {label}"]
                for label in ("under 1 month", "3 to 6 months", "over a year")).count(HIDDEN) == 1
    assert figures["Matched in the period after waiting 1 to 3 months"] == 5
    assert figures["Median days on the waiting list before a match (matches in the period)"] == 59
    chart = dict(next(c for c in report.charts if c.key == "waiting_to_match").bars)
    assert chart["1 to 3 months"] == 5 and chart["under 1 month"] == 0


@pytest.mark.django_db
def test_fewer_than_five_matched_hides_their_waiting_times_everywhere(organisation):
    for _ in range(3):
        _matched_on(ParticipantFactory(organisation=organisation,
                                       status=ParticipantStatus.WAITING,
                                       waiting_since=datetime.date(2026, 2, 1)),
                    datetime.date(2026, 3, 1))
    with organisation_scope(organisation):
        report = build_report(*PERIOD, today=datetime.date(2026, 7, 1))
    figures = _figures(report)
    assert figures["Left the waiting list: matched with a buddy"] == HIDDEN
    assert figures["Matches made"] == HIDDEN
    assert figures["Median days on the waiting list before a match (matches in the period)"] \
        == HIDDEN
    chart = next(c for c in report.charts if c.key == "waiting_to_match")
    assert all(value == Hidden() for _label, value in chart.bars)


def test_linked_figures_never_leave_exactly_one_hidden():
    keys = ("at_start", "joined", "matched", "withdrew", "at_end")
    for values in itertools.product((0, 1, 3, 4, 5, 6, 9), repeat=5):
        cells = dict(zip(keys, values, strict=True))
        out = suppress_linked(cells, never_second=("matched", "at_end"))
        hidden = [key for key in keys if out[key] == Hidden()]
        assert len(hidden) != 1
        assert all(not 0 < cells[key] < 5 for key in keys if key not in hidden)
        for key in ("matched", "at_end"):  # hidden only when small themselves
            assert (out[key] == Hidden()) == (0 < cells[key] < 5)


@pytest.mark.django_db
def test_report_page_takes_the_same_number_of_queries_with_a_waiting_history(
        organisation, coordinator_client):
    counts = []
    for scale in (1, 4):
        _waiting_history_data(organisation, scale)
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get(
                "/reports/", {"date_from": "2026-01-01", "date_to": "2026-06-30"})
        assert response.status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_exports_hold_the_waiting_figures_and_the_charts_as_the_page_shows_them(
        organisation, coordinator_client):
    _waiting_history_data(organisation)
    query = {"date_from": "2026-01-01", "date_to": "2026-06-30"}
    page = coordinator_client.get("/reports/", query).content.decode()
    rows = list(csv_module.reader(io.StringIO(
        coordinator_client.get("/reports/export.csv", query).content.decode())))
    sheet = load_workbook(io.BytesIO(
        coordinator_client.get("/reports/export.xlsx", query).content)).active
    cells = [tuple("" if v is None else v for v in row)
             for row in sheet.iter_rows(values_only=True)]
    expected = [
        ("Waiting list in the period", "On the waiting list at the start of the period", 8),
        ("Waiting list in the period", "Left the waiting list: left the project", HIDDEN),
        ("Waiting list in the period", "Joined the waiting list (new, or back after a duo)",
         HIDDEN),
        ("Waiting list in the period", "On the waiting list at the end of the period", 7),
        ("Time on the waiting list before a match", "1 to 3 months", 5),
        ("How long people had been waiting at the end of the period", "6 to 12 months", 6),
        ("How long people had been waiting at the end of the period", "1 to 3 months", HIDDEN),
    ]
    for section, label, value in expected:
        assert [section, label, str(value)] in rows
        assert (section, label, value) in cells
        assert label in page
    pdf = coordinator_client.get("/reports/export.pdf", query).content
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize("dates", [
    {"date_from": "9999-01-01", "date_to": "9999-12-31"},
    {"date_from": "0001-01-01", "date_to": "0001-12-31"},
])
def test_a_period_beyond_the_calendar_is_refused_clearly(organisation, coordinator_client,
                                                         dates):
    page = coordinator_client.get("/reports/", dates)
    assert page.status_code == 200
    assert "Ensure this value is" in page.content.decode()
    export = coordinator_client.get("/reports/export.csv", dates)
    assert export.status_code == 200
    year = timezone.localdate().year
    assert export["Content-Disposition"].startswith(f'attachment; filename="report-{year}-')


@pytest.mark.django_db
def test_the_coordinator_sees_exact_figures_and_what_leaves_hides_small_groups(
        organisation, coordinator, coordinator_client):
    _data(organisation, coordinator, 1)
    query = {"preset": "this_year"}
    page = coordinator_client.get("/reports/", query).content.decode()
    assert "Exact figures, for your organisation only." in page
    assert page.count("&lt; 5") == 1  # only where the page explains the rule
    shared = coordinator_client.get("/reports/", {**query, "view": "shared"}).content.decode()
    assert "as it leaves the organisation" in shared and "&lt; 5" in shared
    csv = coordinator_client.get("/reports/export.csv", query).content.decode("utf-8-sig")
    assert HIDDEN in csv  # the download for funders keeps the rule
