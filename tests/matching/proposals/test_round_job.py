"""The proposal round as a background job: the request returns at once, the job tells its
progress, one round per organisation at a time, cancel, failure, the draft written in
batches."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from matching.proposals import services, tasks
from matching.proposals.models import Proposal, ProposalRound, RoundStage, RoundStatus
from matching.scoring import rounds
from organisations.scoping import organisation_scope
from tests.celery_worker import wait_until
from tests.factories import OrganisationFactory
from tests.factories_matching import InterestFactory, ParticipantFactory, VolunteerFactory
from tests.factories_proposals import fresh_rarity_cache  # noqa: F401 (autouse)


def _people(organisation, n=5):
    walking = InterestFactory(organisation=organisation, key="walking", label_nl="wandelen")
    people = [ParticipantFactory(organisation=organisation, first_name=f"Deelnemer{i}",
                                 waiting_since=datetime.date(2025, 1, 1 + i))
              for i in range(n)]
    helpers = [VolunteerFactory(organisation=organisation, ready=True,
                                first_name=f"Vrijwilliger{i}") for i in range(n)]
    for person in people[:2] + helpers[:2]:
        person.interests.add(walking)
    return people, helpers


@pytest.mark.django_db
def test_starting_a_round_returns_at_once_and_the_job_writes_the_draft(
        organisation, coordinator, monkeypatch):
    _people(organisation)
    stages = []
    original = services._RoundProgress.__call__

    def spy(self, stage, done, force=False):
        if stage not in stages:
            stages.append(stage)
        return original(self, stage, done, force)

    monkeypatch.setattr(services._RoundProgress, "__call__", spy)
    monkeypatch.setattr(services, "ROUND_WRITE_BATCH", 2)  # five proposals: three batches
    proposal_round = services.round_start(organisation=organisation, by=coordinator)
    assert proposal_round.status == RoundStatus.PREPARING
    assert proposal_round.stage == RoundStage.WAITING and proposal_round.progress == 0
    assert not Proposal.objects.exists()  # the job has not run: nothing written yet

    tasks.prepare_round(proposal_round.pk)
    proposal_round.refresh_from_db()
    assert proposal_round.status == RoundStatus.DRAFT
    assert (proposal_round.stage, proposal_round.progress) == (RoundStage.DONE, 100)
    assert proposal_round.waiting_count == proposal_round.volunteer_count == 5
    assert Proposal.objects.filter(round=proposal_round).count() == 5
    assert stages == ["reading", "scoring", "assigning", "writing"]
    assert proposal_round.figures["served"] == 5
    assert proposal_round.figures["proof"]["participants"] == 5
    assert set(proposal_round.figures["seconds"]) == set(stages)
    # Twice is the same as once.
    tasks.prepare_round(proposal_round.pk)
    assert Proposal.objects.filter(round=proposal_round).count() == 5


@pytest.mark.django_db
def test_a_second_round_is_refused_while_one_is_prepared(organisation, coordinator,
                                                         coordinator_client, api_client):
    _people(organisation, 2)
    running = services.round_start(organisation=organisation, by=coordinator)
    with pytest.raises(ValidationError) as refused:
        services.round_start(organisation=organisation, by=coordinator)
    assert refused.value.code == "round_running"
    assert "being prepared already" in refused.value.messages[0]

    response = coordinator_client.post(reverse("proposals:round_list"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("proposals:round_detail", args=[running.pk])
    assert "being prepared already" in response.content.decode()
    api_client.force_login(coordinator)
    answer = api_client.post("/api/proposal-rounds/")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "round_running"
    assert ProposalRound.objects.count() == 1


@pytest.mark.django_db
def test_a_round_whose_worker_is_gone_gives_way_to_a_new_one(organisation, coordinator):
    stale = services.round_start(organisation=organisation, by=coordinator)
    with time_machine.travel(datetime.timedelta(minutes=11)):
        fresh = services.round_start(organisation=organisation, by=coordinator)
    stale.refresh_from_db()
    assert stale.status == RoundStatus.FAILED and "stopped without finishing" in stale.error
    assert fresh.status == RoundStatus.PREPARING


@pytest.mark.django_db
def test_cancelling_stops_the_job_and_keeps_the_earlier_draft(organisation, coordinator):
    _people(organisation, 3)
    earlier = services.round_create(organisation=organisation, by=coordinator)
    running = services.round_start(organisation=organisation, by=coordinator)
    services.round_cancel(proposal_round=running, by=coordinator)
    running.refresh_from_db()
    assert running.status == RoundStatus.PREPARING and running.cancel_requested
    tasks.prepare_round(running.pk)  # the job notices at its first step
    running.refresh_from_db()
    assert running.status == RoundStatus.CANCELLED
    assert not Proposal.objects.filter(round=running).exists()
    earlier.refresh_from_db()
    assert earlier.status == RoundStatus.DRAFT and earlier.proposals.count() == 3


@pytest.mark.django_db
def test_a_cancel_in_the_middle_of_writing_removes_what_was_written(
        organisation, coordinator, monkeypatch):
    _people(organisation, 5)
    monkeypatch.setattr(services, "ROUND_WRITE_BATCH", 2)
    monkeypatch.setattr(services, "ROUND_PROGRESS_EVERY", 0)
    running = services.round_start(organisation=organisation, by=coordinator)
    original = services._RoundProgress.__call__

    def cancel_after_first_batch(self, stage, done, force=False):
        if stage == RoundStage.WRITING and done > 0:
            assert Proposal.objects.filter(round_id=running.pk).count() == 2
            ProposalRound.objects.filter(pk=running.pk).update(cancel_requested=True)
        return original(self, stage, done, force)

    monkeypatch.setattr(services._RoundProgress, "__call__", cancel_after_first_batch)
    tasks.prepare_round(running.pk)
    running.refresh_from_db()
    assert running.status == RoundStatus.CANCELLED
    assert not Proposal.objects.filter(round=running).exists()


@pytest.mark.django_db
def test_a_failed_job_says_so_on_the_round(organisation, coordinator, monkeypatch):
    _people(organisation, 2)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(rounds, "run_round", broken)
    running = services.round_start(organisation=organisation, by=coordinator)
    with pytest.raises(RuntimeError):
        tasks.prepare_round(running.pk)
    running.refresh_from_db()
    assert running.status == RoundStatus.FAILED and "could not be prepared" in running.error
    # The lock is free again.
    assert services.round_start(organisation=organisation, by=coordinator).pk != running.pk


@pytest.mark.django_db
def test_the_page_of_a_round_being_prepared_shows_its_progress(organisation, coordinator,
                                                              coordinator_client):
    running = services.round_start(organisation=organisation, by=coordinator)
    ProposalRound.objects.filter(pk=running.pk).update(stage=RoundStage.SCORING, progress=42)
    page = coordinator_client.get(reverse("proposals:round_detail", args=[running.pk]))
    text = page.content.decode()
    assert "Scoring the pairs" in text and 'value="42"' in text
    assert reverse("proposals:round_progress", args=[running.pk]) in text
    polled = coordinator_client.get(reverse("proposals:round_progress", args=[running.pk]))
    assert polled.json() == {
        "status": "preparing", "status_label": "Being prepared", "stage": "scoring",
        "stage_label": "Scoring the pairs", "percent": 42,
        "url": reverse("proposals:round_detail", args=[running.pk])}
    assert reverse("proposals:round_cancel", args=[running.pk]) in text
    listed = coordinator_client.get(reverse("proposals:round_list")).content.decode()
    assert "Being prepared (42%)" in listed
    coordinator_client.post(reverse("proposals:round_cancel", args=[running.pk]))
    running.refresh_from_db()
    assert running.cancel_requested


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_prepares_the_round(celery_worker_process):
    organisation = OrganisationFactory()
    _people(organisation, 4)
    worker = celery_worker_process()
    with organisation_scope(organisation), transaction.atomic():
        running = services.round_start(organisation=organisation)
    assert wait_until(lambda: ProposalRound.objects.get(pk=running.pk).status
                      == RoundStatus.DRAFT, timeout=120)
    assert Proposal.objects.filter(round_id=running.pk).count() == 4
    worker.stop()
