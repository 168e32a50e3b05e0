"""The Markdown report, with Mermaid ``gantt`` blocks: a GitLab wiki page.

Rendered with the one Markdown environment (:func:`sop_sync.render.environment.environment`):
people's text goes through its ``md`` filter (Markdown-escaped, @mentions broken, one line),
and into Mermaid only through :func:`.mermaid.mermaid_text`.
"""

from __future__ import annotations

import datetime as dt

from sop_sync.render.environment import TEMPLATES, environment
from sop_sync.reports.per_request import RequestReport
from sop_sync.reports.report import Report
from sop_sync.reports.worktime import durasi, tanggal, tanggal_jam, terlambat
from sop_sync.reports.writers.html import hari_kerja, persen
from sop_sync.reports.writers.mermaid import gantt_block, mermaid_text

TIMELINE_LIMIT = 60
"""Requests up to which the portfolio timeline is drawn (Mermaid refuses very large text)."""


def _date(value: dt.date | dt.datetime | None) -> str:
    return tanggal(value.date() if isinstance(value, dt.datetime) else value)


def timeline_block(report: Report) -> str:
    """One Mermaid gantt of every request: planned window and actual (or so far)."""
    lines = ["```mermaid", "gantt", "    title Linimasa permohonan",
             "    dateFormat YYYY-MM-DD HH:mm", "    axisFormat %d-%m"]  # fmt: skip
    for request in report.requests:
        lines.append(f"    section {request.key}")
        name = mermaid_text(request.title, 40)
        ident = request.key.replace("-", "_")
        lines.append(
            f"    Rencana {name} : p_{ident}, {request.start:%Y-%m-%d %H:%M}, "
            f"{request.planned_end:%Y-%m-%d %H:%M}"
        )
        end = request.finished or request.forecast
        if end is not None and end > request.start:
            tag = "crit" if request.late else ("done" if request.finished else "active")
            word = "Realisasi" if request.finished else "Perkiraan"
            lines.append(
                f"    {word} {name} : {tag}, a_{ident}, {request.start:%Y-%m-%d %H:%M}, "
                f"{end:%Y-%m-%d %H:%M}"
            )
    lines.append("```")
    return "\n".join(lines)


def render_markdown(report: Report) -> str:
    """The report as a Markdown page."""
    per_day = report.minutes_per_day
    template = environment(TEMPLATES).get_template("reports/laporan.md.j2")

    def gantt(request: RequestReport) -> str:
        return gantt_block(request, report.now)

    def duration(minutes: float | None, calendar_days: bool = False) -> str:
        value = None if minutes is None else round(minutes)
        return durasi(value, per_day, calendar_days=calendar_days)

    text = template.render(
        r=report,
        hari_kerja=hari_kerja(per_day),
        timeline=timeline_block(report) if 0 < len(report.requests) <= TIMELINE_LIMIT else "",
        gantt=gantt,
        tanggal=_date,
        tanggal_jam=tanggal_jam,
        terlambat=terlambat,
        durasi=duration,
        persen=persen,
    )
    return "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"
