"""Command line: parse arguments, call one use case, print. Split by command group.

The typer app is in :mod:`.commands`; errors become exit codes in one place
(:func:`sop_sync.cli.output.run`). This module stays light (standard library only) so that
:func:`main` takes over Ctrl-C before the commands are imported: an interrupt at any moment
of a run ends it with exit code 130 and one line (:mod:`.interrupts`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NoReturn

from sop_sync.cli import interrupts

if TYPE_CHECKING:
    import typer


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code (tests call this in their own process)."""
    from sop_sync.cli import output
    from sop_sync.cli.commands import app

    return output.run(app, argv)


def main() -> NoReturn:
    """Console-script entry point (and ``python -m sop_sync``): run, then end the process."""
    code = interrupts.INTERRUPTED_EXIT
    try:
        interrupts.install()
        code = run()
    except KeyboardInterrupt:
        code = interrupts.INTERRUPTED_EXIT
    except SystemExit as done:
        code = _exit_code(done.code)
    except Exception as error:  # a bug before the CLI could report it (importing the commands)
        code = _internal(error)
    finally:
        try:
            interrupts.leave(code)
        except KeyboardInterrupt:  # the one interrupt, landing just before `leave` began
            interrupts.leave(interrupts.INTERRUPTED_EXIT)


def _exit_code(code: object) -> int:
    """What ``sys.exit(code)`` would have exited with."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # noqa: T201 - what sys.exit() prints
    return 1


def _internal(error: Exception) -> int:
    from sop_sync import errors
    from sop_sync.secrets import scrub

    if errors.debugging():
        sys.stderr.write(scrub(errors.internal_error_traceback(error)))
    sys.stderr.write(f"error: {scrub(errors.internal_error_message(error))}\n")
    return errors.INTERNAL_EXIT


def __getattr__(name: str) -> Any:
    """``sop_sync.cli.app``: the typer app, imported on first use."""
    if name == "app":
        from sop_sync.cli.commands import app

        return app
    raise AttributeError(name)


if TYPE_CHECKING:
    app: typer.Typer
