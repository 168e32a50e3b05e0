"""The data the HTML report's charts draw (Chart.js, vendored in templates/reports/vendor).

Times are milliseconds since 1970 of the agency's wall clock read as UTC, so the browser
shows the same dates and hours whatever its own time zone. Text drawn on a canvas is never
parsed as HTML; the JSON is escaped for a ``<script>`` element by :func:`script_json`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sop_sync.model.text import shorten
from sop_sync.reports.per_request import RequestReport, StepRow
from sop_sync.reports.report import Report
from sop_sync.reports.sla import SopSla
from sop_sync.rules.progress import StepState

_EPOCH = dt.datetime(1970, 1, 1)
_LABEL = 40


def ms(moment: dt.datetime) -> int:
    """Milliseconds since 1970 of a naive wall-clock moment, read as UTC."""
    return int((moment - _EPOCH).total_seconds()) * 1000


def _span(start: dt.datetime | None, end: dt.datetime | None) -> list[int] | None:
    if start is None or end is None or end < start:
        return None
    return [ms(start), ms(end)]


def _row_state(row: StepRow) -> str:
    if row.late_days > 0 or row.closed_late > 0:
        return "terlambat"
    return row.state.value


def gantt(request: RequestReport, now: dt.datetime) -> dict[str, Any]:
    """Planned against actual, one row per step on the path taken."""
    rows = []
    for row in request.steps:
        if row.state is StepState.SKIPPED:
            continue
        timing = row.timing
        actual = None
        if timing is not None and timing.ready is not None:
            actual = _span(timing.ready, timing.closed or now)
        rows.append(
            {
                "label": f"{row.number:02d} {shorten(row.activity, _LABEL)}",
                "planned": _span(row.planned_start, row.planned_end),
                "actual": actual,
                "state": _row_state(row),
            }
        )
    return {"title": shorten(request.title, 80), "rows": rows, "open": request.finished is None}


def timeline(report: Report) -> dict[str, Any]:
    """One row per request: its planned window, what it took so far, and the forecast."""
    rows = []
    for request in report.requests:
        readies = [r.timing.ready for r in request.steps if r.timing and r.timing.ready]
        begun = min(readies) if readies else None
        end = request.finished or (report.now if begun else None)
        rows.append(
            {
                "label": f"{request.key} · {shorten(request.title, 30)}",
                "planned": _span(request.start, request.planned_end),
                "actual": _span(begun, end),
                "forecast": _span(report.now, request.forecast) if request.forecast else None,
                "late": request.late,
            }
        )
    return {"rows": rows}


def _percent(value: float | None, standard: int | None) -> float | None:
    if value is None or not standard:
        return None
    return round(100 * value / standard, 1)


def sla_chart(sop: SopSla) -> dict[str, Any]:
    """Median and p90 of each step with a standard and samples, as % of its Mutu Baku."""
    steps = [s for s in sop.steps if s.standard and s.samples]
    return {
        "id": sop.sop.id,
        "labels": [f"{s.number:02d}" for s in steps],
        "names": [shorten(s.activity, _LABEL) for s in steps],
        "median": [_percent(s.median, s.standard) for s in steps],
        "p90": [_percent(s.p90, s.standard) for s in steps],
    }


def chart_data(report: Report) -> dict[str, Any]:
    """Everything the charts of one report draw."""
    return {
        "now": ms(report.now),
        "gantt": {request.key: gantt(request, report.now) for request in report.requests},
        "timeline": timeline(report),
        "sla": [sla_chart(sop) for sop in report.sla],
    }


def script_json(data: object) -> str:
    """JSON safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(raw, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
