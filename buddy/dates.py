"""Calendar arithmetic shared by every room."""

import datetime

from dateutil.relativedelta import relativedelta


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months` calendar months (negative: earlier); the 31st becomes the last day
    of a shorter month (31 January + 1 month = 28 or 29 February)."""
    return day + relativedelta(months=months)
