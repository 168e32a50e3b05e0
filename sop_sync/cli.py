"""Command line: parse arguments, call one function, print. Errors are mapped in :func:`run`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sop_sync import cli_requests, cli_rules, errors
from sop_sync.calendar import WorkCalendar
from sop_sync.errors import InputError, SopFileError, SopSyncError
from sop_sync.request import parse_date
from sop_sync.schedule import schedule
from sop_sync.sop.loader import load_sop, sop_files
from sop_sync.sop.mermaid import flowchart
from sop_sync.sop.registry import default_mappings_dir, find_sop, sop_ids, sop_path
from sop_sync.views import moment, schedule_table, sop_card

try:  # typer >= 0.26 carries its own copy of click; older releases use click itself
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - depends on the installed typer
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

app = typer.Typer(
    help="Run an application-development SOP (SOP AP) inside your issue tracker.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
sop_app = typer.Typer(help="Read, check and draw the SOP files in mappings/.", no_args_is_help=True)
app.add_typer(sop_app, name="sop")

MappingsOption = Annotated[
    Path | None,
    typer.Option(
        "--mappings",
        envvar="SOP_SYNC_MAPPINGS",
        help="Folder of SOP files [default: ./mappings, else the bundled seed SOPs].",
    ),
]


def _out() -> Console:
    return Console()


def _folder(mappings: Path | None) -> Path:
    return mappings if mappings is not None else default_mappings_dir()


@sop_app.command("list")
def sop_list(mappings: MappingsOption = None) -> None:
    """List the SOPs in the mappings folder.

    Example: sop-sync sop list
    """
    folder = _folder(mappings)
    console = _out()
    for sop_id in sop_ids(folder):
        sop = load_sop(sop_path(folder, sop_id))
        console.print(f"{sop.id:<24} {len(sop.steps):>3} langkah  {sop.name} — {sop.agency[-1]}")


@sop_app.command("show")
def sop_show(sop_id: str, mappings: MappingsOption = None) -> None:
    """Show an SOP's identity block and procedure table.

    Example: sop-sync sop show karanganyar
    """
    _out().print(sop_card(find_sop(_folder(mappings), sop_id)))


@sop_app.command("validate")
def sop_validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders.")] = None,
    mappings: MappingsOption = None,
) -> None:
    """Check SOP files (default: every file in the mappings folder).

    Example: sop-sync sop validate mappings/
    """
    files = sop_files(paths or [_folder(mappings)])
    if not files:
        raise InputError("no SOP files found (looked for *.yaml and *.yml)")
    problems: list[str] = []
    console = _out()
    for file in files:
        try:
            sop = load_sop(file)
        except SopFileError as error:
            problems += error.problems
            continue
        console.print(f"ok  {file} ({sop.id}, {len(sop.steps)} langkah)")
    if problems:
        raise SopFileError(problems)


@sop_app.command("flow")
def sop_flow(sop_id: str, mappings: MappingsOption = None) -> None:
    """Print the SOP's flowchart as Mermaid (swimlanes per role).

    Example: sop-sync sop flow bkd-jateng > flow.mmd
    """
    sys.stdout.write(flowchart(find_sop(_folder(mappings), sop_id)))


def parse_answers(items: list[str]) -> dict[int, bool]:
    """``["2=tidak", "8=ya"]`` -> ``{2: False, 8: True}``."""
    answers: dict[int, bool] = {}
    for item in items:
        number, _, answer = item.partition("=")
        if not number.strip().isdigit() or answer.strip().lower() not in ("ya", "tidak"):
            raise InputError(f"malformed --keputusan {item!r}: write it as <no>=ya|tidak")
        answers[int(number)] = answer.strip().lower() == "ya"
    return answers


@app.command("plan")
def plan_command(
    sop_id: str,
    mulai: Annotated[
        str | None, typer.Option(help="Start date, YYYY-MM-DD [default: today].")
    ] = None,
    keputusan: Annotated[
        list[str] | None, typer.Option(help="A decision's answer, e.g. 2=tidak (repeatable).")
    ] = None,
    mappings: MappingsOption = None,
) -> None:
    """Print the schedule of an SOP on the Indonesian working-day calendar.

    Example: sop-sync plan bkd-jateng --mulai 2026-12-01 --keputusan 2=tidak
    """
    sop = find_sop(_folder(mappings), sop_id)
    start = parse_date(mulai) if mulai else dt.date.today()
    answers = parse_answers(keputusan or [])
    try:
        plan = schedule(sop, start, WorkCalendar(), answers)
    except ValueError as error:
        raise InputError(str(error)) from None
    console = _out()
    console.print(schedule_table(plan))
    console.print(
        f"Total: {plan.working_days} hari kerja, {moment(plan.start)} s.d. {moment(plan.end)}"
    )


cli_requests.register(app)
cli_rules.register(app)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code; the one place errors become exit codes."""
    try:
        app(args=argv, standalone_mode=False)
    except SopSyncError as error:
        err = Console(stderr=True, soft_wrap=True)
        for line in error.lines():
            err.print(f"error: {line}", style="red", markup=False, highlight=False)
        return error.exit_code
    except (typer.Abort, KeyboardInterrupt):
        return errors.INTERRUPTED_EXIT
    except typer.Exit as done:
        return int(done.exit_code)
    except click_exceptions.ClickException as error:
        error.show()
        return errors.USAGE_EXIT
    return errors.OK_EXIT


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())
