"""The bookkeeper's export of a month's expenses, as CSV and XLSX; text typed by people (a
description, a name) never runs as a formula (`buddy.exports`)."""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from buddy.exports import csv_row, xlsx_append


def expense_rows(expenses) -> list[list]:
    header = [_("Date"), _("Volunteer"), _("Duo"), _("Kind"), _("Description"),
              _("Amount (€)"), _("Status"), _("Approved or rejected by"), _("Paid at")]
    rows = [header]
    for expense in expenses:
        volunteer = expense.duo.volunteer
        rows.append([
            expense.spent_on.isoformat(),
            f"{volunteer.first_name} {volunteer.last_name}".strip(),
            expense.duo_id,
            expense.get_kind_display(),
            expense.description,
            f"{expense.amount:.2f}",
            expense.get_status_display(),
            expense.decided_by.get_full_name() if expense.decided_by else "",
            expense.paid_at.date().isoformat() if expense.paid_at else "",
        ])
    return rows


def to_csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows(csv_row(row) for row in rows)
    # A byte-order mark so that spreadsheet programs read the euro sign and accents.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Expenses")[:31]
    for row in rows:
        xlsx_append(sheet, row)
    # Amounts as numbers the bookkeeper can sum (the CSV keeps them as text).
    for cells in sheet.iter_rows(min_row=2, min_col=6, max_col=6):
        for cell in cells:
            cell.value = float(cell.value)
            cell.number_format = "0.00"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
