import datetime

import pytest
from django.core.management import call_command

from duos.models import Duo, DuoStatus, Ending, Expense, MeetingLog, Outcome


@pytest.mark.django_db
def test_demo_shows_duos_in_each_state(client):
    call_command("seed_demo")
    call_command("seed_demo")
    # The duos demo's own duos (the surveys' demo adds a history of its own).
    duos = Duo.objects.filter(participant__intake_key__startswith="demo-duos-")
    assert set(duos.values_list("status", flat=True)) == set(DuoStatus.values)
    assert duos.count() == 5
    ending = duos.get(status=DuoStatus.ENDING)
    assert ending.agreement.end_date - datetime.date.today() <= datetime.timedelta(weeks=4)
    assert Ending.objects.filter(outcome=Outcome.FRIENDS, duo__status="closed").exists()
    assert Ending.objects.filter(outcome=Outcome.CLOSED, duo__status="closed").exclude(
        reason="").exists()
    active = duos.get(status=DuoStatus.ACTIVE)
    assert MeetingLog.objects.filter(duo=active).count() >= 3
    assert Expense.objects.filter(duo=active).exists()
    assert client.login(username="vrijwilliger", password="buddy-demo-2026")
    page = client.get("/duos/my/").content.decode()
    assert active.participant.first_name in page
    assert client.login(username="coordinator", password="buddy-demo-2026")
    for url in ("/", "/duos/", "/duos/follow-up/", "/duos/expenses/",
                f"/duos/{active.pk}/", f"/duos/{ending.pk}/end/"):
        assert client.get(url).status_code == 200, url
