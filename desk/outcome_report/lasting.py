"""What makes a duo last: for the duos that ended, the length they lasted against the length
they agreed (1.0: the agreed period in full), related to the match score and to each of its
parts as kept when the volunteer was proposed (matching's ProposalCandidate.parts), and to
the participant's waiting time. Per factor, the duos are split at the median into those that
scored high and those that scored low; the page shows how each group fared, with the counts
and a 95% interval of the difference, the factor that made most difference first.

Nothing is shown below `MINIMUM` ended duos: with fewer, chance speaks louder than the
factors. From the same figures, an optional suggestion of new weights, applied only by a
coordinator (matching.proposals.services.matching_weights_set, audited by the view).
Aggregates only, in a constant number of queries (four).
"""

import statistics
from dataclasses import dataclass, field

from django.db.models import F
from django.utils.translation import gettext as _
from scipy import stats

from duos.models import Duo, DuoStatus, Ending, Outcome
from matching.proposals import profiles
from matching.proposals.models import ProposalCandidate
from matching.proposals.services import WEIGHT_FIELDS

MINIMUM = 30
SCORE, WAITING = "score", "waiting_days"


def factor_labels() -> dict:
    return {SCORE: _("Match score"), "interests": _("Shared interests"),
            "availability": _("Common free time"), "proximity": _("Living close by"),
            "participant_wishes": _("The participant's wishes"),
            "volunteer_wishes": _("The volunteer's wishes"), WAITING: _("Waiting time")}


@dataclass
class Factor:
    key: str
    label: str
    high_n: int
    low_n: int
    high_mean: float  # mean share of the agreed length, duos that scored high
    low_mean: float
    difference: float  # high - low
    low: float | None  # 95% interval of the difference (Welch)
    high: float | None

    @property
    def uncertain(self) -> bool:
        return self.low is None or self.low <= 0 <= self.high


@dataclass
class Lasting:
    ended: int  # ended duos with an agreed length and a kept score
    enough: bool
    factors: list = field(default_factory=list)  # Factor, most difference first
    endings: list = field(default_factory=list)  # (how it ended, count)
    suggestion: dict = field(default_factory=dict)  # part -> (current weight, suggested)

    def suggestion_rows(self) -> list[tuple[str, float, float]]:
        labels = factor_labels()
        return [(str(labels[part]), current, suggested)
                for part, (current, suggested) in self.suggestion.items()]


def _rows():
    """(duo id, share of the agreed length, waiting days, score, parts) per ended duo with
    an agreed end (two queries)."""
    duos = list(Duo.objects.filter(status=DuoStatus.CLOSED, started_on__isnull=False,
                                   ended_on__isnull=False, agreement__end_date__isnull=False)
                .values_list("pk", "started_on", "ended_on", "agreement__start_date",
                             "agreement__end_date", "participant__waiting_since"))
    kept = {duo_id: (score, parts) for duo_id, score, parts in ProposalCandidate.objects.filter(
        proposal__match__duo_id__in=[row[0] for row in duos],
        volunteer_id=F("proposal__match__volunteer_id"),
    ).values_list("proposal__match__duo_id", "score", "parts")}
    rows = []
    for pk, started, ended, agreed_start, agreed_end, waiting_since in duos:
        agreed = (agreed_end - agreed_start).days
        if pk not in kept or agreed <= 0 or not kept[pk][1]:
            continue
        score, parts = kept[pk]
        waiting = (started - waiting_since).days if waiting_since else None
        rows.append((pk, (ended - started).days / agreed, waiting, score, parts))
    return rows


def _factor(key, label, pairs) -> Factor | None:
    """High against low at the median of the factor's value; None when it does not split
    (every duo the same)."""
    values = sorted(value for value, _share in pairs)
    if not values:
        return None
    median = statistics.median(values)
    high = [share for value, share in pairs if value > median]
    low = [share for value, share in pairs if value <= median]
    if not high or not low:  # many at the median: put them on the high side instead
        high = [share for value, share in pairs if value >= median]
        low = [share for value, share in pairs if value < median]
    if not high or not low:
        return None
    difference = statistics.fmean(high) - statistics.fmean(low)
    interval = (None, None)
    if len(high) > 1 and len(low) > 1 and (statistics.pvariance(high) or
                                             statistics.pvariance(low)):
        found = stats.ttest_ind(high, low, equal_var=False).confidence_interval(0.95)
        interval = (float(found.low), float(found.high))
    return Factor(key, label, len(high), len(low), statistics.fmean(high),
                  statistics.fmean(low), difference, *interval)


def _suggest(factors, organisation) -> dict:
    """New weights: each part's weight grows or shrinks with the difference it made (at
    most doubled, at least halved), a part whose difference is uncertain keeps its weight;
    the total stays the same. {part: (current, suggested)}."""
    settings = profiles.matching_settings(organisation)
    current = {part: getattr(settings, name) for part, name in WEIGHT_FIELDS.items()}
    by_key = {factor.key: factor for factor in factors}
    raw = {}
    for part, weight in current.items():
        factor = by_key.get(part)
        change = 0.0 if factor is None or factor.uncertain else factor.difference
        raw[part] = weight * min(2.0, max(0.5, 1.0 + change))
    total, new_total = sum(current.values()), sum(raw.values())
    if not new_total:
        return {}
    return {part: (current[part], round(raw[part] * total / new_total, 1)) for part in current}


def what_makes_a_duo_last(organisation) -> Lasting:
    rows = _rows()
    result = Lasting(ended=len(rows), enough=len(rows) >= MINIMUM)
    if not result.enough:
        return result
    labels = factor_labels()
    candidates = [(SCORE, [(score, share) for _pk, share, _w, score, _p in rows])]
    candidates += [(part, [(parts.get(part, 0.0), share) for _pk, share, _w, _s, parts in rows])
                   for part in WEIGHT_FIELDS]
    candidates.append((WAITING, [(waiting, share) for _pk, share, waiting, _s, _p in rows
                                 if waiting is not None]))
    for key, pairs in candidates:
        factor = _factor(key, str(labels[key]), pairs)
        if factor is not None:
            result.factors.append(factor)
    result.factors.sort(key=lambda factor: factor.difference, reverse=True)
    outcome_labels = dict(Outcome.choices)
    endings = {}
    for outcome in Ending.objects.filter(duo_id__in=[row[0] for row in rows]).exclude(
            outcome=Outcome.EXTENDED).values_list("outcome", flat=True):
        label = str(outcome_labels.get(outcome, outcome))
        endings[label] = endings.get(label, 0) + 1
    result.endings = sorted(endings.items())
    result.suggestion = _suggest(result.factors, organisation)
    return result
