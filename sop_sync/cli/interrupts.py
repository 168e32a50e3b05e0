"""Ctrl-C ends sop-sync with exit code 130 and one line, whatever it interrupts.

:func:`sop_sync.cli.main` installs :func:`install` before it imports anything heavy, and
ends the process with :func:`leave`. Between them:

- the first SIGINT raises :class:`KeyboardInterrupt` once, so transactions roll back and
  stored files are removed on the way out; the CLI then prints ``interrupted``
  (:func:`say`) and exits 130;
- a second SIGINT (the way out takes too long: writes in flight, a slow server) ends the
  process at once, with the same one line;
- a SIGINT after the work is done (while leaving) ends it the same way: the process never
  goes through Python's own shutdown, where an interrupt prints tracebacks or is lost.

Only the standard library is imported here: this module is loaded before the commands are.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType
from typing import NoReturn

INTERRUPTED_EXIT = 130  # the same as errors.INTERRUPTED_EXIT (errors is not imported here)
LINE = "interrupted"

_installed = False
_interrupted = False
"""A SIGINT arrived (the one KeyboardInterrupt was raised, or the process is ending)."""
_said = False
_leaving = False
_display = False
"""A live display (the progress bar) is on the terminal and may need to be wiped."""


def install() -> None:
    """Take over SIGINT and hide the 'Exception ignored' noise an interrupt can cause."""
    global _installed
    _installed = True
    signal.signal(signal.SIGINT, _on_sigint)
    sys.unraisablehook = _unraisable


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    global _interrupted
    if _interrupted or _leaving:
        _interrupted = True
        leave(INTERRUPTED_EXIT)
    _interrupted = True
    raise KeyboardInterrupt


def _unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """Errors Python can only report (in ``__del__``, weakref callbacks) after an interrupt."""
    if _interrupted or isinstance(unraisable.exc_value, KeyboardInterrupt):
        return
    sys.__unraisablehook__(unraisable)


def reset() -> None:
    """Forget an earlier run's line (``run()`` is called many times in one test process)."""
    global _said
    if not _installed:
        _said = False


def displaying(active: bool) -> None:
    """A live display starts (True) or has been cleaned up (False)."""
    global _display
    _display = active


def say() -> None:
    """Print the one line (once per process; once per run when not installed).

    Installed, it first makes SIGINT ignored: the process is on its way out, and a handler
    run between the check and the write could otherwise swallow or double the line.
    """
    global _said, _display
    if _installed:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # runs a pending handler first
    if _said:
        return
    _said = True
    stream = sys.stderr if not _installed else sys.__stderr__
    if stream is None:  # pragma: no cover - no stderr at all
        return
    text = LINE + "\n"
    if _display and stream.isatty():
        text = "\r\x1b[2K\x1b[?25h" + text  # wipe the bar's line, show the cursor again
        _display = False
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError):  # pragma: no cover - stderr closed
        pass


def leave(code: int) -> NoReturn:
    """End the process: flush what was printed, then exit with ``code`` (130 if interrupted).

    Exits with :func:`os._exit`: the work is done and the files are closed, and Python's
    shutdown (joining threads, atexit, collecting modules) is where a late Ctrl-C would print
    a traceback or be lost.
    """
    global _leaving
    _leaving = True
    if _installed:  # a live display interrupted half-way may have left these redirected
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError, RuntimeError):  # closed pipe, or a flush interrupted
            pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # from here on nothing can interrupt
    if _interrupted:
        code = INTERRUPTED_EXIT
    if code == INTERRUPTED_EXIT:
        say()
    os._exit(code)
