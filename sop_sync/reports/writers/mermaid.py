"""Mermaid ``gantt`` blocks for the Markdown report (GitLab renders them in a wiki page).

Mermaid reads a task line as ``name : tags, id, start, end``; ``:`` ends the name, ``;`` and
a newline end the statement, ``#`` starts an entity code, ``%%`` a comment. People's text
(titles, activities) is therefore reduced to letters, digits, spaces and ``-.,()/'`` before it
goes into a block, and every task name starts with the step number, so no user text can
start a statement (``click``, ``section``) or leave the block.
"""

from __future__ import annotations

import datetime as dt
import re

from sop_sync.model.text import shorten
from sop_sync.reports.per_request import RequestReport
from sop_sync.rules.progress import StepState

_UNSAFE = re.compile(r"[^\w .,()/'-]", re.UNICODE)
_LIMIT = 50


def mermaid_text(text: object, limit: int = _LIMIT) -> str:
    """User text safe inside a Mermaid gantt line (a placeholder when nothing is left)."""
    cleaned = " ".join(_UNSAFE.sub(" ", str(text)).replace("_", " ").split())
    return shorten(cleaned, limit) or "(tanpa judul)"


def _moment(value: dt.datetime) -> str:
    return f"{value:%Y-%m-%d %H:%M}"


def gantt_block(request: RequestReport, now: dt.datetime) -> str:
    """The request's steps: a Rencana section and a Realisasi section."""
    lines = [
        "```mermaid",
        "gantt",
        f"    title {request.key} - {mermaid_text(request.title)}",
        "    dateFormat YYYY-MM-DD HH:mm",
        "    axisFormat %d-%m",
        "    section Rencana",
    ]
    steps = [row for row in request.steps if row.state is not StepState.SKIPPED]
    for row in steps:
        if row.planned_start is not None and row.planned_end is not None:
            name = f"{row.number:02d} {mermaid_text(row.activity, 40)}"
            lines.append(
                f"    {name} : r{row.number}, {_moment(row.planned_start)}, "
                f"{_moment(row.planned_end)}"
            )
    lines.append("    section Realisasi")
    for row in steps:
        timing = row.timing
        if timing is None or timing.ready is None:
            continue
        end = timing.closed or now
        if end <= timing.ready:
            end = timing.ready + dt.timedelta(minutes=1)
        tag = "done" if timing.closed else ("crit" if row.late_days else "active")
        name = f"{row.number:02d} {mermaid_text(row.activity, 40)}"
        lines.append(f"    {name} : {tag}, a{row.number}, {_moment(timing.ready)}, {_moment(end)}")
    lines.append("```")
    return "\n".join(lines)
