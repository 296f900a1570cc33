"""The test clock: every test starts at one fixed instant, so none depends on the hour or
the day it runs (quiet hours, month ends, daylight saving).

The default is a Tuesday at 10:30 in Brussels, in daytime and in the middle of a month.
A test about the night says so with `@pytest.mark.night` (03:00 Brussels on the same
day); a test that needs another moment travels there itself with time-machine. The clock
ticks from the pinned instant (time passes as in a real run), and a Celery worker a test
starts is given the same offset, so both processes read the same time.
"""

import os
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

BRUSSELS = ZoneInfo("Europe/Brussels")
DAYTIME = datetime(2026, 11, 17, 10, 30, tzinfo=BRUSSELS)
NIGHT = datetime(2026, 11, 17, 3, 0, tzinfo=BRUSSELS)
#: The environment variable that carries the offset (seconds) to a worker process.
OFFSET_ENV = "BUDDY_TEST_CLOCK_OFFSET"


def travel_from_environment() -> None:
    """In a worker process a test started: move this process's clock by the test's offset."""
    offset = os.environ.get(OFFSET_ENV)
    if not offset:
        return
    time_machine.travel(time.time() + float(offset), tick=True).start()


def offset_seconds() -> float:
    """How far the test's (travelled) clock is from the machine's real clock."""
    return time.time() - time_machine.escape_hatch.time.time()
