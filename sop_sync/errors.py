"""Every error sop-sync shows a person, and the exit codes, in one place.

Each subclass means something to the user; its message is written for people. The CLI
turns them into exit codes through :data:`EXIT_CODES` and nothing else.
"""

from __future__ import annotations

import os
import traceback


class SopSyncError(Exception):
    """Root of every error sop-sync reports to a person (never with a traceback)."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def lines(self) -> list[str]:
        """The lines to print, one problem per line."""
        return [self.message]


class InputError(SopSyncError, ValueError):
    """A value the user gave is wrong: a malformed date, an unknown role, a bad answer.

    Exit code 1 like every other error; exit code 2 is left to the argument parser for
    commands that cannot even be parsed (unknown options, missing arguments).
    """


class ConfigError(SopSyncError, ValueError):
    """A configuration file or environment variable is wrong."""


class SopFileError(SopSyncError, ValueError):
    """One or more problems in an SOP file, each naming file, line and key path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)

    def lines(self) -> list[str]:
        """Each problem on its own line."""
        return list(self.problems)


class NotFoundError(SopSyncError, LookupError):
    """Something the user named (an SOP id, a request key, a step) does not exist."""


class TrackerError(SopSyncError):
    """A tracker refused or failed an operation; says what was being done."""


class TrackerUnavailableError(TrackerError):
    """The tracker cannot be used at all for now (locked by another process, unreachable).

    Unlike a change the tracker refused, this stops the run: every further change would
    wait and fail the same way. A re-run converges once the tracker is back.
    """


class ViolationError(SopSyncError):
    """A rule or the merge-request gate said no."""


USAGE_EXIT = 2
INTERRUPTED_EXIT = 130
INTERNAL_EXIT = 3
OK_EXIT = 0


DEBUG_VARIABLE = "SOP_SYNC_DEBUG"
"""Set to 1 to see the traceback of an internal error (exit code 3)."""


def debugging() -> bool:
    """Whether :data:`DEBUG_VARIABLE` asks for tracebacks."""
    return os.environ.get(DEBUG_VARIABLE, "").strip().lower() in ("1", "true", "yes", "on")


def internal_error_message(error: BaseException) -> str:
    """The one line for a bug: what was raised, and how to see where (not yet scrubbed)."""
    detail = " ".join(str(error).split())
    if len(detail) > 200:
        detail = detail[:199] + "…"
    what = f"{type(error).__name__}: {detail}" if detail else type(error).__name__
    return f"internal error ({what}); please report it: {DEBUG_VARIABLE}=1 shows the traceback"


def internal_error_traceback(error: BaseException) -> str:
    """The traceback of a bug, as :data:`DEBUG_VARIABLE` shows it (not yet scrubbed)."""
    return "".join(traceback.format_exception(error))


def exit_code_for(error: BaseException) -> int:
    """The process exit code for an error that reached the CLI."""
    if isinstance(error, SopSyncError):
        return error.exit_code
    if isinstance(error, KeyboardInterrupt):
        return INTERRUPTED_EXIT
    return INTERNAL_EXIT
