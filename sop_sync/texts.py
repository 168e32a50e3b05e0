"""Tracker texts rendered from ``templates/tracker/`` with jinja2 (Bahasa Indonesia).

User text is neutralised where rendered: HTML, Markdown links and @mentions cannot
escape into the tracker.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2

from sop_sync.plan import EpicView, StepView
from sop_sync.resources import resource
from sop_sync.safe_text import neutralise
from sop_sync.sop.mermaid import flowchart

TEMPLATES = resource("templates")
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def tanggal(value: dt.date | dt.datetime | None) -> str:
    """``Selasa, 1 Desember 2026`` (with ``pukul 15.00`` for a moment)."""
    if value is None:
        return "—"
    text = f"{DAYS[value.weekday()]}, {value.day} {MONTHS[value.month - 1]} {value.year}"
    if isinstance(value, dt.datetime):
        text += f" pukul {value:%H.%M}"
    return text


class JinjaTexts:
    """The :class:`sop_sync.plan.Texts` renderer backed by the template folder."""

    def __init__(self, folder: Path = TEMPLATES) -> None:
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folder),
            autoescape=False,  # noqa: S701 - Markdown, not HTML: user text goes through `md`
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["md"] = neutralise
        self._env.filters["tanggal"] = tanggal
        self._env.filters["code"] = lambda text: f"`{str(text).replace('`', '')}`"

    def epic(self, view: EpicView) -> str:
        """The epic's description."""
        template = self._env.get_template("tracker/epic.md.j2")
        return template.render(v=view, mermaid=flowchart(view.sop))

    def step(self, view: StepView) -> str:
        """A step issue's description."""
        return self._env.get_template("tracker/step.md.j2").render(v=view)
