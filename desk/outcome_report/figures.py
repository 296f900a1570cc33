"""The outcome report: does the buddy make a difference? For each measure of the
participants' questionnaire, the change from the intake answer to the latest answer (during
or at the end of a duo), over every participant who gave both, and by cohort (the quarter
their first duo started, referrer, age band, language): how many answered, the mean change
and its 95% confidence interval. "Went on as friends" and "still in contact after the end"
are outcomes too.

Aggregates only, in the current organisation's scope, in a constant number of queries
(five); outside the organisation a group smaller than five is hidden (desk.reports'
small-group rule), its mean and interval with it.
"""

import datetime
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from scipy import stats

from buddy.i18n import reader_language
from duos.models import Duo, DuoStatus, Outcome
from matching.intake.models import AgeRange, Participant, Referrer
from matching.intake.privacy import age_range_of
from organisations.models import LANGUAGE_CHOICES
from organisations.scoping import all_organisations, organisation_scope
from outcomes.defaults import PARTICIPANT, STILL_IN_CONTACT
from outcomes.models import Answer, AnswerType, Moment, Question, UmbrellaSharing

from ..reports import SMALL_GROUP, Chart, Hidden, Report, Section, suppress

NUMERIC = [AnswerType.SCALE, AnswerType.YES_NO, AnswerType.COUNT]
LATER = {Moment.FOLLOW_UP, Moment.END}


@dataclass
class Change:
    """The change of one measure over a group: n, mean before and after, the mean change
    and its 95% interval (None for fewer than two people)."""

    n: int | Hidden
    before: float | None = None
    after: float | None = None
    change: float | None = None
    low: float | None = None
    high: float | None = None

    def __str__(self):
        if isinstance(self.n, Hidden) or self.change is None:
            return f"n = {self.n}"
        interval = (_("95%% interval %(low)+.2f to %(high)+.2f") % {
            "low": self.low, "high": self.high} if self.low is not None else _("no interval"))
        return f"{self.change:+.2f} ({interval}; n = {self.n})"


def change_of(pairs: list[tuple[float, float]], exact: bool) -> Change:
    """The mean change of (before, after) pairs with a t-interval (paired differences)."""
    n = len(pairs)
    if not exact and 0 < n < SMALL_GROUP:
        return Change(Hidden())
    if n == 0:
        return Change(0)
    differences = [after - before for before, after in pairs]
    mean = statistics.fmean(differences)
    result = Change(n, statistics.fmean(b for b, _a in pairs),
                    statistics.fmean(a for _b, a in pairs), mean)
    if n >= 2:
        half = stats.t.ppf(0.975, n - 1) * statistics.stdev(differences) / math.sqrt(n)
        result.low, result.high = mean - half, mean + half
    return result


def _quarter(day: datetime.date | None) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}" if day else _("No duo yet")


def _measures():
    """The numeric questions of the participants' questionnaire, by measure (one query)."""
    language = reader_language()
    found = {}
    for question in Question.objects.filter(questionnaire__key=PARTICIPANT,
                                            answer_type__in=NUMERIC).order_by("position"):
        found.setdefault(question.measure, question.text(language))
    return found


def _pairs_by_person(measures):
    """{measure: {participant id: (intake answer, latest later answer)}} (one query)."""
    first, latest = defaultdict(dict), defaultdict(dict)
    rows = (Answer.objects.filter(survey__person_key__startswith="participant:",
                                  question__measure__in=list(measures),
                                  number__isnull=False)
            .values_list("survey__person_key", "survey__moment", "question__measure",
                          "number", "received_at").order_by("received_at", "pk"))
    for person_key, moment, measure, number, _received in rows:
        person = int(person_key.split(":", 1)[1])
        if moment == Moment.INTAKE:
            first[measure].setdefault(person, number)
        elif moment in LATER:
            latest[measure][person] = number  # in time order: the last one stays
    return {measure: {person: (first[measure][person], latest[measure][person])
                      for person in first[measure] if person in latest[measure]}
            for measure in measures}


def _cohorts(person_ids, today):
    """{dimension: {participant id: group label}} (two queries)."""
    starts = dict(Duo.objects.filter(participant_id__in=person_ids, started_on__isnull=False)
                  .order_by().values_list("participant_id").annotate(first=Min("started_on")))
    referrers, ages = dict(Referrer.choices), dict(AgeRange.choices)
    languages = dict(LANGUAGE_CHOICES)
    found = {"quarter": {}, "referrer": {}, "age": {}, "language": {}}
    for pk, referrer, birth_year, age_range, language in Participant.objects.filter(
            pk__in=person_ids).values_list("pk", "referrer", "birth_year", "age_range",
                                           "message_language"):
        found["quarter"][pk] = _quarter(starts.get(pk))
        found["referrer"][pk] = str(referrers.get(referrer, referrer or _("Not recorded")))
        band = age_range_of(birth_year, today) or age_range
        found["age"][pk] = str(ages.get(band, _("Unknown")))
        found["language"][pk] = str(languages.get(language, language))
    return found


def build_outcome_report(exact: bool = False, today=None) -> Report:
    """Every figure of the outcome report (five queries)."""
    today = today or timezone.localdate()
    measures = _measures()
    pairs = _pairs_by_person(measures)
    people = sorted({person for by_person in pairs.values() for person in by_person})
    cohorts = _cohorts(people, today)
    report = Report(start=today, end=today, exact=exact)

    overall = []
    for measure, label in measures.items():
        change = change_of(list(pairs[measure].values()), exact)
        overall.append((label, change))
        if change.before is not None:
            report.charts.append(Chart(
                f"outcome-{measure}", label,
                _("The average answer at intake and the latest one, of the participants who "
                  "answered both."), _("average"),
                [(_("at intake"), round(change.before, 2)),
                 (_("latest"), round(change.after, 2))]))
    report.sections.append(Section(
        "outcome-all", _("Change from intake to the latest answer"),
        [(label, str(change)) for label, change in overall],
        note=_("Mean change of the participants who answered at intake and later, with its "
               "95 percent confidence interval; for a yes/no question the change in the share of "
               "yes (0 to 1).")))

    titles = {"quarter": _("By the quarter the duo started"), "referrer": _("By referrer"),
              "age": _("By age band"), "language": _("By language")}
    for dimension, title in titles.items():
        rows = []
        groups = sorted(set(cohorts[dimension].values()))
        for group in groups:
            for measure, label in measures.items():
                mine = [pair for person, pair in pairs[measure].items()
                        if cohorts[dimension].get(person) == group]
                if mine:
                    rows.append((f"{group} · {label}", str(change_of(mine, exact))))
        report.sections.append(Section(f"outcome-{dimension}", title, rows))

    ended = Duo.objects.filter(status=DuoStatus.CLOSED).aggregate(
        n=Count("pk"), friends=Count("pk", filter=Q(
            endings__outcome=Outcome.FRIENDS), distinct=True))
    contact = Answer.objects.filter(question__measure=STILL_IN_CONTACT,
                                    number__isnull=False).aggregate(
        yes=Count("pk", filter=Q(number=1)), no=Count("pk", filter=Q(number=0)))
    friends = suppress({"friends": ended["friends"],
                        "other": ended["n"] - ended["friends"]})
    in_contact = suppress({"yes": contact["yes"], "no": contact["no"]})
    report.sections.append(Section("outcome-after", _("After the duo"), [
        (_("Duos ended"), ended["n"]),
        (_("Went on as friends without the project"), friends["friends"]),
        (_("Still in contact three months after the end: yes"), in_contact["yes"]),
        (_("Still in contact three months after the end: no"), in_contact["no"]),
    ]))
    return report



def umbrella_report(umbrella_id: int) -> Report:
    """The outcome figures an umbrella sees: for each member organisation that opted in
    (outcomes.UmbrellaSharing), the change per measure, and the members pooled, always as
    they leave an organisation (small groups hidden, no person). Each member's figures are
    read in that member's scope, and only the aggregates leave it (three queries per
    member)."""
    with all_organisations():
        sharings = list(UmbrellaSharing.objects.filter(umbrella_id=umbrella_id)
                        .select_related("organisation").order_by("organisation__name"))
    today = timezone.localdate()
    report = Report(start=today, end=today, exact=False)
    pooled, labels = defaultdict(list), {}
    for sharing in sharings:
        with organisation_scope(sharing.organisation_id):
            measures = _measures()
            pairs = _pairs_by_person(measures)
        report.sections.append(Section(
            f"member-{sharing.organisation_id}", sharing.organisation.name,
            [(label, str(change_of(list(pairs[measure].values()), exact=False)))
             for measure, label in measures.items()]))
        for measure, label in measures.items():
            labels.setdefault(measure, label)
            pooled[measure] += list(pairs[measure].values())
    if sharings:
        report.sections.insert(0, Section(
            "members-pooled", _("All sharing members together"),
            [(label, str(change_of(pooled[measure], exact=False)))
             for measure, label in labels.items()],
            note=_("Mean change from intake to the latest answer, with its 95 percent "
                   "confidence interval; groups smaller than five are hidden.")))
    return report
