"""What makes a duo last, on a generated history whose answer is known: one part of the
score (common free time) decides how long the duos lasted, the others are noise; the page
must show that part first, hide everything below 30 ended duos, and apply a suggestion only
when the coordinator asks (audited)."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError

from desk.outcome_report.lasting import MINIMUM, what_makes_a_duo_last
from duos import models as duos
from matching.proposals import services
from matching.proposals.models import MatchingSettings
from organisations.models import AuditEvent
from tests.factories_proposals import CandidateFactory, MatchFactory, ProposalFactory

pytestmark = pytest.mark.django_db
PARTS = ("interests", "availability", "proximity", "participant_wishes", "volunteer_wishes")


def ended_duos(organisation, count, decisive="availability", seed=7):
    """`count` ended duos of 12 agreed months; the share of it they lasted follows the
    `decisive` part (plus a little noise), every other part is random."""
    chance = random.Random(seed)
    for _number in range(count):
        parts = {part: round(chance.random(), 3) for part in PARTS}
        share = min(1.0, 0.2 + 0.8 * parts[decisive] + chance.uniform(-0.05, 0.05))
        proposal = ProposalFactory(organisation=organisation, status="matched")
        match = MatchFactory(proposal=proposal)
        CandidateFactory(proposal=proposal, volunteer=match.volunteer, is_open=False,
                         position=1, score=round(100 * sum(parts.values()) / 5, 2),
                         parts=parts)
        start = datetime.date(2025, 1, 6)
        end = start + datetime.timedelta(days=365)
        duo = duos.Duo.objects.create(
            organisation=organisation, participant=proposal.participant,
            volunteer=match.volunteer, status=duos.DuoStatus.CLOSED, started_on=start,
            ended_on=start + datetime.timedelta(days=round(365 * share)))
        duos.Agreement.objects.create(duo=duo, start_date=start, duration_months=12,
                                      end_date=end)
        duos.Ending.objects.create(duo=duo, ended_by="participant", reason="no_time",
                                   outcome="closed", recorded_at=duo.created_at)
        match.duo_id = duo.pk
        match.save(update_fields=["duo_id"])


def test_the_part_that_decides_how_long_duos_last_comes_first(organisation):
    ended_duos(organisation, 40)
    lasting = what_makes_a_duo_last(organisation.pk)
    assert lasting.enough and lasting.ended == 40
    first = lasting.factors[0]
    assert first.key == "availability"
    assert first.difference > 0.3 and not first.uncertain
    assert first.high_n + first.low_n == 40
    noise = [f for f in lasting.factors if f.key in PARTS and f.key != "availability"]
    assert all(abs(f.difference) < first.difference / 2 for f in noise)
    current, suggested = lasting.suggestion["availability"]
    assert suggested > current
    assert sum(s for _c, s in lasting.suggestion.values()) == pytest.approx(
        sum(c for c, _s in lasting.suggestion.values()), abs=0.5)


def test_another_decisive_part_is_found_as_well(organisation):
    ended_duos(organisation, 40, decisive="proximity", seed=11)
    assert what_makes_a_duo_last(organisation.pk).factors[0].key == "proximity"


def test_nothing_is_shown_below_the_minimum_of_ended_duos(organisation, coordinator_client):
    ended_duos(organisation, MINIMUM - 1)
    lasting = what_makes_a_duo_last(organisation.pk)
    assert not lasting.enough and lasting.factors == [] and lasting.suggestion == {}
    page = coordinator_client.get("/reports/lasting/")
    assert page.status_code == 200
    assert "Not enough ended duos yet: 29" in page.content.decode()
    assert coordinator_client.post("/reports/lasting/").status_code == 302
    assert not MatchingSettings.objects.filter(organisation=organisation,
                                               weight_availability__gt=20).exists()


def test_the_coordinator_applies_the_suggestion_and_it_is_audited(organisation,
                                                                   coordinator_client,
                                                                   django_assert_max_num_queries):
    ended_duos(organisation, 40)
    with django_assert_max_num_queries(20):
        page = coordinator_client.get("/reports/lasting/")
    html = page.content.decode()
    assert html.index("Common free time") < html.index("Shared interests")
    assert "<svg" in html
    before = AuditEvent.objects.count()
    response = coordinator_client.post("/reports/lasting/")
    assert response.status_code == 302
    settings = MatchingSettings.objects.get(organisation=organisation)
    assert settings.weight_availability > 20
    assert AuditEvent.objects.count() == before + 1
    assert "matching weights" in AuditEvent.objects.order_by("-pk").first().label


def test_weights_below_zero_are_refused(organisation):
    with pytest.raises(ValidationError):
        services.matching_weights_set(organisation=organisation.pk,
                                      weights={"interests": -1})
    with pytest.raises(ValidationError):
        services.matching_weights_set(organisation=organisation.pk, weights={"colour": 3})
