"""The one order in which matching's services lock rows, so that two of them never wait for
each other (a deadlock, a 500 for one of the two people).

Every service that locks more than one row takes its locks through `lock`, in this order, each
kind by id in one statement:

    proposal rounds → participants → volunteers → proposals → candidates → offers
    → introduction meetings

A service may skip kinds, and may call `lock` again later in its transaction, but only for
kinds after the last one it locked. A lock it needs on a lower kind is taken first: the ids
come from a plain read before (a proposal's participant, an offer's volunteer never change),
and the service checks the state it needs once it holds the locks. Inserting a row that points
to a participant or a volunteer takes a lock on them too (PostgreSQL's key-share lock for the
foreign key): a service locks them here before it inserts, as `meeting_plan` and
`match_confirm` do.

Below matching.proposals the same order holds with one row at a time: intake's services lock
one participant or one volunteer; duos lock the duo first (nothing locks a duo after a person),
then, through intake's services, its participant before its volunteer.
"""

from django.db import transaction
from django.db.transaction import TransactionManagementError

from matching.intake.models import Participant, Volunteer

from .models import (
    IntroductionMeeting,
    Proposal,
    ProposalCandidate,
    ProposalRound,
    VolunteerOffer,
)

ORDER = (ProposalRound, Participant, Volunteer, Proposal, ProposalCandidate, VolunteerOffer,
         IntroductionMeeting)


class Locked:
    """The rows `lock` holds, fresh from the database, by model and id."""

    def __init__(self, rows):
        self._rows = rows

    def of(self, model) -> dict:
        """The locked rows of one model, by id (those that exist and are in scope)."""
        return self._rows.get(model, {})

    def get(self, model, pk):
        """One locked row; model.DoesNotExist when it is gone, as `.get()` would say."""
        try:
            return self._rows[model][pk]
        except KeyError:
            raise model.DoesNotExist(f"{model.__name__} {pk} does not exist.") from None


def lock(*, rounds=(), participants=(), volunteers=(), proposals=(), candidates=(), offers=(),
         meetings=()) -> Locked:
    """Locks these rows (select_for_update, by id) until the transaction ends, in the one order
    above whatever order the arguments come in; returns them."""
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError(
            "lock() holds rows until the caller's transaction ends: call it inside one.")
    wanted = (rounds, participants, volunteers, proposals, candidates, offers, meetings)
    rows = {}
    with transaction.atomic():  # a savepoint of the caller's transaction
        for model, ids in zip(ORDER, wanted, strict=True):
            ids = sorted({pk for pk in ids if pk is not None})
            if ids:
                # ORDER BY before FOR UPDATE: PostgreSQL locks the rows in that order. `of`
                # keeps the lock on this table when the organisation scope joins another one.
                rows[model] = {row.pk: row for row in
                               model.objects.select_for_update(of=("self",))
                               .filter(pk__in=ids).order_by("pk")}
    return Locked(rows)
