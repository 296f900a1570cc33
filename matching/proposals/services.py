"""Proposal rounds, proposals, the participant's choice, the volunteer's answer and the
introduction meeting: one function per state change, each in its own transaction.

A refused change raises django's ValidationError with a `code` (`expired`,
`already_answered`, `closed`, `unknown_candidate`, `volunteer_taken`, ...) and a message in
the active language; nothing is written then. Messages go out through
`matching.messaging`, written in the same transaction (notifications' outbox) and sent
after the commit.

Locks: every service here takes its row locks through `locks.lock`, in one order: the proposal
round, then participants, volunteers, proposals, candidates, offers and introduction meetings,
each by id. So two services that want the same rows queue instead of deadlocking. A service
reads the ids it needs first (who a proposal is for, who an offer asks), locks, and only then
reads the state it decides on; a row of a lower kind is never locked after a higher one.
`locks.py` has the rules.
"""

import time
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matching.intake import versions
from matching.intake.models import Participant, ParticipantStatus, Volunteer
from matching.intake.services import participant_mark_matched
from matching.scoring import pairs, rounds
from notifications import journal, keywords
from notifications import services as notify

from . import handover, locks, messaging, profiles, tasks, tokens
from .models import (
    ANSWERABLE,
    IN_PROGRESS,
    AnswerChannel,
    CallTaskReason,
    CallTaskStatus,
    CandidateStatus,
    GoOn,
    IntroductionMeeting,
    Match,
    MatchingSettings,
    MeetingStatus,
    OfferStatus,
    Proposal,
    ProposalCallTask,
    ProposalCandidate,
    ProposalRound,
    ProposalStatus,
    RoundStage,
    RoundStatus,
    VolunteerOffer,
)
from .selectors import (
    LANGUAGES,
    available_volunteers,
    busy_volunteer_ids,
    excluded_pairs,
    waiting_participants,
)

# SMS replies to a proposal, in one place: a number chooses; these words (after upper-casing)
# mean "none of these" or "please call me". "0" is "none" too.
CHOICE, NONE, CALL = "choice", "none", "call"


def _refuse(message, code):
    raise ValidationError(message, code=code)


def _now():
    return timezone.now()


def _tell(func, *args):
    # notifications writes the message in this transaction and sends it after the commit:
    # a rolled-back change sends nothing, a crash after the commit loses nothing.
    func(*args)


# Links ------------------------------------------------------------------------------------


def _issue_link(obj, purpose, recipient_key, person, subject):
    valid_days = profiles.matching_settings(obj.organisation_id).link_valid_days
    with transaction.atomic():
        type(obj).objects.filter(pk=obj.pk).update(
            expires_at=_now() + timedelta(days=valid_days))
        _link, url = notify.link_create(
            organisation_id=obj.organisation_id, recipient_key=recipient_key,
            language=person.message_language or "nl", purpose=purpose, subject=subject,
            valid_for=timedelta(days=valid_days) + messaging.LINK_GRACE, single_use=False)
    return url.rsplit("/", 1)[-1]


def proposal_issue_link(proposal_id: int) -> str:
    """Gives the participant a fresh signed link to the proposal (its answer window starts
    again) and returns its token; for a coordinator's or a test's own use: the messages
    make their links themselves."""
    proposal = Proposal.objects.select_related("participant").get(pk=proposal_id)
    return _issue_link(proposal, messaging.PROPOSAL_LINK,
                       f"participant:{proposal.participant_id}", proposal.participant,
                       f"proposal:{proposal.pk}")


def offer_issue_link(offer_id: int) -> str:
    """Gives the chosen volunteer a fresh signed link to their question; returns its token."""
    offer = VolunteerOffer.objects.select_related("volunteer").get(pk=offer_id)
    return _issue_link(offer, messaging.OFFER_LINK, f"volunteer:{offer.volunteer_id}",
                       offer.volunteer, f"offer:{offer.pk}")


# Rounds -----------------------------------------------------------------------------------


def _reasons_all_languages(participant, volunteer, labels, rarity):
    return {language: list(pairs.reasons(participant, volunteer, language, labels[language],
                                           rarity))
            for language in LANGUAGES}


# A round being prepared whose job said nothing for this long lost its worker (killed,
# restarted): a new round may start, and cancelling it takes effect at once.
ROUND_STALE = timedelta(minutes=10)
# Proposals written per transaction while a round is written, with its progress in between.
ROUND_WRITE_BATCH = 2000
# The job writes its progress at most this often (seconds).
ROUND_PROGRESS_EVERY = 0.5
# Share of the progress bar each stage takes.
ROUND_STAGES = {RoundStage.READING: (0, 10), RoundStage.SCORING: (10, 60),
                RoundStage.ASSIGNING: (60, 75), RoundStage.WRITING: (75, 100)}


class RoundCancelled(Exception):
    """The coordinator cancelled the round being prepared."""


def _round_running_message(running):
    return _("A round is being prepared already (started at %(time)s): wait until it is "
             "ready, or cancel it.") % {
        "time": timezone.localtime(running.created_at).strftime("%H:%M")}


def _round_open(organisation, by) -> ProposalRound:
    organisation_id = getattr(organisation, "pk", organisation)
    now = _now()
    running = (ProposalRound.objects.select_for_update()
               .filter(organisation_id=organisation_id, status=RoundStatus.PREPARING).first())
    if running is not None:
        if running.progress_at and running.progress_at > now - ROUND_STALE:
            _refuse(_round_running_message(running), "round_running")
        running.status = RoundStatus.FAILED
        running.error = _("The background job stopped without finishing.")
        running.save(update_fields=["status", "error"])
    try:
        with transaction.atomic():
            return ProposalRound.objects.create(
                organisation_id=organisation_id, created_by=by, status=RoundStatus.PREPARING,
                stage=RoundStage.WAITING, progress=0.0, progress_at=now)
    except IntegrityError:
        # Another coordinator's click got there first.
        running = ProposalRound.objects.filter(organisation_id=organisation_id,
                                               status=RoundStatus.PREPARING).first()
        _refuse(_round_running_message(running) if running else
                _("A round is being prepared already."), "round_running")


def round_start(*, organisation, by=None) -> ProposalRound:
    """Starts preparing a new proposal round in the background and returns it at once (its
    page shows the progress). One round at a time per organisation: a second start is
    refused with a clear message. Nobody is told."""
    with transaction.atomic():
        proposal_round = _round_open(organisation, by)
        transaction.on_commit(lambda: tasks.prepare_round.delay(proposal_round.pk))
    return proposal_round


def round_create(*, organisation, by=None, on=None) -> ProposalRound:
    """Prepares a proposal round in this process and returns the draft (the demo, the
    benchmarks, tests; pages and the API use `round_start`)."""
    with transaction.atomic():
        proposal_round = _round_open(organisation, by)
    return round_prepare(proposal_round.pk, on=on)


def round_cancel(*, proposal_round, by=None) -> ProposalRound:
    """Asks the job preparing a round to stop (it stops at its next step and removes what
    it wrote); a round whose job is gone is cancelled at once. Twice is the same as once."""
    with transaction.atomic():
        proposal_round = locks.lock(rounds=[proposal_round.pk]).get(ProposalRound,
                                                                     proposal_round.pk)
        if proposal_round.status != RoundStatus.PREPARING:
            return proposal_round
        proposal_round.cancel_requested = True
        fields = ["cancel_requested"]
        if not proposal_round.progress_at or proposal_round.progress_at < _now() - ROUND_STALE:
            proposal_round.status = RoundStatus.CANCELLED
            fields.append("status")
        proposal_round.save(update_fields=fields)
    return proposal_round


class _RoundProgress:
    """Writes the job's stage and progress on the round (throttled) and notices a cancel."""

    def __init__(self, round_id):
        self.round_id = round_id
        self.written = 0.0
        self.stage = None
        self.seconds = {}
        self.started = time.monotonic()

    def __call__(self, stage, done, force=False):
        now = time.monotonic()
        if stage != self.stage:
            if self.stage is not None:
                self.seconds[self.stage] = round(now - self.started, 3)
            self.stage, self.started, force = stage, now, True
        if not force and now - self.written < ROUND_PROGRESS_EVERY:
            return
        self.written = now
        low, high = ROUND_STAGES[stage]
        ProposalRound.objects.filter(pk=self.round_id).update(
            stage=stage, progress=round(low + (high - low) * min(max(done, 0.0), 1.0), 1),
            progress_at=_now())
        if ProposalRound.objects.filter(pk=self.round_id, cancel_requested=True).exists():
            raise RoundCancelled

    def scoring(self, stage, done):
        self({"scoring": RoundStage.SCORING, "assigning": RoundStage.ASSIGNING}[stage], done)

    def finish(self):
        self.seconds[self.stage] = round(time.monotonic() - self.started, 3)


def round_prepare(round_id, on=None) -> ProposalRound:
    """The background job of a round: reads the waiting list and the volunteers, scores,
    assigns, and writes the draft in batches, telling its progress on the round; the draft
    then replaces the organisation's earlier drafts. Stops when cancelled (nothing of the
    round stays); safe to run twice (a second run of a finished round does nothing, a
    retried one starts again). Nobody is told."""
    proposal_round = ProposalRound.objects.filter(pk=round_id).first()
    if proposal_round is None or proposal_round.status != RoundStatus.PREPARING:
        return proposal_round
    progress = _RoundProgress(round_id)
    try:
        # A job that was interrupted (its worker died) starts again from nothing.
        Proposal.objects.filter(round_id=round_id).delete()
        drafted = _round_compute(proposal_round, progress, on)
        _round_write(proposal_round, drafted, progress)
        progress.finish()
        return _round_finish(proposal_round, drafted, progress)
    except RoundCancelled:
        Proposal.objects.filter(round_id=round_id).delete()
        ProposalRound.objects.filter(pk=round_id).update(
            status=RoundStatus.CANCELLED, progress_at=_now())
        return ProposalRound.objects.get(pk=round_id)
    except Exception:
        Proposal.objects.filter(round_id=round_id).delete()
        ProposalRound.objects.filter(pk=round_id, status=RoundStatus.PREPARING).update(
            status=RoundStatus.FAILED, progress_at=_now(),
            error=_("The round could not be prepared; the error was reported."))
        raise


@dataclass
class _Drafted:
    people: dict
    volunteers: dict
    result: rounds.RoundResult
    labels: dict
    rarity: dict
    figures: dict
    weights: pairs.Weights = pairs.DEFAULT_WEIGHTS


def _round_compute(proposal_round, progress, on):
    organisation_id = proposal_round.organisation_id
    settings = profiles.matching_settings(organisation_id)
    weights = profiles.weights_of(settings)
    progress(RoundStage.READING, 0.0, force=True)
    with profiles.collector_paused():
        people = profiles.participant_profiles(waiting_participants(organisation_id), on)
        progress(RoundStage.READING, 0.5)
        volunteers = profiles.volunteer_profiles(available_volunteers(organisation_id, on), on)
    rarity = profiles.interest_rarity(organisation_id)
    labels = profiles.interest_labels(organisation_id)
    excluded = excluded_pairs(organisation_id)
    result = rounds.run_round(people, volunteers, k=settings.shortlist_size, weights=weights,
                              rarity=rarity, excluded_pairs=excluded, progress=progress.scoring)
    return _Drafted(people={p.id: p for p in people}, volunteers={v.id: v for v in volunteers},
                    result=result, labels=labels, rarity=rarity,
                    figures={"proof": result.proof}, weights=weights)


def _round_write(proposal_round, drafted, progress):
    result = drafted.result
    served = list(result.proposals)
    progress(RoundStage.WRITING, 0.0)
    for start in range(0, len(served), ROUND_WRITE_BATCH):
        batch = served[start:start + ROUND_WRITE_BATCH]
        pairs_ = [(pid, vid) for pid in batch for vid in result.proposals[pid]]
        # The score's parts, kept for "what makes a duo last" (outcomes), outside the
        # transaction like the reasons.
        parts = {(pid, vid): _parts(drafted.people[pid], drafted.volunteers[vid],
                                    drafted.weights, drafted.rarity) for pid, vid in pairs_}
        reasons = {}
        for language in LANGUAGES:  # one switch of language per batch, not per pair
            with translation.override(language):
                labels = drafted.labels[language]
                for pid, vid in pairs_:
                    reasons.setdefault((pid, vid), {})[language] = list(pairs.reasons(
                        drafted.people[pid], drafted.volunteers[vid], language, labels,
                        drafted.rarity))
        with transaction.atomic():
            proposals = Proposal.objects.bulk_create([
                Proposal(organisation_id=proposal_round.organisation_id, round=proposal_round,
                         participant_id=pid, created_by=proposal_round.created_by)
                for pid in batch])
            ProposalCandidate.objects.bulk_create([
                ProposalCandidate(
                    proposal=proposal, volunteer_id=vid, position=position,
                    score=round(result.scores[proposal.participant_id][position - 1], 2),
                    reasons=reasons[(proposal.participant_id, vid)],
                    parts=parts[(proposal.participant_id, vid)])
                for proposal in proposals
                for position, vid in enumerate(result.proposals[proposal.participant_id],
                                               start=1)])
        progress(RoundStage.WRITING, (start + len(batch)) / max(len(served), 1))


def _round_finish(proposal_round, drafted, progress):
    with transaction.atomic():
        # The earlier drafts are locked (with this round, in id order) before their
        # proposals and candidates go: a round being sent or edited now finishes first.
        earlier = list(ProposalRound.objects.filter(
            organisation_id=proposal_round.organisation_id, status=RoundStatus.DRAFT)
            .values_list("pk", flat=True))
        locked = locks.lock(rounds=[proposal_round.pk, *earlier])
        current = locked.get(ProposalRound, proposal_round.pk)
        if current.cancel_requested or current.status != RoundStatus.PREPARING:
            raise RoundCancelled
        ProposalRound.objects.filter(pk__in=earlier, status=RoundStatus.DRAFT).delete()
        result = drafted.result
        current.status = RoundStatus.DRAFT
        current.stage = RoundStage.DONE
        current.progress = 100.0
        current.progress_at = current.prepared_at = _now()
        current.waiting_count = len(drafted.people)
        current.volunteer_count = len(drafted.volunteers)
        current.total_score = result.total_score
        current.figures = {**drafted.figures, "seconds": progress.seconds,
                           "served": len(result.proposals),
                           "candidates": int(len(result.participant))}
        current.save()
    return current


def _draft_candidate(candidate_id, volunteer=None):
    """The candidate of a draft, locked in the one order: its round (round_send holds it while
    it sends), the volunteer who takes its place, its proposal, the candidate."""
    proposal_id, round_id = ProposalCandidate.objects.values_list(
        "proposal_id", "proposal__round_id").get(pk=candidate_id)
    proposal_round = locks.lock(rounds=[round_id]).of(ProposalRound).get(round_id)
    locked = locks.lock(volunteers=[volunteer.pk if volunteer else None],
                        proposals=[proposal_id], candidates=[candidate_id])
    candidate = locked.get(ProposalCandidate, candidate_id)
    candidate.proposal = locked.get(Proposal, candidate.proposal_id)
    if candidate.proposal.status != ProposalStatus.DRAFT or (
            proposal_round and proposal_round.status != RoundStatus.DRAFT):
        _refuse(_("This round was sent already; it cannot be changed."), "closed")
    return candidate


def round_remove_candidate(*, candidate) -> None:
    """Takes a volunteer off a draft proposal (the numbers close up); a proposal left
    without candidates is dropped from the round. Nobody is told."""
    with transaction.atomic():
        candidate = _draft_candidate(candidate.pk)
        proposal = candidate.proposal
        candidate.delete()
        rest = list(proposal.candidates.order_by("position"))
        if not rest:
            proposal.delete()
            return
        for position, other in enumerate(rest, start=1):
            if other.position != position:
                other.position = position
                other.save(update_fields=["position"])


def _pair_score(participant, volunteer, on=None):
    """(score, reasons per language) of a pair, or a ValidationError naming the hard rule."""
    organisation_id = participant.organisation_id
    settings = profiles.matching_settings(organisation_id)
    weights = profiles.weights_of(settings)
    person = profiles.participant_profiles(Participant.objects.filter(pk=participant.pk), on)[0]
    found = profiles.volunteer_profiles(
        available_volunteers(organisation_id, on).filter(pk=volunteer.pk), on)
    if not found:
        _refuse(_("%(name)s cannot be proposed now: not ready, no free place, or already in "
                  "another proposal.") % {"name": volunteer.display_name}, "volunteer_taken")
    rarity = profiles.interest_rarity(organisation_id)
    failures = pairs.hard_rule_failures(person, found[0], weights,
                                          excluded_pairs(organisation_id))
    if failures:
        _refuse(_("%(name)s does not fit: %(rules)s.") % {
            "name": volunteer.display_name,
            "rules": ", ".join(str(HARD_RULE_NAMES.get(f, f)) for f in failures)},
            "hard_rule")
    score = pairs.score_pair(person, found[0], weights, rarity)
    labels = profiles.interest_labels(organisation_id)
    return (round(score, 2), _reasons_all_languages(person, found[0], labels, rarity),
            _parts(person, found[0], weights, rarity))


def _parts(person, volunteer, weights, rarity) -> dict:
    """The score's parts of a pair as kept on the candidate (rounded: a JSON of five)."""
    return {name: round(value, 4)
            for name, value in pairs.score_parts(person, volunteer, weights, rarity).items()}


HARD_RULE_NAMES = {
    pairs.NOT_READY: gettext_lazy("not ready or no free place"),
    pairs.NO_LANGUAGE: gettext_lazy("no common language"),
    pairs.MUST_WISH: gettext_lazy("a wish marked as a must is not met"),
    pairs.NO_TIME: gettext_lazy("no common free moment"),
    pairs.TOO_FAR: gettext_lazy("lives too far away"),
    pairs.EXCLUDED: gettext_lazy("declined or ended before"),
}


def round_swap_candidate(*, candidate, volunteer) -> ProposalCandidate:
    """Puts another available volunteer in a draft proposal's place (hard rules checked,
    not twice in the round). Nobody is told."""
    with transaction.atomic():
        candidate = _draft_candidate(candidate.pk, volunteer)
        proposal = candidate.proposal
        if volunteer.organisation_id != proposal.organisation_id:
            _refuse(_("This volunteer is not in your organisation."), "foreign")
        in_round = ProposalCandidate.objects.filter(volunteer=volunteer)
        in_round = in_round.filter(proposal__round=proposal.round) if proposal.round_id else (
            in_round.filter(proposal=proposal))
        if in_round.exclude(pk=candidate.pk).exists():
            _refuse(_("%(name)s is already proposed in this round.")
                    % {"name": volunteer.display_name}, "volunteer_taken")
        score, reasons, parts = _pair_score(proposal.participant, volunteer)
        candidate.volunteer = volunteer
        candidate.score = score
        candidate.reasons = reasons
        candidate.parts = parts
        candidate.save(update_fields=["volunteer", "score", "reasons", "parts"])
        return candidate


def _open_proposal(proposal, now, valid_days):
    proposal.status = ProposalStatus.OPEN
    proposal.sent_at = now
    proposal.expires_at = now + timedelta(days=valid_days)
    proposal.save(update_fields=["status", "sent_at", "expires_at"])


def round_send(*, proposal_round, by=None) -> ProposalRound:
    """Sends a reviewed round: its proposals open, the participants' status becomes
    "proposal open", and each participant gets their link. Twice is the same as once."""
    with transaction.atomic():
        proposal_round = locks.lock(rounds=[proposal_round.pk]).get(ProposalRound,
                                                                     proposal_round.pk)
        if proposal_round.status == RoundStatus.SENT:
            return proposal_round
        settings = profiles.matching_settings(proposal_round.organisation_id)
        now = _now()
        # Who and what the drafts hold, stable while we hold the round (its edits take it
        # first); then their rows in the one order, before anything is read to decide.
        drafts = list(proposal_round.proposals.filter(status=ProposalStatus.DRAFT)
                      .values_list("pk", "participant_id"))
        held = list(ProposalCandidate.objects.filter(proposal_id__in=[pk for pk, _ in drafts])
                    .values_list("pk", "volunteer_id"))
        locked = locks.lock(participants=[person for _, person in drafts],
                            volunteers=[volunteer for _, volunteer in held],
                            proposals=[pk for pk, _ in drafts],
                            candidates=[pk for pk, _ in held])
        candidates_of = {}
        for candidate in sorted(locked.of(ProposalCandidate).values(),
                                key=lambda c: c.position):
            candidates_of.setdefault(candidate.proposal_id, []).append(candidate)
        busy = set(busy_volunteer_ids().values_list("pk", flat=True))
        available = set(available_volunteers(proposal_round.organisation_id)
                        .values_list("pk", flat=True))
        in_progress = set(Proposal.objects.filter(status__in=IN_PROGRESS)
                          .values_list("participant_id", flat=True))
        sent = []
        for proposal_id, participant_id in drafts:
            proposal = locked.get(Proposal, proposal_id)
            participant = locked.get(Participant, participant_id)
            candidates = candidates_of.get(proposal_id, [])
            free = [c for c in candidates
                    if c.volunteer_id in available and c.volunteer_id not in busy]
            if (participant.status != ParticipantStatus.WAITING
                    or participant.pk in in_progress or not free):
                proposal.status = ProposalStatus.WITHDRAWN
                proposal.reason = _("Not sent: the participant or the volunteers were no "
                                    "longer free.")
                proposal.save(update_fields=["status", "reason"])
                continue
            for candidate in candidates:
                if candidate in free:
                    candidate.is_open = True
                    busy.add(candidate.volunteer_id)
                else:
                    candidate.status = CandidateStatus.WITHDRAWN
                candidate.save(update_fields=["is_open", "status"])
            _open_proposal(proposal, now, settings.link_valid_days)
            Participant.objects.filter(pk=participant.pk).update(
                status=ParticipantStatus.PROPOSAL_OPEN, updated_at=now)
            sent.append(proposal.pk)
        versions.proposals_changed(proposal_round.organisation_id)
        proposal_round.status = RoundStatus.SENT
        proposal_round.sent_at = now
        proposal_round.save(update_fields=["status", "sent_at"])
        for proposal_id in sent:
            _tell(messaging.send_proposal_to_participant, proposal_id)
    return proposal_round


def proposal_create_single(*, participant, volunteers, by=None) -> Proposal:
    """A one-off proposal from the short list: opens it with these volunteers (hard rules
    checked), the participant's status becomes "proposal open", they get their link."""
    settings = profiles.matching_settings(participant.organisation_id)
    volunteers = list(dict.fromkeys(volunteers))
    if not volunteers:
        _refuse(_("Choose at least one volunteer."), "empty")
    if len(volunteers) > settings.shortlist_size:
        _refuse(_("At most %(k)d volunteers in one proposal.") % {"k": settings.shortlist_size},
                "too_many")
    try:
        with transaction.atomic():
            versions.proposals_changed(participant.organisation_id)
            # The person and the volunteers first, as round_send takes them: one of the two
            # waits for the other and then sees who is free.
            locked = locks.lock(participants=[participant.pk],
                                volunteers=[v.pk for v in volunteers])
            participant = locked.get(Participant, participant.pk)
            volunteers = [locked.of(Volunteer).get(v.pk, v) for v in volunteers]
            if participant.status != ParticipantStatus.WAITING or Proposal.objects.filter(
                    participant=participant, status__in=IN_PROGRESS).exists():
                _refuse(_("%(name)s is not waiting or already has a proposal open.")
                        % {"name": participant.display_name}, "closed")
            scored = [(v, *_pair_score(participant, v)) for v in volunteers]
            proposal = Proposal.objects.create(organisation_id=participant.organisation_id,
                                               participant=participant, created_by=by)
            ProposalCandidate.objects.bulk_create([
                ProposalCandidate(proposal=proposal, volunteer=v, position=n, score=score,
                                  reasons=reasons, parts=parts, is_open=True)
                for n, (v, score, reasons, parts) in enumerate(scored, start=1)
            ])
            _open_proposal(proposal, _now(), settings.link_valid_days)
            participant.status = ParticipantStatus.PROPOSAL_OPEN
            participant.save(update_fields=["status", "updated_at"])
            _tell(messaging.send_proposal_to_participant, proposal.pk)
    except IntegrityError:
        _refuse(_("Someone else proposed one of these volunteers at the same moment. "
                  "Look at the short list again."), "volunteer_taken")
    return proposal


# The participant's answer ---------------------------------------------------------------


def _locked_proposal(proposal_id):
    """The proposal and its participant, locked in the one order (the participant first)."""
    participant_id = Proposal.objects.values_list("participant_id", flat=True).get(
        pk=proposal_id)
    locked = locks.lock(participants=[participant_id], proposals=[proposal_id])
    proposal = locked.get(Proposal, proposal_id)
    proposal.participant = locked.get(Participant, participant_id)
    return proposal


def _check_answerable(proposal, channel, now):
    """Refuses an answer to a (locked) proposal that cannot take one now."""
    if proposal.status in (ProposalStatus.CHOSEN, ProposalStatus.MATCHED):
        _refuse(_("Your choice was received already. Nothing has changed."),
                "already_answered")
    if proposal.status == ProposalStatus.NONE_OF_THESE:
        _refuse(_("Your answer was received already. Nothing has changed."),
                "already_answered")
    if proposal.status not in ANSWERABLE:
        _refuse(_("This proposal is closed. Please call your coordinator."), "closed")
    if channel in (AnswerChannel.LINK, AnswerChannel.SMS) and tokens.is_expired(proposal, now):
        _refuse(_("This proposal has expired. Please call your coordinator."), "expired")


def _close_call_tasks(proposal, by=None):
    ProposalCallTask.objects.filter(proposal=proposal, status=CallTaskStatus.OPEN).update(
        status=CallTaskStatus.DONE, done_at=_now(), done_by=by)


def proposal_choose(proposal, candidate_position, channel, recorded_by=None) -> Proposal:
    """The participant chooses a candidate: the proposal is chosen, the other volunteers are
    free again, and the chosen volunteer is asked to accept (both are told)."""
    now = _now()
    try:
        position = int(candidate_position)
    except (TypeError, ValueError):
        position = None
    with transaction.atomic():
        versions.proposals_changed(proposal.organisation_id)
        # The volunteer before the proposal and the candidate (the one order): who stands at
        # a number of a sent proposal does not change, so it is read before the locks.
        chosen = (ProposalCandidate.objects.filter(proposal_id=proposal.pk, position=position)
                  .values_list("pk", "volunteer_id").first() if position else None)
        candidate_id, volunteer_id = chosen or (None, None)
        locked = locks.lock(volunteers=[volunteer_id], proposals=[proposal.pk],
                            candidates=[candidate_id])
        proposal = locked.get(Proposal, proposal.pk)
        _check_answerable(proposal, channel, now)
        candidate = locked.of(ProposalCandidate).get(candidate_id)
        if candidate is None or candidate.status in (CandidateStatus.WITHDRAWN,):
            _refuse(_("There is no number %(n)s in this proposal.")
                    % {"n": candidate_position}, "unknown_candidate")
        if candidate.status != CandidateStatus.OFFERED or not candidate.is_open:
            _refuse(_("Sorry, %(name)s is no longer free. Please choose someone else.")
                    % {"name": candidate.volunteer.preferred_name
                       or candidate.volunteer.first_name}, "volunteer_taken")
        proposal.candidates.exclude(pk=candidate.pk).filter(
            status=CandidateStatus.OFFERED).update(status=CandidateStatus.NOT_CHOSEN,
                                                   is_open=False)
        candidate.status = CandidateStatus.CHOSEN
        candidate.save(update_fields=["status"])
        proposal.status = ProposalStatus.CHOSEN
        proposal.answered_at = now
        proposal.channel = channel
        proposal.recorded_by = recorded_by
        proposal.save(update_fields=["status", "answered_at", "channel", "recorded_by"])
        _close_call_tasks(proposal, recorded_by)
        offer = VolunteerOffer.objects.create(
            organisation_id=proposal.organisation_id, candidate=candidate, proposal=proposal,
            volunteer_id=candidate.volunteer_id,
        )
        _tell(messaging.confirm_choice_to_participant, proposal.pk)
        _tell(messaging.ask_volunteer_to_accept, offer.pk)
    return proposal


def _back_to_waiting(participant):
    # Declining is never punished: the original waiting date stays.
    Participant.objects.filter(pk=participant.pk, status=ParticipantStatus.PROPOSAL_OPEN).update(
        status=ParticipantStatus.WAITING, updated_at=_now())
    versions.proposals_changed(participant.organisation_id)


def proposal_none_of_these(proposal, channel, reason="", recorded_by=None) -> Proposal:
    """The participant wants none of these volunteers: they go back to waiting with their
    original date, the volunteers are free again (this pair is not proposed again)."""
    with transaction.atomic():
        versions.proposals_changed(proposal.organisation_id)
        proposal = _locked_proposal(proposal.pk)
        _check_answerable(proposal, channel, _now())
        proposal.candidates.filter(status=CandidateStatus.OFFERED).update(
            status=CandidateStatus.NOT_CHOSEN, is_open=False)
        proposal.status = ProposalStatus.NONE_OF_THESE
        proposal.answered_at = _now()
        proposal.channel = channel
        proposal.recorded_by = recorded_by
        proposal.reason = (reason or "")[:300]
        proposal.save(update_fields=["status", "answered_at", "channel", "recorded_by",
                                     "reason"])
        _close_call_tasks(proposal, recorded_by)
        _back_to_waiting(proposal.participant)
        _tell(messaging.confirm_answer_to_participant, proposal.pk)
    return proposal


def proposal_call_me(proposal, channel, recorded_by=None) -> Proposal:
    """The participant asks to be called: a call task for the coordinator (once); the
    proposal stays open."""
    with transaction.atomic():
        proposal = locks.lock(proposals=[proposal.pk]).get(Proposal, proposal.pk)
        _check_answerable(proposal, channel, _now())
        if proposal.status != ProposalStatus.CALL_ME:
            proposal.status = ProposalStatus.CALL_ME
            proposal.channel = channel
            proposal.save(update_fields=["status", "channel"])
        if not proposal.call_tasks.filter(status=CallTaskStatus.OPEN).exists():
            ProposalCallTask.objects.create(organisation_id=proposal.organisation_id,
                                            proposal=proposal, reason=CallTaskReason.CALL_ME)
            _tell(messaging.confirm_answer_to_participant, proposal.pk)
    return proposal


def proposal_withdraw(*, proposal, by=None, reason="") -> Proposal:
    """The coordinator withdraws an open proposal (or one whose participant left):
    volunteers free, participant back to waiting with their date. Nobody is told (the
    coordinator tells them)."""
    with transaction.atomic():
        versions.proposals_changed(proposal.organisation_id)
        proposal = _locked_proposal(proposal.pk)
        left = proposal.participant.status == ParticipantStatus.WITHDRAWN
        if proposal.status not in ANSWERABLE and not (left and proposal.status in IN_PROGRESS):
            _refuse(_("Only an open proposal can be withdrawn."), "closed")
        proposal.candidates.filter(is_open=True).update(status=CandidateStatus.WITHDRAWN,
                                                        is_open=False)
        proposal.offers.filter(status=OfferStatus.ASKED).update(status=OfferStatus.WITHDRAWN)
        proposal.status = ProposalStatus.WITHDRAWN
        proposal.reason = reason[:300]
        proposal.recorded_by = by
        proposal.save(update_fields=["status", "reason", "recorded_by"])
        _close_call_tasks(proposal, by)
        _back_to_waiting(proposal.participant)
    return proposal


@dataclass(frozen=True)
class Reply:
    kind: str  # CHOICE, NONE or CALL
    number: int | None = None


def parse_reply(parsed) -> Reply | None:
    """A reply as notifications parsed it (an object with `kind`/`answer` and `number`), or
    the raw text of the SMS ("2", "NEE", "appel"), as a Reply; None when not understood."""
    if parsed is None or isinstance(parsed, str):
        parsed = keywords.parse(parsed or "")  # the one reading of reply words
    kind = getattr(parsed, "kind", None) or getattr(parsed, "answer", None)
    number = getattr(parsed, "number", None)
    if kind == CHOICE and number is not None:
        return Reply(NONE) if int(number) == 0 else Reply(CHOICE, int(number))
    if kind in (NONE, "no"):
        return Reply(NONE)
    if kind == CALL:
        return Reply(CALL)
    return None


def handle_proposal_reply(proposal, parsed) -> Proposal:
    """An SMS reply to a proposal: a number chooses that candidate, "none"/"call me" words
    answer as on the page. A reply not understood raises ValidationError (code
    `not_understood`); nothing changes then."""
    reply = parse_reply(parsed)
    if reply is None:
        language = translation.get_language()
        _refuse(_("Reply with the number of the person you choose, %(none)s for none, or "
                  "%(call)s to be called.") % {"none": keywords.reply_word(NONE, language),
                                               "call": keywords.reply_word(CALL, language)},
                "not_understood")
    if reply.kind == CHOICE:
        return proposal_choose(proposal, reply.number, AnswerChannel.SMS)
    if reply.kind == NONE:
        return proposal_none_of_these(proposal, AnswerChannel.SMS)
    return proposal_call_me(proposal, AnswerChannel.SMS)


# Unanswered proposals ---------------------------------------------------------------------


def proposal_remind(*, proposal) -> bool:
    """Reminds the participant of an unanswered proposal, once; returns whether it did."""
    with transaction.atomic():
        proposal = locks.lock(proposals=[proposal.pk]).get(Proposal, proposal.pk)
        if proposal.status != ProposalStatus.OPEN or proposal.reminded_at is not None:
            return False
        proposal.reminded_at = _now()
        # The reminder's fresh link gives a fresh answer window.
        proposal.expires_at = proposal.reminded_at + timedelta(
            days=profiles.matching_settings(proposal.organisation_id).link_valid_days)
        proposal.save(update_fields=["reminded_at", "expires_at"])
        _tell(messaging.remind_participant, proposal.pk)
    return True


def proposal_to_call_task(*, proposal) -> bool:
    """An unanswered proposal becomes a task for the coordinator to call, once."""
    with transaction.atomic():
        proposal = locks.lock(proposals=[proposal.pk]).get(Proposal, proposal.pk)
        if proposal.status != ProposalStatus.OPEN:
            return False
        proposal.status = ProposalStatus.CALL_TASK
        proposal.save(update_fields=["status"])
        task = proposal.call_tasks.filter(status=CallTaskStatus.OPEN).first()
        new = task is None
        if new:
            task = ProposalCallTask.objects.create(
                organisation_id=proposal.organisation_id, proposal=proposal,
                reason=CallTaskReason.NO_ANSWER)
        # The coordinator's item of this room: the reminders' page shows that it was made.
        journal.note(f"matching.call_task:{task.pk}", f"participant:{proposal.participant_id}",
                     new=new)
    return True


def call_task_done(*, task, by=None) -> ProposalCallTask:
    """The coordinator called: the task is done (the answer is recorded separately)."""
    with transaction.atomic():
        task = ProposalCallTask.objects.select_for_update().get(pk=task.pk)
        if task.status == CallTaskStatus.OPEN:
            task.status = CallTaskStatus.DONE
            task.done_at = _now()
            task.done_by = by
            task.save(update_fields=["status", "done_at", "done_by"])
    return task


# The volunteer's answer -----------------------------------------------------------------


def _reoffer_or_back_to_waiting(proposal, settings):
    """After the chosen volunteer said no: the proposal's other volunteers who are still
    free are offered again, or the participant goes back to waiting with their date."""
    free = set(available_volunteers(proposal.organisation_id).values_list("pk", flat=True))
    rest = [c for c in proposal.candidates.filter(status=CandidateStatus.NOT_CHOSEN)
            if c.volunteer_id in free]
    if rest:
        for candidate in rest:
            candidate.status = CandidateStatus.OFFERED
            candidate.is_open = True
            candidate.save(update_fields=["status", "is_open"])
        proposal.status = ProposalStatus.OPEN
        proposal.answered_at = None
        proposal.channel = ""
        proposal.reminded_at = None
        _open_proposal(proposal, _now(), settings.link_valid_days)
        proposal.save(update_fields=["answered_at", "channel", "reminded_at"])
        _tell(messaging.send_proposal_to_participant, proposal.pk)
        return
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.reason = _("The chosen volunteer could not go on; nobody else was free.")
    proposal.save(update_fields=["status", "reason"])
    _back_to_waiting(proposal.participant)
    _tell(messaging.tell_participant_back_on_waiting_list, proposal.pk)


def _locked_offer(offer_id):
    """The offer with its participant, its proposal's volunteers (offered again after a
    "no"), the proposal and its candidates, locked in the one order (the offer last)."""
    proposal_id, participant_id = VolunteerOffer.objects.values_list(
        "proposal_id", "proposal__participant_id").get(pk=offer_id)
    held = list(ProposalCandidate.objects.filter(proposal_id=proposal_id)
                .values_list("pk", "volunteer_id"))
    locked = locks.lock(participants=[participant_id],
                        volunteers=[volunteer for _, volunteer in held],
                        proposals=[proposal_id], candidates=[pk for pk, _ in held],
                        offers=[offer_id])
    offer = locked.get(VolunteerOffer, offer_id)
    offer.proposal = locked.get(Proposal, proposal_id)
    offer.proposal.participant = locked.get(Participant, participant_id)
    offer.candidate = locked.get(ProposalCandidate, offer.candidate_id)
    return offer


def offer_answer(*, offer, accept: bool, channel, recorded_by=None, reason="") -> VolunteerOffer:
    """The chosen volunteer accepts (the coordinator plans the introduction meeting) or
    declines (the participant gets the remaining candidates or keeps their place)."""
    now = _now()
    with transaction.atomic():
        versions.proposals_changed(offer.organisation_id)
        offer = _locked_offer(offer.pk)
        if offer.status != OfferStatus.ASKED:
            _refuse(_("Your answer was received already. Nothing has changed."),
                    "already_answered")
        if channel == AnswerChannel.LINK and tokens.is_expired(offer, now):
            _refuse(_("This link has expired. Please call your coordinator."), "expired")
        offer.status = OfferStatus.ACCEPTED if accept else OfferStatus.DECLINED
        offer.answered_at = now
        offer.channel = channel
        offer.recorded_by = recorded_by
        offer.reason = (reason or "")[:300]
        offer.save(update_fields=["status", "answered_at", "channel", "recorded_by", "reason"])
        if not accept:
            candidate = offer.candidate
            candidate.status = CandidateStatus.WITHDRAWN
            candidate.is_open = False
            candidate.save(update_fields=["status", "is_open"])
            _reoffer_or_back_to_waiting(offer.proposal,
                                        profiles.matching_settings(offer.organisation_id))
    return offer


# The introduction meeting ---------------------------------------------------------------


def meeting_plan(*, offer, planned_at, place, by=None) -> IntroductionMeeting:
    """The coordinator plans (or moves) the introduction meeting; both are told."""
    if not (place or "").strip():
        raise ValidationError({"place": [_("Say where they meet.")]})
    with transaction.atomic():
        # The new meeting points to both people, which locks them: they come first.
        participant_id, volunteer_id = VolunteerOffer.objects.values_list(
            "proposal__participant_id", "volunteer_id").get(pk=offer.pk)
        offer = locks.lock(participants=[participant_id], volunteers=[volunteer_id],
                           offers=[offer.pk]).get(VolunteerOffer, offer.pk)
        if offer.status != OfferStatus.ACCEPTED:
            _refuse(_("The volunteer has not accepted yet."), "closed")
        meeting_id = (IntroductionMeeting.objects.filter(offer=offer)
                      .values_list("pk", flat=True).first())
        meeting = locks.lock(meetings=[meeting_id]).of(IntroductionMeeting).get(meeting_id)
        if meeting is not None and meeting.status != MeetingStatus.PLANNED:
            _refuse(_("This introduction meeting was held already."), "closed")
        settings = profiles.matching_settings(offer.organisation_id)
        if meeting is None:
            meeting = IntroductionMeeting(
                organisation_id=offer.organisation_id, offer=offer,
                participant_id=participant_id, volunteer_id=volunteer_id,
                second_meeting_needed=settings.second_meeting_required, planned_by=by,
            )
        meeting.planned_at = planned_at
        meeting.place = place.strip()[:200]
        meeting.save()
        _tell(messaging.invite_to_introduction_meeting, meeting.pk)
    return meeting


def meeting_record_held(*, meeting, held_on, second=False, next_planned_at=None):
    """The coordinator records that the (first or second) meeting took place."""
    with transaction.atomic():
        meeting = locks.lock(meetings=[meeting.pk]).get(IntroductionMeeting, meeting.pk)
        if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.HELD):
            _refuse(_("Both answered already."), "closed")
        planned = meeting.second_planned_at if second else meeting.planned_at
        if held_on > timezone.localdate():
            _refuse(_("A meeting cannot be held in the future."), "future")
        if planned is not None and held_on < timezone.localdate(planned):
            _refuse(_("This meeting is planned for %(date)s: it cannot have been held yet. "
                      "Plan it again if it moved.")
                    % {"date": formats.date_format(timezone.localtime(planned), "j F Y")},
                    "future")
        if second:
            if meeting.held_on is None:
                _refuse(_("Record the first meeting first."), "closed")
            meeting.second_held_on = held_on
        else:
            meeting.held_on = held_on
            if next_planned_at is not None:
                meeting.second_planned_at = next_planned_at
        meeting.status = MeetingStatus.HELD
        meeting.save()
    return meeting


def _locked_meeting(meeting_id):
    """The meeting with its participant, volunteer, proposal and candidate, locked in the
    one order (the meeting last); its offer is read, not locked: nothing here changes it."""
    found = IntroductionMeeting.objects.select_related("offer").get(pk=meeting_id)
    offer = found.offer
    locked = locks.lock(participants=[found.participant_id], volunteers=[found.volunteer_id],
                        proposals=[offer.proposal_id], candidates=[offer.candidate_id],
                        meetings=[meeting_id])
    meeting = locked.get(IntroductionMeeting, meeting_id)
    meeting.offer = offer
    offer.proposal = locked.get(Proposal, offer.proposal_id)
    offer.candidate = locked.get(ProposalCandidate, offer.candidate_id)
    meeting.participant = offer.proposal.participant = locked.get(Participant,
                                                                  meeting.participant_id)
    meeting.volunteer = locked.get(Volunteer, meeting.volunteer_id)
    return meeting


def meeting_record_answer(*, meeting, side, goes_on: bool, by=None) -> IntroductionMeeting:
    """The coordinator records whether the participant or the volunteer goes on; a "no"
    sends both back (this pair is not proposed again), two "yes" confirm the match."""
    if side not in ("participant", "volunteer"):
        raise ValueError(side)
    with transaction.atomic():
        versions.proposals_changed(meeting.organisation_id)
        meeting = _locked_meeting(meeting.pk)
        if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.HELD):
            _refuse(_("Both answered already."), "closed")
        if not meeting.ready_to_decide:
            _refuse(_("Record the meeting first (and the second meeting, if your organisation "
                      "asks for one)."), "too_early")
        setattr(meeting, f"{side}_goes_on", GoOn.YES if goes_on else GoOn.NO)
        meeting.save()
        if not goes_on:
            meeting.status = MeetingStatus.STOPPED
            meeting.save(update_fields=["status"])
            candidate = meeting.offer.candidate
            candidate.is_open = False
            candidate.save(update_fields=["is_open"])
            proposal = meeting.offer.proposal
            proposal.status = ProposalStatus.WITHDRAWN
            proposal.reason = _("Not going on after the introduction meeting.")
            proposal.save(update_fields=["status", "reason"])
            _back_to_waiting(proposal.participant)
        elif meeting.participant_goes_on == GoOn.YES and meeting.volunteer_goes_on == GoOn.YES:
            match_confirm(meeting=meeting, by=by)
    return meeting


# The match: both said yes after the introduction meeting ------------------------------------


def match_confirm(*, meeting, by=None):
    """Both said yes: the match is confirmed, the participant is matched, and the match is
    handed to duos (matching.handover); nobody is told here (duos takes over)."""
    with transaction.atomic():
        # The match and the duo point to both people: they are locked first (the one order),
        # so the hand-over to duos takes no lock out of order.
        meeting = _locked_meeting(meeting.pk)
        existing = Match.objects.filter(proposal_id=meeting.offer.proposal_id).first()
        if existing is not None:
            return existing
        proposal = meeting.offer.proposal
        participant = meeting.participant
        match = Match.objects.create(
            organisation_id=meeting.organisation_id, participant=participant,
            volunteer=meeting.volunteer, proposal=proposal, confirmed_by=by,
        )
        meeting.status = MeetingStatus.CONFIRMED
        meeting.save(update_fields=["status", "updated_at"])
        proposal.status = ProposalStatus.MATCHED
        proposal.save(update_fields=["status"])
        candidate = meeting.offer.candidate
        candidate.is_open = False
        candidate.save(update_fields=["is_open"])
        participant_mark_matched(participant=participant)
        handover.start_duo(match, started_by=by)
    return match


WEIGHT_FIELDS = {"interests": "weight_interests", "availability": "weight_availability",
                 "proximity": "weight_proximity",
                 "participant_wishes": "weight_participant_wishes",
                 "volunteer_wishes": "weight_volunteer_wishes"}


@transaction.atomic
def matching_weights_set(*, organisation, weights: dict) -> MatchingSettings:
    """Sets the weights of the score's parts (a coordinator applying a suggestion of "what
    makes a duo last"); short lists and rounds use them from now on."""
    unknown = set(weights) - set(WEIGHT_FIELDS)
    if unknown or any(not isinstance(v, int | float) or v < 0 for v in weights.values()):
        _refuse(_("A weight is unknown or below zero."), "weights")
    if weights and not sum(weights.values()):
        _refuse(_("At least one weight must be above zero."), "weights")
    settings = profiles.matching_settings(organisation)
    settings = MatchingSettings.objects.select_for_update().get(pk=settings.pk)
    for name, value in weights.items():
        setattr(settings, WEIGHT_FIELDS[name], round(float(value), 1))
    settings.save(update_fields=[WEIGHT_FIELDS[name] for name in weights])
    # Kept short lists and blocks were scored with the old weights.
    versions.participants_changed(settings.organisation_id)
    versions.volunteers_changed(settings.organisation_id)
    return settings
