from datetime import UTC, datetime, time

from notifications.quiet_hours import is_quiet, next_allowed, start_of_next_day


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_daytime_is_not_quiet():
    moment = utc(2026, 6, 10, 12, 0)  # 14:00 in Brussels (summer time)
    assert not is_quiet(moment)
    assert next_allowed(moment) == moment


def test_evening_waits_for_nine_next_morning():
    moment = utc(2026, 1, 14, 20, 30)  # 21:30 in Brussels (winter time)
    assert is_quiet(moment)
    assert next_allowed(moment) == utc(2026, 1, 15, 8, 0)


def test_early_morning_waits_for_nine_the_same_day():
    moment = utc(2026, 6, 10, 4, 0)  # 06:00 in Brussels (summer time)
    assert next_allowed(moment) == utc(2026, 6, 10, 7, 0)


def test_the_spring_daylight_saving_night_still_ends_at_nine_local():
    # Saturday 28 March 2026, 22:30 CET; clocks go forward at 02:00 on Sunday.
    moment = utc(2026, 3, 28, 21, 30)
    released = next_allowed(moment)
    assert released == utc(2026, 3, 29, 7, 0)  # 09:00 CEST
    assert (released - moment).total_seconds() == 9.5 * 3600


def test_the_autumn_daylight_saving_night_still_ends_at_nine_local():
    # Saturday 24 October 2026, 23:00 CEST; clocks go back at 03:00 on Sunday.
    moment = utc(2026, 10, 24, 21, 0)
    released = next_allowed(moment)
    assert released == utc(2026, 10, 25, 8, 0)  # 09:00 CET
    assert (released - moment).total_seconds() == 11 * 3600


def test_the_hour_that_happens_twice_is_quiet_both_times():
    assert is_quiet(utc(2026, 10, 25, 0, 30))  # 02:30 CEST
    assert is_quiet(utc(2026, 10, 25, 1, 30))  # 02:30 CET


def test_an_organisation_can_choose_other_hours():
    moment = utc(2026, 6, 10, 18, 30)  # 20:30 in Brussels
    assert not is_quiet(moment)
    assert is_quiet(moment, time(20, 0), time(8, 0))
    assert next_allowed(moment, time(20, 0), time(8, 0)) == utc(2026, 6, 11, 6, 0)
    assert not is_quiet(moment, time(0, 0), time(0, 0))  # no quiet hours at all


def test_the_next_day_starts_at_the_end_of_quiet_hours():
    assert start_of_next_day(utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 7, 0)
