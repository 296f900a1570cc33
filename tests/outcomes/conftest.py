import datetime

import pytest
import time_machine

from tests.clock import BRUSSELS
from tests.factories_duos import ParticipantFactory, VolunteerFactory, active_duo

START = datetime.date(2026, 3, 2)  # a Monday
P_PHONE = "+32470900001"
V_PHONE = "+32470900002"


def at(day, hour=10, minute=0):
    """The clock at `hour` in Brussels on `day`, standing still."""
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, minute,
                                                 tzinfo=BRUSSELS), tick=False)


@pytest.fixture
def duo(organisation, coordinator):
    participant = ParticipantFactory(organisation=organisation, phone=P_PHONE,
                                     message_language="nl")
    volunteer = VolunteerFactory(organisation=organisation, phone=V_PHONE,
                                 message_language="fr")
    with at(START):
        return active_duo(organisation, coordinator=coordinator, participant=participant,
                          volunteer=volunteer, start_date=START, duration_kind="months",
                          duration_months=12)
