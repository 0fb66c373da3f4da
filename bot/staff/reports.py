"""Reports for managers and commissioners: is the service reaching people, and does it help?

Every figure is an aggregate (counts, medians, means by week or month), so the CSV exports carry no
conversation ids, no names and no words anyone wrote.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import Counter, defaultdict

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.keys import SESSIONS
from bot.models import Conversation, Escalation, StaffUser, utcnow
from bot.staff import audit, auth
from bot.staff.charts import bars
from bot.staff.queue import RISK_LABELS
from bot.staff.web import render
from directory.models import UnmetSearch
from residents.models import CheckIn, Suggestion


def _monday(day: dt.datetime | dt.date) -> dt.date:
    day = day.date() if isinstance(day, dt.datetime) else day
    return day - dt.timedelta(days=day.weekday())


def _weeks(count: int, now: dt.datetime) -> list[dt.date]:
    this = _monday(now)
    return [this - dt.timedelta(weeks=count - 1 - i) for i in range(count)]


def _label(week: dt.date) -> str:
    return week.strftime("%d %b").lstrip("0")


class Report:
    """One report: its table (header + rows) and, for the page, a chart."""

    def __init__(self, name: str, title: str, header: list[str], rows: list[list], chart=None, note: str = "") -> None:  # noqa: ANN001
        self.name, self.title, self.header, self.rows, self.chart, self.note = name, title, header, rows, chart, note


def escalations_by_type(session: Session, weeks: list[dt.date]) -> Report:
    """Escalations opened each week, by risk type (a person asking for a person counts too)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for created, types, reason in session.execute(
        select(Escalation.created_at, Escalation.risk_types, Escalation.reason).where(
            Escalation.created_at >= dt.datetime.combine(weeks[0], dt.time())
        )
    ):
        for kind in types or (["asked_for_person"] if reason == "asked_for_person" else ["other"]):
            counts[RISK_LABELS.get(kind, kind)][_monday(created)] += 1
    names = sorted(counts, key=lambda n: -sum(counts[n].values()))
    rows = [[w.isoformat(), n, counts[n][w]] for w in weeks for n in names if counts[n][w]]
    chart = bars(
        "Escalations by risk type per week",
        [_label(w) for w in weeks],
        {n: [counts[n][w] for w in weeks] for n in names},
    )
    return Report(
        "escalations", "Escalations by risk type, per week", ["week_starting", "risk_type", "escalations"], rows, chart
    )


def first_response(session: Session, weeks: list[dt.date]) -> Report:
    """How long people waited for a member of staff's first reply, per week (median and 90th percentile)."""
    waits: dict[dt.date, list[float]] = defaultdict(list)
    waiting: Counter = Counter()
    for created, responded in session.execute(
        select(Escalation.created_at, Escalation.first_response_at).where(
            Escalation.created_at >= dt.datetime.combine(weeks[0], dt.time())
        )
    ):
        if responded is None:
            waiting[_monday(created)] += 1
        else:
            waits[_monday(created)].append((responded - created).total_seconds() / 60)

    def p90(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]

    rows = [
        [
            w.isoformat(),
            len(waits[w]),
            round(statistics.median(waits[w]), 1) if waits[w] else "",
            round(p90(waits[w]), 1) if waits[w] else "",
            waiting[w],
        ]
        for w in weeks
    ]
    chart = bars(
        "Minutes to first staff response per week",
        [_label(w) for w in weeks],
        {
            "median": [statistics.median(waits[w]) if waits[w] else 0 for w in weeks],
            "90th percentile": [p90(waits[w]) if waits[w] else 0 for w in weeks],
        },
        stacked=False,
        unit="",
    )
    return Report(
        "response",
        "Time to first staff response (minutes), per week",
        ["week_starting", "responded", "median_minutes", "p90_minutes", "no_staff_reply_yet"],
        rows,
        chart,
    )


def loneliness(session: Session, weeks: list[dt.date]) -> Report:
    """Check-in scores by month (UCLA 3-9 and the ONS question), and how people changed."""
    by_month: dict[str, list[CheckIn]] = defaultdict(list)
    people: dict[str, list[CheckIn]] = defaultdict(list)
    for row in session.scalars(select(CheckIn).order_by(CheckIn.taken_at)):
        by_month[row.taken_at.strftime("%Y-%m")].append(row)
        people[row.sender_id].append(row)
    months = sorted(by_month)[-12:]
    rows = [
        [
            month,
            len(by_month[month]),
            round(statistics.mean(r.ucla_total for r in by_month[month]), 2),
            round(statistics.mean(r.ons for r in by_month[month]), 2),
        ]
        for month in months
    ]
    change = Counter()
    for taken in people.values():
        if len(taken) >= 2:
            delta = taken[-1].ucla_total - taken[0].ucla_total
            change["less lonely" if delta < 0 else "more lonely" if delta > 0 else "no change"] += 1
    for what in ("less lonely", "no change", "more lonely"):
        rows.append([f"change: {what}", change[what], "", ""])
    chart = bars(
        "Average UCLA loneliness score (3 to 9, lower is less lonely) by month",
        months,
        {"average UCLA score": [statistics.mean(r.ucla_total for r in by_month[m]) for m in months]},
        stacked=False,
    )
    note = (
        f"Of {sum(change.values())} people with two or more check-ins: {change['less lonely']} less lonely at their "
        f"latest, {change['no change']} unchanged, {change['more lonely']} lonelier."
    )
    return Report(
        "loneliness",
        "Loneliness check-ins by month, and change per person",
        ["month", "check_ins", "mean_ucla_3_to_9", "mean_ons_1_to_5"],
        rows,
        chart,
        note,
    )


def needs(session: Session, weeks: list[dt.date]) -> Report:
    """What people looked for: each search with results (by kind of help) and each that found nothing."""
    since = dt.datetime.combine(weeks[0], dt.time())
    searches = {
        (sender, category or "other", shown.date())
        for sender, category, shown in session.execute(
            select(Suggestion.sender_id, Suggestion.category, Suggestion.shown_at).where(Suggestion.shown_at >= since)
        )
    }
    found = Counter(category for _, category, _ in searches)
    unmet = Counter(
        category or "other"
        for (category,) in session.execute(select(UnmetSearch.category).where(UnmetSearch.at >= since))
    )
    kinds = sorted(set(found) | set(unmet), key=lambda k: -(found[k] + unmet[k]))[:12]
    rows = [[k, found[k] + unmet[k], found[k], unmet[k]] for k in kinds]
    chart = bars(
        "Most requested kinds of help",
        [k.replace("_", " ") for k in kinds],
        {"found something": [found[k] for k in kinds], "found nothing": [unmet[k] for k in kinds]},
    )
    return Report(
        "needs", "Most requested kinds of help", ["kind_of_help", "requests", "with_results", "unmet"], rows, chart
    )


def unmet_by_area(session: Session, weeks: list[dt.date]) -> Report:
    """Searches that found nothing, by postcode area and kind of help: gaps in the directory."""
    since = dt.datetime.combine(weeks[0], dt.time())
    counts = Counter(
        (area or "unknown", category or "other")
        for area, category in session.execute(
            select(UnmetSearch.area, UnmetSearch.category).where(UnmetSearch.at >= since)
        )
    )
    areas = Counter()
    for (area, _), n in counts.items():
        areas[area] += n
    top = [a for a, _ in areas.most_common(15)]
    rows = [
        [area, category, n]
        for (area, category), n in sorted(counts.items(), key=lambda item: (-areas[item[0][0]], -item[1]))
    ]
    chart = bars("Searches that found nothing, by area", top, {"unmet searches": [areas[a] for a in top]})
    return Report("unmet", "Unmet searches by area", ["area", "kind_of_help", "searches"], rows, chart)


def channel_mix(session: Session, weeks: list[dt.date]) -> Report:
    """New conversations each week, by channel."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for created, channel in session.execute(
        select(Conversation.created_at, Conversation.channel).where(
            Conversation.created_at >= dt.datetime.combine(weeks[0], dt.time())
        )
    ):
        counts[channel][_monday(created)] += 1
    names = sorted(counts)
    rows = [[w.isoformat(), n, counts[n][w]] for w in weeks for n in names]
    chart = bars(
        "New conversations per week by channel",
        [_label(w) for w in weeks],
        {n: [counts[n][w] for w in weeks] for n in names},
    )
    return Report(
        "channels",
        "Channel mix: new conversations per week",
        ["week_starting", "channel", "conversations"],
        rows,
        chart,
    )


REPORTS = {
    "escalations": escalations_by_type,
    "response": first_response,
    "loneliness": loneliness,
    "needs": needs,
    "unmet": unmet_by_area,
    "channels": channel_mix,
}


def _span(request: web.Request) -> int:
    try:
        return min(52, max(4, int(request.query.get("weeks", "12"))))
    except ValueError:
        return 12


@auth.requires("staff")
async def reports_page(request: web.Request) -> web.Response:
    """Every report with its chart."""
    span = _span(request)
    with request.app[SESSIONS]() as session:
        weeks = _weeks(span, utcnow())
        found = [make(session, weeks) for make in REPORTS.values()]
    return render(request, "reports.html", {"reports": found, "span": span})


# A cell starting with one of these is a formula (or becomes one) when a spreadsheet opens the file.
# Written here rather than with `defusedcsv`: that package does not cover tab and carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: a leading apostrophe before anything formula-like."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@auth.requires("staff")
async def report_csv(request: web.Request) -> web.StreamResponse:
    """One report as CSV (aggregates only), audited as an export."""
    name = request.match_info["name"]
    if name not in REPORTS:
        raise web.HTTPNotFound(text="There is no report by that name.")
    span = _span(request)
    with request.app[SESSIONS].begin() as session:
        report = REPORTS[name](session, _weeks(span, utcnow()))
        user = session.get(StaffUser, request[auth.STAFF].id)
        audit.record(session, user or "unknown", "export", "report", name, weeks=span, rows=len(report.rows))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(report.header)
    for row in report.rows:
        writer.writerow([spreadsheet_safe(v) for v in row])
    return web.Response(
        text=buffer.getvalue(),
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="kindred-{name}-{utcnow():%Y-%m-%d}.csv"'},
    )


def setup_routes(app: web.Application) -> None:
    """The reports' routes."""
    app.router.add_get("/staff/reports", reports_page, name="staff_reports")
    app.router.add_get("/staff/reports/{name}.csv", report_csv, name="staff_report_csv")
