"""Expenses: approval, rejection, payment, the monthly overview and the bookkeeper's export."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from buddy.exports import csv_cell
from duos import selectors, services
from duos.models import Expense, ExpenseStatus
from tests.factories_duos import active_duo, volunteer_with_account

MONTH = datetime.date(2026, 10, 1)


@pytest.fixture
def claims(organisation):
    """Two volunteers with claims in October, and one in September."""
    rows = []
    for name in ("Lotte", "Tom"):
        volunteer, account = volunteer_with_account(organisation)
        volunteer.first_name = name
        volunteer.save()
        duo = active_duo(organisation, volunteer=volunteer, start_date=datetime.date(2026, 9, 1))
        rows.append((duo, account))
    (lotte_duo, lotte), (tom_duo, tom) = rows
    made = {
        "bus": services.expense_claim(duo=lotte_duo, claimed_by=lotte, amount="3.20",
                                      spent_on=datetime.date(2026, 10, 3), kind="transport"),
        "museum": services.expense_claim(duo=lotte_duo, claimed_by=lotte, amount="12.00",
                                         spent_on=datetime.date(2026, 10, 20), kind="tickets",
                                         description="=HYPERLINK(\"http://evil\")"),
        "coffee": services.expense_claim(duo=tom_duo, claimed_by=tom, amount="5,40",
                                         spent_on=datetime.date(2026, 10, 9), kind="food",
                                         description="+coffee -cake @bar"),
        "september": services.expense_claim(duo=tom_duo, claimed_by=tom, amount="9.99",
                                            spent_on=datetime.date(2026, 9, 28),
                                            kind="food"),
    }
    return made


@pytest.mark.django_db
def test_approve_then_pay_and_a_double_click_changes_nothing(coordinator, claims):
    expense = claims["bus"]
    services.expense_approve(expense=expense, approved_by=coordinator)
    services.expense_approve(expense=expense, approved_by=coordinator)
    expense.refresh_from_db()
    assert (expense.status, expense.decided_by) == (ExpenseStatus.APPROVED, coordinator)
    services.expense_mark_paid(expense=expense)
    paid_at = Expense.objects.get(pk=expense.pk).paid_at
    services.expense_mark_paid(expense=expense)
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.PAID and expense.paid_at == paid_at
    with pytest.raises(ValidationError):
        services.expense_reject(expense=expense, rejected_by=coordinator, reason="late")


@pytest.mark.django_db
def test_rejection_needs_a_reason_and_a_claim_cannot_be_paid_unapproved(coordinator, claims):
    with pytest.raises(ValidationError):
        services.expense_reject(expense=claims["coffee"], rejected_by=coordinator, reason=" ")
    with pytest.raises(ValidationError):
        services.expense_mark_paid(expense=claims["coffee"])
    services.expense_reject(expense=claims["coffee"], rejected_by=coordinator,
                            reason="No receipt")
    claims["coffee"].refresh_from_db()
    assert claims["coffee"].status == ExpenseStatus.REJECTED


@pytest.mark.django_db
def test_monthly_overview_per_organisation_and_per_volunteer(coordinator, claims):
    services.expense_approve(expense=claims["museum"], approved_by=coordinator)
    services.expense_approve(expense=claims["coffee"], approved_by=coordinator)
    services.expense_mark_paid(expense=claims["coffee"])
    overview = selectors.expense_overview(MONTH)
    assert overview["totals"] == {"claimed": 320, "approved": 1200, "paid": 540, "rejected": 0}
    per = {row["duo__volunteer__first_name"]: row for row in overview["per_volunteer"]}
    assert (per["Lotte"]["claimed"], per["Lotte"]["approved"], per["Lotte"]["paid"]) == (
        320, 1200, 0)
    assert (per["Tom"]["claimed"], per["Tom"]["paid"]) == (0, 540)


@pytest.mark.django_db
def test_coordinator_approves_and_rejects_on_the_overview_page(coordinator_client, claims):
    page = coordinator_client.get("/duos/expenses/?month=2026-10").content.decode()
    assert "Lotte" in page and "€\u00a03,20" in page
    coordinator_client.post(f"/duos/expenses/{claims['bus'].pk}/approve/")
    coordinator_client.post(f"/duos/expenses/{claims['coffee'].pk}/reject/",
                            {"reason": "Alcohol"})
    coordinator_client.post(f"/duos/expenses/{claims['bus'].pk}/paid/")
    statuses = dict(Expense.objects.values_list("pk", "status"))
    assert statuses[claims["bus"].pk] == ExpenseStatus.PAID
    assert statuses[claims["coffee"].pk] == ExpenseStatus.REJECTED


@pytest.mark.parametrize(("value", "safe"), [
    ("=1+1", "'=1+1"), ("+32", "'+32"), ("-cake", "'-cake"), ("@SUM(A1)", "'@SUM(A1)"),
    ("Museum", "Museum"), (12, 12),
])
def test_cells_that_a_spreadsheet_would_run_as_formula_get_an_apostrophe(value, safe):
    assert csv_cell(value) == safe


@pytest.mark.django_db
def test_csv_export_has_the_months_expenses_and_no_formula(coordinator_client, claims):
    response = coordinator_client.get("/duos/expenses/export.csv?month=2026-10")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="expenses-2026-10.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 3  # header + October only
    descriptions = {row[4] for row in rows[1:]}
    assert "'=HYPERLINK(\"http://evil\")" in descriptions
    assert "'+coffee -cake @bar" in descriptions
    assert {row[5] for row in rows[1:]} == {"3.20", "12.00", "5.40"}


@pytest.mark.django_db
def test_xlsx_export_has_numbers_and_no_formula(coordinator_client, claims):
    response = coordinator_client.get("/duos/expenses/export.xlsx?month=2026-10")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted(row[5] for row in rows) == [3.2, 5.4, 12.0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert "=HYPERLINK(\"http://evil\")" in [row[4] for row in rows]  # a text cell


@pytest.mark.django_db
def test_export_and_overview_are_for_staff_only(client, organisation, claims):
    _volunteer, account = volunteer_with_account(organisation)
    client.force_login(account)
    assert client.get("/duos/expenses/export.csv?month=2026-10").status_code == 403
    assert client.get("/duos/expenses/").status_code == 403


@pytest.mark.django_db
def test_api_approves_and_reports_errors_in_the_one_shape(api_client, coordinator, claims):
    api_client.force_login(coordinator)
    ok = api_client.post(f"/api/duos/expenses/{claims['bus'].pk}/approve/")
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    refused = api_client.post(f"/api/duos/expenses/{claims['coffee'].pk}/paid/")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "invalid"


@pytest.mark.django_db
def test_expenses_above_the_agreed_monthly_maximum_are_flagged(coordinator_client, claims):
    lotte_duo = claims["bus"].duo
    services.agreement_update(duo=lotte_duo, expenses_monthly_max_cents=1500)
    assert selectors.duos_over_monthly_max(MONTH) == {lotte_duo.pk}  # 3.20 + 12.00
    services.expense_reject(expense=claims["museum"], rejected_by=None, reason="Too much")
    assert selectors.duos_over_monthly_max(MONTH) == set()
    services.agreement_update(duo=lotte_duo, expenses_monthly_max_cents=200)
    page = coordinator_client.get("/duos/expenses/?month=2026-10").content.decode()
    assert "above the monthly maximum" in page


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "2026-13"])
def test_a_month_beyond_the_calendar_shows_this_month(coordinator_client, month):
    page = coordinator_client.get("/duos/expenses/", {"month": month})
    assert page.status_code == 200
    assert page.context["month"] == datetime.date(2026, 11, 1)  # the pinned clock's month
    export = coordinator_client.get("/duos/expenses/export.csv", {"month": month})
    assert export["Content-Disposition"] == 'attachment; filename="expenses-2026-11.csv"'
