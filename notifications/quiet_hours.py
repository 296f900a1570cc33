"""When an SMS may go out: not during an organisation's quiet hours, in Brussels time."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

DEFAULT_START, DEFAULT_END = time(21, 0), time(9, 0)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def is_quiet(moment: datetime, start: time = DEFAULT_START, end: time = DEFAULT_END) -> bool:
    local = moment.astimezone(local_zone()).time()
    if start == end:
        return False
    if start > end:  # the usual case: the quiet period spans midnight
        return local >= start or local < end
    return start <= local < end


def next_allowed(moment: datetime, start: time = DEFAULT_START, end: time = DEFAULT_END):
    """`moment` itself outside quiet hours, else the end of this quiet period.

    The end is computed as a wall-clock time on a calendar day and only then made aware,
    so that a night across a daylight-saving change still ends at 09:00 local time.
    """
    if not is_quiet(moment, start, end):
        return moment
    zone = local_zone()
    local = moment.astimezone(zone)
    day = local.date()
    if start > end and local.time() >= start:
        day += timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone)


def start_of_next_day(moment: datetime, end: time = DEFAULT_END) -> datetime:
    """The morning after `moment` (local time), when a person's daily limit starts afresh."""
    zone = local_zone()
    day = moment.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone)


def local_day_bounds(moment: datetime) -> tuple[datetime, datetime]:
    zone = local_zone()
    day = moment.astimezone(zone).date()
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def sms_allowed_at(now: datetime, rules, sent_today: int, *, quiet_hours: bool = True,
                   daily_limit: bool = True) -> datetime:
    """When an SMS may go out under an organisation's rules (its MessagingSettings): after
    the quiet hours, and the next day once the person had their daily number of SMS.
    `quiet_hours=False`: a coordinator sends it now on purpose; `daily_limit=False`: a kind
    the daily limit does not hold (texts.SmsText.daily_limit)."""
    allowed = next_allowed(now, rules.quiet_hours_start, rules.quiet_hours_end) if (
        quiet_hours) else now
    if daily_limit and allowed <= now and sent_today >= rules.sms_daily_limit:
        allowed = start_of_next_day(now, rules.quiet_hours_end)
    return allowed
