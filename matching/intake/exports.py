"""The waiting list as a spreadsheet (CSV or XLSX), safe to open in Excel."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from buddy.exports import XLSX_CONTENT_TYPE, csv_row, download, xlsx_append

from . import selectors


def headers():
    return [_("First name"), _("Last name"), _("Preferred name"), _("Phone"), _("E-mail"),
            _("Postcode"), _("Municipality"), _("Languages"), _("Interests"), _("Status"),
            _("Waiting since"), _("Days waiting"), _("Last contact"), _("Check back on"),
            _("Volunteers who fit")]


def rows(participants, counts):
    today = timezone.localdate()
    for p in participants:
        yield [
            p.first_name, p.last_name, p.preferred_name,
            p.phone.as_e164 if p.phone else "", p.email, p.postcode.code, p.postcode.municipality,
            ", ".join(p.languages or []), ", ".join(i.label for i in p.interests.all()),
            p.get_status_display(), p.waiting_since.isoformat(),
            selectors.days_waiting(p, today),
            p.last_contact_on.isoformat() if p.last_contact_on else "",
            p.check_back_on.isoformat() if p.check_back_on else "", counts.get(p.id, 0),
        ]


def _filename(extension):
    return f"wachtlijst-{timezone.localdate().isoformat()}.{extension}"


def waiting_list_csv(participants, counts) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(csv_row(headers()))
    for row in rows(participants, counts):
        writer.writerow(csv_row(row))
    return download("\ufeff" + buffer.getvalue(), "text/csv; charset=utf-8", _filename("csv"))


def waiting_list_xlsx(participants, counts) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Waiting list")[:31])
    xlsx_append(sheet, headers())
    for row in rows(participants, counts):
        xlsx_append(sheet, row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return download(buffer.getvalue(), XLSX_CONTENT_TYPE, _filename("xlsx"))
