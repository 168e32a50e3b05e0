"""The one Jinja environment: templates from ``templates/``, Indonesian dates, safe user text.

Every text sop-sync renders from a template (tracker texts now; documents and reports next)
comes from :func:`environment`, so the filters and the undefined-is-an-error rule are the
same everywhere.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import jinja2

from sop_sync.model.text import neutralise
from sop_sync.resources import resource

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


def code(text: object) -> str:
    """An inline code span that user text cannot close."""
    return f"`{str(text).replace('`', '')}`"


@functools.lru_cache(maxsize=8)
def environment(folder: Path = TEMPLATES) -> jinja2.Environment:
    """The Jinja environment over ``folder`` (cached: templates compile once per process)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=False,  # noqa: S701 - Markdown, not HTML: user text goes through `md`
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = neutralise
    env.filters["tanggal"] = tanggal
    env.filters["code"] = code
    return env
