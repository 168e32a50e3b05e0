"""The HTML report: one self-contained file (styles, Chart.js and the data inline; no network).

Rendered from ``templates/reports/laporan.html.j2`` with autoescaping on: every title, name
and activity is text, never markup. The page's Content-Security-Policy allows nothing from
outside the file. ``eager`` opens every request's details and draws every Gantt at once
(for printing to PDF); otherwise a Gantt is drawn when its details are opened, so a report
over hundreds of requests opens quickly.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

import jinja2
from markupsafe import Markup

from sop_sync.reports.report import Report
from sop_sync.reports.worktime import durasi, tanggal, tanggal_jam, terlambat
from sop_sync.reports.writers.charts import chart_data, script_json
from sop_sync.resources import resource

TEMPLATES = resource("templates") / "reports"
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)


@functools.lru_cache(maxsize=4)
def environment(folder: Path = TEMPLATES) -> jinja2.Environment:
    """The HTML environment: autoescaping, undefined is an error."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tanggal"] = tanggal
    env.filters["tanggal_jam"] = tanggal_jam
    env.filters["terlambat"] = terlambat
    env.filters["persen"] = persen
    return env


@functools.lru_cache(maxsize=4)
def _asset(folder: Path, name: str) -> Markup:
    """A static file of the template folder, inlined as is (no source-map link)."""
    text = (folder / name).read_text(encoding="utf-8")
    return Markup(_SOURCE_MAP.sub("", text).replace("</script", "<\\/script"))  # noqa: S704


def persen(share: float | None) -> str:
    """``67%`` (whole percent), or a dash."""
    return "—" if share is None else f"{round(share * 100)}%"


def _durasi(minutes_per_day: int) -> Callable[[float | None, bool], str]:
    def render(minutes: float | None, calendar_days: bool = False) -> str:
        value = None if minutes is None else round(minutes)
        return durasi(value, minutes_per_day, calendar_days=calendar_days)

    return render


def hari_kerja(minutes_per_day: int) -> str:
    """``7,5 jam``: the length of one working day."""
    hours = f"{minutes_per_day / 60:.1f}".replace(".", ",").removesuffix(",0")
    return f"{hours} jam"


def render_html(report: Report, *, eager: bool = False, folder: Path = TEMPLATES) -> str:
    """The report as one HTML page."""
    env = environment(folder)
    template = env.get_template("laporan.html.j2")
    return template.render(
        r=report,
        eager=eager,
        hari_kerja=hari_kerja(report.minutes_per_day),
        css=_asset(folder, "laporan.css"),
        js=_asset(folder, "laporan.js"),
        chart_js=_asset(folder, "vendor/chart.umd.min.js"),
        data=Markup(script_json(chart_data(report))),  # noqa: S704 - escaped for <script>
        durasi=_durasi(report.minutes_per_day),
    )
