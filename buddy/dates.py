"""Calendar arithmetic shared by every room."""

import datetime

from dateutil.relativedelta import relativedelta


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months` calendar months (negative: earlier); the 31st becomes the last day
    of a shorter month (31 January + 1 month = 28 or 29 February)."""
    return day + relativedelta(months=months)


# The dates people type into a filter or a form fall in these years; outside them a date is a
# typing error, and a day after 31 December 9999 would not exist (OverflowError).
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2999, 12, 31)
