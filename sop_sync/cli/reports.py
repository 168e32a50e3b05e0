"""The ``laporan`` command: leadership reports as HTML, PDF or Markdown, or a wiki page."""

from __future__ import annotations

import datetime as dt
import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from sop_sync.cli.options import ConfigOption, TrackerOption, connected
from sop_sync.cli.output import console
from sop_sync.config import load_settings
from sop_sync.model.request import parse_date
from sop_sync.reports.writers.gather import report_of
from sop_sync.reports.writers.html import render_html
from sop_sync.reports.writers.markdown import render_markdown
from sop_sync.reports.writers.pdf import write_pdf
from sop_sync.reports.writers.publish import page_title, publish


class Format(enum.Enum):
    """What ``--format`` writes."""

    HTML = "html"
    PDF = "pdf"
    MD = "md"


def reference_moment(per: str | None) -> dt.datetime:
    """``--per`` as a moment: the end of that day; without it, now (to the minute)."""
    if per is None:
        return dt.datetime.now().replace(second=0, microsecond=0)
    return dt.datetime.combine(parse_date(per), dt.time(23, 59))


def laporan_command(
    format_: Annotated[
        Format, typer.Option("--format", help="html (one file), pdf (A4 landscape) or md.")
    ] = Format.HTML,
    keluar: Annotated[
        Path | None,
        typer.Option(
            "--keluar", help="Output file ('-': standard output) [default: laporan.<format>]."
        ),
    ] = None,
    sop: Annotated[str | None, typer.Option("--sop", help="Only requests of this SOP id.")] = None,
    pemohon: Annotated[
        str | None, typer.Option("--pemohon", help="Only requests of this pemohon (part of it).")
    ] = None,
    per: Annotated[
        str | None,
        typer.Option("--per", help="Reference date YYYY-MM-DD: its end of day [default: now]."),
    ] = None,
    terbitkan: Annotated[
        bool,
        typer.Option(
            "--terbitkan",
            help="Publish the Markdown report: GitLab project wiki (one page, updated in "
            "place); other trackers: written to --keluar (default laporan.md).",
        ),
    ] = False,
    tracker: TrackerOption = None,
    config: ConfigOption = None,
) -> None:
    """Leadership report: milestones, delays, forecast and SLA per SOP step.

    Per request: progress, current steps and holders, each phase planned against actual
    (tepat waktu / terlambat N hari kerja), overdue steps, koreksi loops, a forecast finish.
    Per SOP step: working time against its Mutu Baku (median, p90, share within). Portfolio:
    by SOP, pemohon and state, and what is late this week.

    Example: sop-sync laporan --format pdf --keluar laporan.pdf --per 2026-12-31
    """
    settings = load_settings(config, tracker_kind=tracker)
    now = reference_moment(per)
    out = console()
    with connected(settings) as connection:
        report = report_of(connection.tracker, settings, now, sop_id=sop, requester=pemohon)
    count = f"{len(report.requests)} requests"
    if terbitkan:
        fallback = keluar if keluar is not None and str(keluar) != "-" else Path("laporan.md")
        done = publish(settings, page_title(sop, pemohon), render_markdown(report), fallback)
        verb = "published" if done.changed else "unchanged"
        out.print(f"{verb}: {done.where} ({count})", markup=False, highlight=False)
        return
    target = keluar if keluar is not None else Path(f"laporan.{format_.value}")
    if format_ is Format.PDF:
        if str(target) == "-":
            raise typer.BadParameter("a PDF cannot go to standard output", param_hint="--keluar")
        write_pdf(render_html(report, eager=True), target)
    else:
        text = render_html(report) if format_ is Format.HTML else render_markdown(report)
        if str(target) == "-":
            sys.stdout.write(text)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    out.print(f"wrote {target} ({count})", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the report command to the main app."""
    app.command("laporan")(laporan_command)
