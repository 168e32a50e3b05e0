"""The one place the CLI talks to the terminal: change lists, progress, outcomes, errors.

:func:`run` maps every error to its exit code (DESIGN.md "Errors"); commands raise, they
never print errors themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from sop_sync import errors
from sop_sync.app.apply import Outcome
from sop_sync.errors import SopSyncError, TrackerError
from sop_sync.model.changes import Change
from sop_sync.model.text import shorten

try:  # typer >= 0.26 carries its own copy of click; older releases use click itself
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - depends on the installed typer
    from click import exceptions as click_exceptions  # type: ignore[no-redef]


def console() -> Console:
    """Standard output."""
    return Console()


def print_changes(out: Console, changes: list[Change]) -> None:
    """One line per planned or applied change."""
    for change in changes:
        out.print(f"  {change.describe()}", markup=False, highlight=False)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[Change], None]]:
    """A progress bar on stderr advanced once per applied change."""
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task(label, total=None)

        def advance(change: Change) -> None:
            bar.update(task, advance=1, description=f"{label}: {shorten(change.describe(), 50)}")

        yield advance


def report(out: Console, outcome: Outcome) -> None:
    """Print what a run did; raise when anything failed."""
    out.print(f"{outcome.key}: {len(outcome.applied)} changes applied")
    if outcome.failures:
        lines = [f"{outcome.key}: {len(outcome.failures)} changes failed (re-run to retry):"]
        lines += [f"  {change.describe()}: {message}" for change, message in outcome.failures]
        raise TrackerError("\n".join(lines))


def run(app: typer.Typer, argv: list[str] | None = None) -> int:
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
