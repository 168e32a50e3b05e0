"""``python -m sop_sync`` in a real process, reaching a named function on a test's cue.

Test infrastructure, never shipped: the interrupt and crash tests start this script instead
of ``python -m sop_sync`` when they need a signal at a known moment. It runs sop-sync exactly
as ``python -m sop_sync`` does (:func:`runpy.run_module`), after at most these hooks:

``SOP_SYNC_TEST_AT``
    ``module:qualname[,module:qualname...]``: the function(s) to watch, e.g.
    ``sop_sync.sop.loader:load_sop`` or ``threading:_shutdown`` (``<module>`` for a module's
    own code while it is imported). Only the main thread is watched.
``SOP_SYNC_TEST_AT_FILE``
    written (with the target reached) when a watched function is first called.
``SOP_SYNC_TEST_AT_PAUSE``
    ``1``: wait there, up to a minute, for the test's signal (a signal handler that raises
    makes the exception come out of that call).
``SOP_SYNC_TEST_AT_SLEEP``
    seconds to sleep there, then go on (widens a race window for concurrency tests).
``SOP_SYNC_TEST_AT_RAISE``
    the name of a built-in exception (``KeyError``) to raise there instead: an unexpected
    exception at a known place.
``SOP_SYNC_TEST_TRACKER``
    ``parallel``: replace the configured tracker by :class:`SlowParallelTracker`, an
    in-memory tracker that allows four writes at once, each taking
    ``SOP_SYNC_TEST_APPLY_SECONDS`` (default 0.05); it appends one line per change it carried
    out to ``SOP_SYNC_TEST_APPLIED_FILE`` when set.
"""

from __future__ import annotations

import builtins
import os
import runpy
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any


def _watch(targets: set[str], reached_file: str, pause: bool, error: str, nap: float = 0.0) -> None:
    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event != "call":
            return
        name = f"{frame.f_globals.get('__name__')}:{frame.f_code.co_qualname}"
        if name not in targets:
            return
        sys.setprofile(None)
        if reached_file:
            Path(reached_file).write_text(name, encoding="utf-8")
        if error:
            raise getattr(builtins, error)(f"raised by the test at {name}")
        if nap:
            time.sleep(nap)
        if pause:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                time.sleep(0.01)

    sys.setprofile(profile)


def _parallel_tracker() -> None:
    """Make the factory open :class:`SlowParallelTracker` (before the CLI imports it)."""
    from sop_sync.model.changes import Change
    from sop_sync.model.tracker import Capabilities, Hierarchy, ObservedRequest, RequestSummary
    from sop_sync.trackers import factory
    from sop_sync.trackers.base import Connection
    from sop_sync.trackers.repository import TrustedHosts

    seconds = float(os.environ.get("SOP_SYNC_TEST_APPLY_SECONDS", "0.05"))
    applied_file = os.environ.get("SOP_SYNC_TEST_APPLIED_FILE", "")
    lock = threading.Lock()

    class SlowParallelTracker:
        """Nothing stored; every write takes a while, four may run at once."""

        capabilities = Capabilities(
            hierarchy=Hierarchy.EPIC, blocking_links=True, scoped_labels=True, parallel_writes=4
        )

        def requests(self) -> list[RequestSummary]:
            return []

        def observe(self, key: str, *, history: bool = True) -> ObservedRequest:
            return ObservedRequest(key, None, {}, {}, {}, frozenset())

        def apply(self, change: Change) -> None:
            time.sleep(seconds)
            if applied_file:
                with lock, Path(applied_file).open("a", encoding="utf-8") as out:
                    out.write(change.describe().replace("\n", " ") + "\n")

        def close(self) -> None:
            pass

    def connect(*args: Any, **kwargs: Any) -> Connection:
        return Connection(SlowParallelTracker(), TrustedHosts())

    factory.connect = connect


def main() -> None:
    """Install the hooks the environment asks for, then run ``python -m sop_sync``."""
    if os.environ.get("SOP_SYNC_TEST_TRACKER") == "parallel":
        _parallel_tracker()
    targets = {t for t in os.environ.get("SOP_SYNC_TEST_AT", "").split(",") if t}
    if targets:
        reached = os.environ.get("SOP_SYNC_TEST_AT_FILE", "")
        pause = os.environ.get("SOP_SYNC_TEST_AT_PAUSE") == "1"
        nap = float(os.environ.get("SOP_SYNC_TEST_AT_SLEEP") or 0)
        _watch(targets, reached, pause, os.environ.get("SOP_SYNC_TEST_AT_RAISE", ""), nap)
    sys.argv = ["sop_sync", *sys.argv[1:]]
    runpy.run_module("sop_sync", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
