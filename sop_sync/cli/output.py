"""The one place the CLI talks to the terminal: change lists, progress, outcomes, errors.

:func:`run` maps every error to its exit code (DESIGN.md "Errors"); commands raise, they
never print errors themselves. Every failure is one line: a person's error as ``error: ...``
(exit 1, or 2 for a command line that cannot be parsed), Ctrl-C as ``interrupted`` (130),
and a bug as ``error: internal error (...)`` with the hint to set ``SOP_SYNC_DEBUG=1`` for the
traceback (3).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from sop_sync import errors
from sop_sync.app.apply import Outcome
from sop_sync.cli import interrupts
from sop_sync.errors import SopSyncError, TrackerError
from sop_sync.model.changes import Change
from sop_sync.model.text import shorten
from sop_sync.secrets import scrub

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
    """A progress bar on stderr advanced once per applied change, on a terminal only.

    Redrawn by the changes themselves (no refresh thread). Cleaned up however the block ends;
    when even that is interrupted, :mod:`.interrupts` wipes the line and shows the cursor.
    """
    err = Console(stderr=True)
    if not err.is_terminal:  # a pipe or a file: nothing to animate, nothing to clean up
        yield lambda change: None
        return
    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        console=err, transient=True, auto_refresh=False,
    )  # fmt: skip
    task = bar.add_task(label, total=None)
    drawn = time.monotonic()

    def advance(change: Change) -> None:
        nonlocal drawn
        bar.update(task, advance=1, description=f"{label}: {shorten(change.describe(), 50)}")
        if time.monotonic() - drawn >= 0.1:
            bar.refresh()
            drawn = time.monotonic()

    streams = sys.stdout, sys.stderr  # rich redirects both while the bar shows
    interrupts.displaying(True)
    bar.start()
    try:
        yield advance
    finally:
        try:
            bar.stop()
        finally:
            sys.stdout, sys.stderr = streams
        interrupts.displaying(False)


def report(out: Console, outcome: Outcome) -> None:
    """Print what a run did; raise when anything failed."""
    out.print(f"{outcome.key}: {len(outcome.applied)} changes applied")
    if outcome.failures:
        lines = [f"{outcome.key}: {len(outcome.failures)} changes failed (re-run to retry):"]
        lines += [f"  {change.describe()}: {message}" for change, message in outcome.failures]
        raise TrackerError("\n".join(lines))


def run(app: typer.Typer, argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code; the one place errors become exit codes."""
    interrupts.reset()
    try:
        result = app(args=argv, standalone_mode=False)
    except SopSyncError as error:
        err = Console(stderr=True, soft_wrap=True)
        for line in error.lines():
            err.print(f"error: {scrub(line)}", style="red", markup=False, highlight=False)
        return error.exit_code
    except (typer.Abort, KeyboardInterrupt):
        interrupts.say()
        return errors.INTERRUPTED_EXIT
    except typer.Exit as done:
        return int(done.exit_code)
    except click_exceptions.ClickException as error:
        error.show()
        return errors.USAGE_EXIT
    except Exception as error:  # a bug: one line, the traceback only when asked for
        internal_error(error)
        return errors.INTERNAL_EXIT
    # without standalone mode typer returns the code of a typer.Exit, and turns Ctrl-C into 130
    code = result if isinstance(result, int) and not isinstance(result, bool) else errors.OK_EXIT
    if code == errors.INTERRUPTED_EXIT:
        interrupts.say()
    return code


def internal_error(error: BaseException) -> None:
    """Report a bug on one line (after its traceback when SOP_SYNC_DEBUG is set)."""
    if errors.debugging():
        sys.stderr.write(scrub(errors.internal_error_traceback(error)))
    err = Console(stderr=True, soft_wrap=True)
    message = f"error: {scrub(errors.internal_error_message(error))}"
    err.print(message, style="red", markup=False, highlight=False)
