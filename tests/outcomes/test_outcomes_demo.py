"""The demo has a survey history, so that the outcome page shows real figures."""

import pytest
from django.core.management import call_command

from desk.outcome_report.figures import build_outcome_report
from desk.outcome_report.lasting import what_makes_a_duo_last
from organisations.models import Organisation
from outcomes.models import Answer, Survey

pytestmark = pytest.mark.django_db


def test_the_demo_history_fills_the_outcome_page_once(coordinator_client):
    call_command("seed_demo", stdout=None)
    surveys, answers = Survey.objects.count(), Answer.objects.count()
    call_command("seed_demo", stdout=None)
    assert (Survey.objects.count(), Answer.objects.count()) == (surveys, answers)
    report = build_outcome_report(exact=False)
    overall = dict(next(s for s in report.sections if s.key == "outcome-all").rows)
    counted = overall["How many people can you count on when you need help?"]
    # 16 participants, 3 of whom never answered later; their network grew.
    assert "n = 13" in counted and counted.startswith("+")
    assert len(report.charts) == 4
    after = dict(next(s for s in report.sections if s.key == "outcome-after").rows)
    assert after["Duos ended"] >= 6


def test_the_demo_history_fills_what_makes_a_duo_last(coordinator_client):
    call_command("seed_demo", stdout=None)
    organisation = Organisation.objects.get(slug="samen-op-weg-gent")
    lasting = what_makes_a_duo_last(organisation.pk)
    assert lasting.enough and lasting.ended >= 36
    assert lasting.factors[0].key == "availability"
