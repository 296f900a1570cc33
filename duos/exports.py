"""The bookkeeper's export of a month's expenses, as CSV and XLSX.

A spreadsheet runs a cell that starts with = + - @ (or a tab/CR) as a formula; text typed
by people (a description, a name) gets a leading apostrophe so it stays text.
"""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def expense_rows(expenses) -> list[list]:
    header = [_("Date"), _("Volunteer"), _("Duo"), _("Kind"), _("Description"),
              _("Amount (€)"), _("Status"), _("Approved or rejected by"), _("Paid at")]
    rows = [header]
    for expense in expenses:
        volunteer = expense.duo.volunteer
        rows.append([
            expense.spent_on.isoformat(),
            safe_cell(f"{volunteer.first_name} {volunteer.last_name}".strip()),
            expense.duo_id,
            expense.get_kind_display(),
            safe_cell(expense.description),
            f"{expense.amount:.2f}",
            expense.get_status_display(),
            safe_cell(expense.decided_by.get_full_name() if expense.decided_by else ""),
            expense.paid_at.date().isoformat() if expense.paid_at else "",
        ])
    return rows


def to_csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows(rows)
    # A byte-order mark so that spreadsheet programs read the euro sign and accents.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Expenses")[:31]
    for row in rows:
        sheet.append(row)
    # Amounts as numbers the bookkeeper can sum (the CSV keeps them as text).
    for cells in sheet.iter_rows(min_row=2, min_col=6, max_col=6):
        for cell in cells:
            cell.value = float(cell.value)
            cell.number_format = "0.00"
    # openpyxl turns a string starting with "=" into a formula: force text cells.
    for cells in sheet.iter_rows(min_row=1):
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
