"""Reports for the organisation and its funders: figures for a period, never a person.

Every figure is an aggregate query in the current organisation's scope (a constant number
of queries whatever the number of rows; tests/desk/test_reports.py counts them). Every count
of people or duos goes through `suppress`, the one small-group rule (README, "Coordinator
home and reports"). The rule applies to what leaves the organisation (the exports for
funders, a report shared); the coordinator's own page, who knows every person already,
shows the exact figures (`build_report(exact=True)`). Reads the domain apps' models
directly: the reports are aggregates that no room's selector offers, and organisations only
reads them.
"""

import contextvars
import csv
import datetime
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from buddy.dates import add_months
from buddy.exports import csv_row, xlsx_append
from coaching.models import Attendance, IntervisionSession, SessionStatus
from duos.models import Duo, Ending, EndReason, Expense, ExpenseStatus, MeetingLog, Outcome
from matching.intake.models import Participant, ParticipantStatus, Volunteer
from matching.proposals.models import Proposal, ProposalStatus

SMALL_GROUP = 5
HIDDEN = "< 5"
NO_FIGURE = "–"  # a median of nothing
# Waiting-time buckets in days: (label, lowest day, highest day or None).
WAITING_BUCKETS = [
    (gettext_lazy("under 1 month"), 0, 30),
    (gettext_lazy("1 to 3 months"), 31, 91),
    (gettext_lazy("3 to 6 months"), 92, 182),
    (gettext_lazy("6 to 12 months"), 183, 365),
    (gettext_lazy("over a year"), 366, None),
]
STILL_GOING_MONTHS = (3, 6, 12)
SURVIVAL_MONTHS = 12
MAX_CHART_MONTHS = 36


class Hidden:
    """A count too small to show (or one hidden so that it cannot be worked out)."""

    def __str__(self):
        return HIDDEN

    def __eq__(self, other):
        return isinstance(other, Hidden)

    def __hash__(self):
        return 0


# True while an exact report (the organisation's own page) is built: the rule steps aside.
_exact = contextvars.ContextVar("exact_report", default=False)


def suppress(cells: dict, total: int | None = None) -> dict:
    """The small-group rule: hides every count from 1 to 4 of a breakdown, and one more.

    `cells` is {label: count}. A count of 1 to 4 becomes `Hidden`. If exactly one cell is
    hidden and the total (given, or the sum of the cells) is shown, that cell could be
    worked out by subtraction: the smallest other cell is hidden as well (a zero included,
    so a reader cannot tell which hidden cell holds the people). If the total itself is
    from 1 to 4, every cell is hidden. Zero is shown: it points at nobody.
    """
    if _exact.get():
        return dict(cells)
    total = sum(cells.values()) if total is None else total
    if 0 < total < SMALL_GROUP:
        return {key: Hidden() for key in cells}
    out = {key: Hidden() if 0 < n < SMALL_GROUP else n for key, n in cells.items()}
    hidden = [key for key, value in out.items() if isinstance(value, Hidden)]
    if len(hidden) == 1:
        others = [key for key, value in out.items() if not isinstance(value, Hidden)]
        if others:
            second = min(others, key=lambda key: (cells[key], str(key)))
            out[second] = Hidden()
    return out


def suppress_series(values: list[int]) -> list:
    """The rule for a series whose steps are groups (duos still going month after month):
    a value from 1 to 4 is hidden, and so is a value that differs by 1 to 4 from the last
    shown one, so that no step between two shown values is a small group."""
    if _exact.get():
        return list(values)
    out, last = [], None
    for n in values:
        if 0 < n < SMALL_GROUP or (last is not None and 0 < abs(last - n) < SMALL_GROUP):
            out.append(Hidden())
        else:
            out.append(n)
            last = n
    return out


def suppress_one(n: int):
    """A single count (not part of a breakdown): hidden from 1 to 4."""
    if _exact.get():
        return n
    return Hidden() if 0 < n < SMALL_GROUP else n


def suppress_linked(cells: dict, never_second=()) -> dict:
    """The rule for figures tied by one equation rather than a total (on the list at the
    start + joined = matched + left the project + on the list at the end): a count from 1
    to 4 is hidden, and when that leaves exactly one hidden, a second one is hidden so the
    equation cannot give it back. The second is never one of `never_second` (figures that
    also appear elsewhere, e.g. as the total of a breakdown, where hiding them would not
    be enough)."""
    if _exact.get():
        return dict(cells)
    out = {key: Hidden() if 0 < n < SMALL_GROUP else n for key, n in cells.items()}
    hidden = [key for key, value in out.items() if not shown(value)]
    if len(hidden) == 1:
        others = [key for key in out if key not in hidden]
        candidates = [key for key in others if key not in never_second] or others
        second = min(candidates, key=lambda key: (cells[key], str(key)))
        out[second] = Hidden()
    return out


def shown(value) -> bool:
    return not isinstance(value, Hidden)


# Periods ---------------------------------------------------------------------------------

PRESETS = {
    "this_year": gettext_lazy("This year"),
    "last_year": gettext_lazy("Last year"),
    "last_quarter": gettext_lazy("Last quarter"),
}


def preset_period(name: str, today=None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    if name == "last_year":
        return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)
    if name == "last_quarter":
        quarter_start_month = 3 * ((today.month - 1) // 3) + 1
        end = datetime.date(today.year, quarter_start_month, 1) - datetime.timedelta(days=1)
        return datetime.date(end.year, end.month - 2, 1), end
    return datetime.date(today.year, 1, 1), today


def _start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# The report ------------------------------------------------------------------------------

@dataclass
class Section:
    key: str
    title: str
    rows: list = field(default_factory=list)  # (label, value)
    note: str = ""  # how the figures are counted, when that is not obvious


@dataclass
class Chart:
    key: str
    title: str
    description: str
    unit: str
    bars: list = field(default_factory=list)  # (label, value: int | Hidden)


@dataclass
class Report:
    start: datetime.date
    end: datetime.date
    sections: list = field(default_factory=list)
    charts: list = field(default_factory=list)
    exact: bool = False  # the organisation's own view; False: small groups hidden

    @property
    def period_ref(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def rows(self) -> list[tuple[str, str, object]]:
        """Every figure as (section, label, value) for the exports; hidden ones as "< 5"."""
        return [(section.title, label, value if shown(value) else HIDDEN)
                for section in self.sections for label, value in section.rows]

    def chart_rows(self) -> list[tuple[str, str, object]]:
        """The numbers under each chart, as the page shows them, for the exports."""
        return [(chart.title, str(label), value if shown(value) else HIDDEN)
                for chart in self.charts for label, value in chart.bars]


def _counts_by(queryset, field_name, choices) -> dict:
    found = dict(queryset.order_by().values_list(field_name).annotate(n=Count("pk")))
    return {label: found.get(value, 0) for value, label in choices}


def _intakes(start, end):
    in_period = Q(created_at__gte=_start(start), created_at__lt=_start(end + ONE_DAY))
    participants = Participant.objects.filter(in_period).count()
    volunteers = Volunteer.objects.filter(in_period).count()
    return Section("intakes", _("Intakes"), [
        (_("Participants"), suppress_one(participants)),
        (_("Volunteers"), suppress_one(volunteers)),
    ])


@dataclass
class WaitingHistory:
    """The waiting list over a period, derived from stored dates (see `waiting_history`)."""

    at_start: int = 0
    joined: int = 0
    matched: int = 0
    withdrew: int = 0
    at_end: int = 0
    days_at_end: list = field(default_factory=list)  # time on the list of those there at the end
    days_to_match: list = field(default_factory=list)  # time on the list before each match


MATCHED, WITHDREW = "matched", "withdrew"


def _spells(end) -> list[tuple]:
    """Every stay on the waiting list that began by `end`: (joined, left or None, how it
    ended). Two queries.

    No status history is stored, so the stays are rebuilt from the dates that are: a
    participant joins on `waiting_since` (the intake, or the day they came back after
    leaving the project: that return overwrites the date, so what came before it is not
    counted); each duo takes them off the list on the day it was made (the hand-over of a
    confirmed match creates it); a closed duo whose ending says the participant wants a new
    buddy brings them back on its end date (their place in the queue keeps the original
    date, but the stay counts from the return). A participant who withdrew while on the
    list left on the last change of their record (`updated_at`): the withdrawal date
    itself is not stored, so a later edit of a withdrawn record moves it. Paused people
    and people choosing from a proposal are on the list."""
    participants = list(Participant.objects.filter(waiting_since__lte=end).order_by()
                        .values_list("pk", "waiting_since", "status", "updated_at"))
    returned = Ending.objects.filter(duo=OuterRef("pk"), participant_wants_new_buddy=True
                                     ).exclude(outcome=Outcome.EXTENDED)
    duos = defaultdict(list)
    for participant_id, created_at, ended_on, came_back in (
            Duo.objects.filter(created_at__lt=_start(end + ONE_DAY))
            .annotate(came_back=Exists(returned)).order_by("created_at", "pk")
            .values_list("participant_id", "created_at", "ended_on", "came_back")):
        duos[participant_id].append((timezone.localdate(created_at), ended_on, came_back))
    spells = []
    for pk, since, status, updated_at in participants:
        joined = since
        for made_on, ended_on, came_back in duos.get(pk, ()):
            if made_on < since:
                continue  # before the date that was overwritten by a later return
            if joined is not None:
                spells.append((joined, made_on, MATCHED))
                joined = None
            if came_back and ended_on is not None:
                joined = ended_on
        if joined is not None and status not in ON_THE_LIST:
            left = max(joined, timezone.localdate(updated_at))
            spells.append((joined, left, MATCHED if status == ParticipantStatus.MATCHED
                           else WITHDREW))
        elif joined is not None:
            spells.append((joined, None, None))
    return spells


ON_THE_LIST = {ParticipantStatus.WAITING, ParticipantStatus.PROPOSAL_OPEN,
               ParticipantStatus.PAUSED}


def waiting_history(start, end) -> WaitingHistory:
    """Who was on the waiting list at the start and at the end of the period, who joined
    and who left it (matched, or left the project), and how long they had waited (two
    queries). On the list at the start: joined before the first day and still there on it;
    at the end: joined by the last day and not left on it. So at the start + joined =
    matched + withdrew + at the end."""
    history = WaitingHistory()
    for joined, left, how in _spells(end):
        if joined > end:  # back on the list after a duo that ended after the period
            continue
        if joined < start and (left is None or left >= start):
            history.at_start += 1
        if joined >= start:
            history.joined += 1
        if left is not None and start <= left <= end:
            if how == MATCHED:
                history.matched += 1
                history.days_to_match.append((left - joined).days)
            else:
                history.withdrew += 1
        if left is None or left > end:
            history.at_end += 1
            history.days_at_end.append((end - joined).days)
    return history


def _buckets(days: list[int]) -> dict:
    """{bucket label: how many} for a list of waiting times in days."""
    counts = {str(label): 0 for label, _low, _high in WAITING_BUCKETS}
    for n in days:
        for label, low, high in WAITING_BUCKETS:
            if n >= low and (high is None or n <= high):
                counts[str(label)] += 1
                break
    return counts


def _proposals(start, end):
    sent = Proposal.objects.filter(sent_at__gte=_start(start), sent_at__lt=_start(end + ONE_DAY))
    answers = [choice for choice in ProposalStatus.choices if choice[0] != ProposalStatus.DRAFT]
    return _counts_by(sent, "status", answers)


def _duo_spans(end):
    return list(Duo.objects.filter(started_on__isnull=False, started_on__lte=end)
                .values_list("started_on", "ended_on"))


def _active_on(spans, day) -> int:
    return sum(1 for started, ended in spans if started <= day and (ended is None or ended > day))


def _still_going(spans, start, end, today):
    """{months: (still going, observable)} for the duos started in the period: a duo is
    observable at N months once N months have passed since its start."""
    out = {}
    for months in range(SURVIVAL_MONTHS + 1):
        observable = going = 0
        for started, ended in spans:
            if not start <= started <= end:
                continue
            mark = add_months(started, months)
            if mark > today:
                continue
            observable += 1
            if ended is None or ended >= mark:
                going += 1
        out[months] = (going, observable)
    return out


def _month_starts(start, end) -> list[datetime.date]:
    months, day = [], start.replace(day=1)
    while day <= end and len(months) < MAX_CHART_MONTHS:
        months.append(day)
        day = add_months(day, 1)
    return months


ONE_DAY = datetime.timedelta(days=1)


def build_report(start: datetime.date, end: datetime.date, today=None, exact=False) -> Report:
    """Every figure of the report for a period (a constant number of queries: twelve):
    small groups hidden, unless `exact` (the organisation's own page)."""
    token = _exact.set(exact)
    try:
        return _build_report(start, end, today, exact)
    finally:
        _exact.reset(token)


def _build_report(start, end, today, exact) -> Report:
    today = today or timezone.localdate()
    report = Report(start, end, exact=exact)
    in_period = {"gte": _start(start), "lt": _start(end + ONE_DAY)}

    report.sections.append(_intakes(start, end))

    history = waiting_history(start, end)
    # "Matched" is also the matches made below and the total of the time-to-match chart,
    # and "at the end" the total of the time-waited chart: never hidden only to protect
    # another figure, or those would give it away.
    flow = suppress_linked({"at_start": history.at_start, "joined": history.joined,
                            "matched": history.matched, "withdrew": history.withdrew,
                            "at_end": history.at_end}, never_second=("matched", "at_end"))
    at_end_shown = suppress(_buckets(history.days_at_end))
    to_match_shown = suppress(_buckets(history.days_to_match))
    days = history.days_to_match
    median = (int(statistics.median(days)) if len(days) >= SMALL_GROUP or exact and days
              else NO_FIGURE if exact else Hidden())
    report.sections.append(Section("waiting", _("Waiting list in the period"), [
        (_("On the waiting list at the start of the period"), flow["at_start"]),
        (_("Joined the waiting list (new, or back after a duo)"), flow["joined"]),
        (_("Left the waiting list: matched with a buddy"), flow["matched"]),
        (_("Left the waiting list: left the project"), flow["withdrew"]),
        (_("On the waiting list at the end of the period"), flow["at_end"]),
        *[(_("At the end of the period, on the list %(bucket)s") % {"bucket": label}, value)
          for label, value in at_end_shown.items()],
        *[(_("Matched in the period after waiting %(bucket)s") % {"bucket": label}, value)
          for label, value in to_match_shown.items()],
        (_("Median days on the waiting list before a match (matches in the period)"),
         median if days else NO_FIGURE),
    ], note=_(
        "Waiting, paused and choosing from a proposal all count as on the list. A stay "
        "counts from the day a person joined, or came back after a duo, until a duo was "
        "made or they left the project. No status history is kept: the day someone left "
        "the project is taken from the last change of their record, and someone who left "
        "and came back counts from their return only.")))
    report.charts.append(Chart(
        "waiting", _("How long people had been waiting at the end of the period"),
        _("Number of people on the waiting list on the last day of the period, by time "
          "on the list."), _("people"),
        list(at_end_shown.items())))
    report.charts.append(Chart(
        "waiting_to_match", _("Time on the waiting list before a match"),
        _("Number of participants matched in the period, by how long they had been on "
          "the waiting list."), _("people"),
        list(to_match_shown.items())))

    proposals = _proposals(start, end)
    report.sections.append(Section("proposals", _("Proposals sent and how they were answered"), [
        (_("Proposals sent"), suppress_one(sum(proposals.values()))),
        *[(str(label), value) for label, value in suppress(proposals).items()],
    ]))

    spans = _duo_spans(end)
    active_in_period = sum(1 for started, ended in spans
                           if started <= end and (ended is None or ended >= start))
    meetings = MeetingLog.objects.filter(date__gte=start, date__lte=end).aggregate(
        met=Count("pk", filter=Q(did_not_meet=False)),
        not_met=Count("pk", filter=Q(did_not_meet=True)))
    report.sections.append(Section("duos", _("Matches, duos and meetings"), [
        (_("Matches made"), flow["matched"]),
        (_("Duos active during the period"), suppress_one(active_in_period)),
        (_("Meetings logged"), suppress_one(meetings["met"])),
        (_("Planned meetings that did not happen"), suppress_one(meetings["not_met"])),
    ]))

    months = _month_starts(start, end)
    report.charts.append(Chart(
        "active", _("Active duos over time"),
        _("Number of duos going on the first day of each month of the period."), _("duos"),
        [(month.strftime("%Y-%m"), suppress_one(_active_on(spans, month))) for month in months]))

    still = _still_going(spans, start, end, today)
    still_rows = []
    # The chart shows the same "still going" figures as the table: a bar must not give
    # away what the pair (going, stopped) hides.
    still_bars = dict(zip(still, suppress_series([going for going, _o in still.values()]),
                          strict=True))
    for months_since in STILL_GOING_MONTHS:
        going, observable = still[months_since]
        cells = suppress({"going": going, "stopped": observable - going})
        if not shown(still_bars[months_since]):
            cells["going"] = cells["stopped"] = Hidden()
        still_bars[months_since] = cells["going"]
        still_rows.append((
            _("Duos started in the period still going after %(n)d months") % {"n": months_since},
            cells["going"]))
        still_rows.append((
            _("Duos started in the period stopped before %(n)d months") % {"n": months_since},
            cells["stopped"]))
    report.sections.append(Section("still_going", _("Duos still going"), still_rows))
    report.charts.append(Chart(
        "still_going", _("Duos still going by month since start"),
        _("Of the duos started in the period, how many were still going each month after "
          "their start (only duos that have reached that month count)."), _("duos"),
        [(_("month %(n)d") % {"n": m}, value) for m, value in still_bars.items()]))

    endings = Ending.objects.filter(recorded_at__gte=in_period["gte"],
                                    recorded_at__lt=in_period["lt"])
    by_reason = _counts_by(endings, "reason", EndReason.choices)
    friends = endings.filter(outcome=Outcome.FRIENDS).count()
    report.sections.append(Section("endings", _("Endings by reason"), [
        (_("Endings"), suppress_one(sum(by_reason.values()))),
        *[(str(label), value) for label, value in suppress(by_reason).items()],
        (_("Friendships that went on after the project"), suppress_one(friends)),
    ]))

    sessions = IntervisionSession.objects.filter(
        status=SessionStatus.PLANNED, starts_at__gte=in_period["gte"],
        starts_at__lt=in_period["lt"]).count()
    attendance = Attendance.objects.filter(
        session__status=SessionStatus.PLANNED, session__starts_at__gte=in_period["gte"],
        session__starts_at__lt=in_period["lt"]).aggregate(
        attended=Count("pk", filter=Q(present=True)),
        volunteers_attended=Count("volunteer", filter=Q(present=True), distinct=True))
    report.sections.append(Section("intervision", _("Intervision"), [
        (_("Sessions held or planned"), sessions),
        (_("Attendances"), suppress_one(attendance["attended"])),
        (_("Different volunteers who attended"), suppress_one(attendance["volunteers_attended"])),
    ]))

    expenses = Expense.objects.filter(spent_on__gte=start, spent_on__lte=end).aggregate(
        claimed_n=Count("pk"), claimed=Sum("amount_cents"),
        approved_n=Count("pk", filter=Q(status__in=[ExpenseStatus.APPROVED,
                                                    ExpenseStatus.PAID])),
        approved=Sum("amount_cents", filter=Q(status__in=[ExpenseStatus.APPROVED,
                                                          ExpenseStatus.PAID])),
        paid_n=Count("pk", filter=Q(status=ExpenseStatus.PAID)),
        paid=Sum("amount_cents", filter=Q(status=ExpenseStatus.PAID)),
    )
    expense_rows = []
    for key, label in (("claimed", _("Expenses claimed (EUR)")),
                       ("approved", _("Expenses approved (EUR)")),
                       ("paid", _("Expenses paid (EUR)"))):
        number = expenses[f"{key}_n"]
        # An amount of fewer than five claims could be one person's spending.
        amount = (Hidden() if 0 < number < SMALL_GROUP and not exact
                  else round((expenses[key] or 0) / 100, 2))
        expense_rows.append((label, amount))
    report.sections.append(Section("expenses", _("Expenses"), expense_rows))
    return report


def chart_svg_bars(chart: Chart, width=340, bar_height=22, label_width=150) -> dict:
    """Geometry of a horizontal bar chart for the template (no JavaScript, no library)."""
    values = [value for _label, value in chart.bars if shown(value)]
    top = max(values, default=0) or 1
    room = width - label_width - 40
    bars = []
    for index, (label, value) in enumerate(chart.bars):
        length = int(room * value / top) if shown(value) else 0
        bars.append({"label": label, "value": value, "shown": shown(value),
                     "y": index * (bar_height + 6), "length": length,
                     "text_x": label_width + length + 6})
    return {"chart": chart, "bars": bars, "width": width, "label_width": label_width,
            "height": max(1, len(bars)) * (bar_height + 6), "bar_height": bar_height,
            "text_dy": bar_height - 6}


# Exports ---------------------------------------------------------------------------------

def _export_rows(report: Report) -> list[list]:
    header = [_("Section"), _("Figure"), _("Value")]
    return [header, *[[section, label, value]
                      for section, label, value in [*report.rows(), *report.chart_rows()]]]


def as_file(report: Report, file_format: str, organisation_name: str = ""):
    """The report as the content of a CSV, XLSX or PDF download."""
    if file_format == "csv":
        return to_csv(report)
    if file_format == "xlsx":
        return to_xlsx(report)
    return to_pdf(report, organisation_name)


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_row([_("Report"), report.period_ref, ""]))
    for row in _export_rows(report):
        writer.writerow(csv_row(row))
    return out.getvalue()


def to_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Report")[:31]
    xlsx_append(sheet, [_("Report"), report.period_ref, ""])
    for row in _export_rows(report):
        xlsx_append(sheet, row)
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 60
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_pdf(report: Report, organisation_name: str = "") -> bytes:
    """A printable A4 PDF: the title, the period and each section as a table."""
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    title = _("Report %(start)s to %(end)s") % {"start": report.start.isoformat(),
                                                 "end": report.end.isoformat()}
    document = SimpleDocTemplate(out, pagesize=A4, title=title, author=organisation_name)
    story = [Paragraph(escape(organisation_name), styles["Title"]),
             Paragraph(escape(title), styles["Heading2"])]
    for section in report.sections:
        story.append(Paragraph(escape(section.title), styles["Heading3"]))
        if section.note:
            story.append(Paragraph(escape(section.note), styles["Italic"]))
        data = [[Paragraph(escape(str(label)), styles["BodyText"]), str(value)]
                for label, value in section.rows]
        if not data:  # reportlab refuses a table without rows
            story.append(Paragraph(escape(_("No data for this period.")), styles["BodyText"]))
            continue
        table = Table(data, colWidths=[360, 100])
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("ALIGN", (1, 0), (1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]))
        story += [table, Spacer(1, 8)]
    for chart in report.charts:
        story.append(Paragraph(escape(chart.title), styles["Heading3"]))
        data = [[Paragraph(escape(str(label)), styles["BodyText"]),
                 str(value if shown(value) else HIDDEN)] for label, value in chart.bars]
        if not data:
            story.append(Paragraph(escape(_("No data for this period.")), styles["BodyText"]))
            continue
        table = Table(data, colWidths=[360, 100])
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ]))
        story += [table, Spacer(1, 8)]
    story.append(Paragraph(escape(_("Groups smaller than five are hidden (\"< 5\") so that "
                                    "nobody can be recognised.")), styles["Italic"]))
    document.build(story)
    return out.getvalue()
