"""Every export and download carries personal data: no shared cache, proxy or browser history
keeps it (`Cache-Control: private, no-store`). The walk finds every URL that exports or
downloads, so a new one cannot be added without this header."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from duos.models import Expense
from tests.factories_duos import active_duo
from tests.factories_matching import ParticipantFactory

# Every route that answers with a file or with everything held about a person.
DOWNLOAD_WORDS = ("export", "receipt")


def _routes(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern) and "(?P<format>" not in route:
            # A router's regex ("^waiting-list/export-csv/$") read as a route.
            yield route.replace("^", "").replace("$", "")


@pytest.fixture
def downloads(organisation):
    participant = ParticipantFactory(organisation=organisation, first_name="Aïcha")
    duo = active_duo(organisation, start_date=datetime.date(2026, 9, 1))
    expense = Expense(duo=duo, spent_on=datetime.date(2026, 10, 3), amount_cents=320,
                      kind="transport", description="Bus")
    expense.receipt.save("ticket.pdf", ContentFile(b"%PDF-1.4 receipt"), save=True)
    Expense.objects.filter(pk=expense.pk).update(receipt_type="pdf")
    return {
        "waiting-list/export.<str:file_format>": [
            reverse("matching:waiting_list_export", args=[f]) for f in ("csv", "xlsx")],
        "api/waiting-list/export-csv/": ["/api/waiting-list/export-csv/"],
        "api/waiting-list/export-xlsx/": ["/api/waiting-list/export-xlsx/"],
        "expenses/export.csv": ["/duos/expenses/export.csv?month=2026-10"],
        "expenses/export.xlsx": ["/duos/expenses/export.xlsx?month=2026-10"],
        "expenses/<int:pk>/receipt/": [reverse("duos:receipt", args=[expense.pk])],
        "reports/export.<str:file_format>": [
            reverse("report_export", args=[f]) for f in ("csv", "xlsx", "pdf")],
        "reports/outcomes/export.<str:file_format>": [
            reverse("outcome_report_export", args=[f]) for f in ("csv", "xlsx", "pdf")],
        "<slug:kind>/<int:pk>/export.<str:fmt>": [
            f"/privacy/participant/{participant.pk}/export.{f}" for f in ("json", "md")],
        "participants/<str:pk>/export/": [f"/api/privacy/participants/{participant.pk}/export/"],
        "volunteers/<str:pk>/export/": [f"/api/privacy/volunteers/{duo.volunteer_id}/export/"],
    }


def test_every_export_and_download_is_private_and_not_stored(client, org_admin, downloads):
    routes = {route for route in _routes() if any(word in route for word in DOWNLOAD_WORDS)}
    walked = {key for key in downloads}
    assert {r for r in routes if not any(r.endswith(key) for key in walked)} == set(), (
        "a new export or download: add it to this walk")
    client.force_login(org_admin)
    for urls in downloads.values():
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            directives = {part.strip() for part in response["Cache-Control"].split(",")}
            assert {"private", "no-store"} <= directives, (url, response["Cache-Control"])
