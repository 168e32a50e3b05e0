"""``sop-sync sop ...`` (read, check and draw SOP files) and ``sop-sync schedule``."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer

from sop_sync.app.sops import find_sop, sop_ids, sop_path
from sop_sync.cli.options import ConfigOption, MappingsOption, folder, parse_answers
from sop_sync.cli.output import console
from sop_sync.cli.tables import moment, schedule_table, sop_card
from sop_sync.config import load_settings
from sop_sync.errors import InputError, SopFileError
from sop_sync.model.request import parse_date
from sop_sync.schedule.timeline import schedule
from sop_sync.sop.loader import load_sop, sop_files
from sop_sync.sop.mermaid import flowchart

sop_app = typer.Typer(help="Read, check and draw the SOP files in mappings/.", no_args_is_help=True)


@sop_app.command("list")
def sop_list(mappings: MappingsOption = None) -> None:
    """List the SOPs in the mappings folder.

    Example: sop-sync sop list
    """
    where = folder(mappings)
    out = console()
    for sop_id in sop_ids(where):
        sop = load_sop(sop_path(where, sop_id))
        out.print(f"{sop.id:<24} {len(sop.steps):>3} langkah  {sop.name} — {sop.agency[-1]}")


@sop_app.command("show")
def sop_show(sop_id: str, mappings: MappingsOption = None) -> None:
    """Show an SOP's identity block and procedure table.

    Example: sop-sync sop show karanganyar
    """
    out = console()
    out.print(sop_card(find_sop(folder(mappings), sop_id), out.width))


@sop_app.command("validate")
def sop_validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders.")] = None,
    mappings: MappingsOption = None,
) -> None:
    """Check SOP files (default: every file in the mappings folder).

    Example: sop-sync sop validate mappings/
    """
    files = sop_files(paths or [folder(mappings)])
    if not files:
        raise InputError("no SOP files found (looked for *.yaml and *.yml)")
    problems: list[str] = []
    out = console()
    for file in files:
        try:
            sop = load_sop(file)
        except SopFileError as error:
            problems += error.problems
            continue
        out.print(f"ok  {file} ({sop.id}, {len(sop.steps)} langkah)")
    if problems:
        raise SopFileError(problems)


@sop_app.command("flow")
def sop_flow(sop_id: str, mappings: MappingsOption = None) -> None:
    """Print the SOP's flowchart as Mermaid (swimlanes per role).

    Example: sop-sync sop flow bkd-jateng > flow.mmd
    """
    sys.stdout.write(flowchart(find_sop(folder(mappings), sop_id)))


def schedule_command(
    sop_id: str,
    mulai: Annotated[
        str | None, typer.Option(help="Start date, YYYY-MM-DD [default: today].")
    ] = None,
    keputusan: Annotated[
        list[str] | None, typer.Option(help="A decision's answer, e.g. 2=tidak (repeatable).")
    ] = None,
    mappings: MappingsOption = None,
    config: ConfigOption = None,
) -> None:
    """Print the schedule of an SOP on the Indonesian working-day calendar.

    The agency's calendar (closures, working hours) and the default length of tentative steps
    come from sop-sync.yaml, as for `open`.

    Example: sop-sync schedule bkd-jateng --mulai 2026-12-01 --keputusan 2=tidak
    """
    settings = load_settings(config, mappings=mappings)
    sop = find_sop(settings.mappings_dir, sop_id)
    start = parse_date(mulai) if mulai else dt.date.today()
    answers = parse_answers(keputusan or [], sop)
    calendar = settings.calendar.calendar()
    try:
        timeline = schedule(sop, start, calendar, answers, settings.tentative_duration)
    except ValueError as error:
        raise InputError(str(error)) from None
    out = console()
    out.print(schedule_table(timeline))
    out.print(
        f"Total: {timeline.working_days} hari kerja, "
        f"{moment(timeline.start)} s.d. {moment(timeline.end)}"
    )


def register(app: typer.Typer) -> None:
    """Add the SOP commands to the main app (``plan`` stays as a hidden alias of ``schedule``)."""
    app.add_typer(sop_app, name="sop")
    app.command("schedule")(schedule_command)
    app.command("plan", hidden=True)(schedule_command)
