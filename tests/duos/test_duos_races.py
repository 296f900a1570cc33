"""Two people acting at the same moment: the duo's row lock keeps the result whole.

Real transactions in threads (the autouse `postcodes_loaded` fixture puts back the postcodes
a flush removed; a serialized rollback would clash with the content types another
transactional test's flush re-created).
"""

import datetime
import threading

import pytest
from django.db import connection

from duos import services
from duos.models import Alert, CheckIn, ConfirmationChannel, DuoStatus, DurationKind, Side
from organisations.scoping import all_organisations
from tests.factories_duos import ParticipantFactory, VolunteerFactory


def _together(*calls):
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            with all_organisations():
                barrier.wait()
                call()
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_both_sides_confirming_at_once_start_the_duo_once(organisation):
    duo = services.duo_start_from_match(
        participant=ParticipantFactory(organisation=organisation),
        volunteer=VolunteerFactory(organisation=organisation),
        duration_kind=DurationKind.MONTHS, duration_months=12)
    _together(
        lambda: services.agreement_confirm(duo=duo, side=Side.VOLUNTEER,
                                           channel=ConfirmationChannel.LINK),
        lambda: services.agreement_reply_received(duo_id=duo.pk, reply="yes"),
    )
    duo.refresh_from_db()
    assert duo.status == DuoStatus.ACTIVE
    assert duo.agreement.is_confirmed
    assert CheckIn.objects.filter(duo=duo).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_alert_scans_at_once_open_one_alert(organisation):
    duo = services.duo_start_from_match(
        participant=ParticipantFactory(organisation=organisation),
        volunteer=VolunteerFactory(organisation=organisation),
        duration_kind=DurationKind.MONTHS, duration_months=12)
    services.agreement_reply_received(duo_id=duo.pk, reply="yes")
    services.agreement_confirm(duo=duo, side=Side.VOLUNTEER, channel=ConfirmationChannel.LINK)
    later = datetime.date.today() + datetime.timedelta(weeks=8)
    _together(lambda: services.alerts_scan(later), lambda: services.alerts_scan(later))
    assert Alert.objects.filter(duo=duo, kind="no_meeting_logged").count() == 1
    assert Alert.objects.filter(duo=duo, kind="missed_checkin").count() == 1
