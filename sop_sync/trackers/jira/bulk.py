"""Bulk creation: step issues created side by side go to Jira in one ``/issue/bulk`` call.

The apply loop hands the adapter one change at a time, in parallel threads for the changes
of one stage (``app/apply.py``). Each step creation announces itself before it builds its
body; the first to be ready opens a batch and waits until no sibling has arrived for a quiet
spell (``linger``, stretched to twice the widest gap seen between arrivals, at most
``SPELL_CAP``: the loop's threads start one after another while others render), and none
announced is still building (at most ``MAX_WAIT``). Then the batch goes out, at most 50
issues per call (Cloud OpenAPI ``POST /rest/api/3/issue/bulk``: "up to 50 issues"; DC the
same). A sibling that comes later only costs another call. Each caller gets its own issue
back, or its own error: Jira answers ``{"issues": [...], "errors": [{"failedElementNumber",
"elementErrors"}]}``, created issues in order (jira/client.py ``create_issues`` reads it the
same way; it is not used because it crashes on a 400 that is not per issue).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sop_sync.errors import TrackerError

LIMIT = 50
MAX_WAIT = 0.25
"""Seconds a batch waits at most for its siblings before it is sent."""
SPELL_CAP = 0.05
"""The quiet spell never exceeds this: a sibling later still costs a call and a round trip."""
Send = Callable[[list[dict[str, Any]]], list[dict[str, Any] | TrackerError]]
"""Sends issue bodies; answers, in order, each one's ``{id, key}`` or its error."""


@dataclass
class _Batch:
    bodies: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any] | TrackerError] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    closed: bool = False


class Batcher:
    """Collects concurrent creations into bulk calls."""

    def __init__(self, send: Send, linger: float = 0.005, limit: int = LIMIT) -> None:
        self.send = send
        self.linger = linger
        self.limit = limit
        self.lock = threading.Lock()
        self.open: _Batch | None = None
        self.coming = 0
        """Creations announced and still building their bodies."""
        self.last = time.monotonic()
        self.widest = 0.0
        """The widest gap between arrivals of the current wave."""

    def _arrival(self) -> None:
        now = time.monotonic()
        if self.open is not None and not self.open.closed:
            self.widest = max(self.widest, now - self.last)
        self.last = now

    def announce(self) -> None:
        """A creation is being prepared: an open batch waits for it."""
        with self.lock:
            self.coming += 1
            self._arrival()

    def withdraw(self) -> None:
        """An announced creation will not come (it failed before sending)."""
        with self.lock:
            self.coming -= 1
            self._arrival()

    def create(self, body: dict[str, Any], announced: bool = False) -> dict[str, Any]:
        """Create one issue (with whatever else is being created now); ``{id, key, self}``."""
        with self.lock:
            if announced:
                self.coming -= 1
            batch = self.open
            leader = batch is None or batch.closed
            if leader:
                batch = self.open = _Batch()
                self.widest = 0.0
            assert batch is not None  # noqa: S101 - set just above
            self._arrival()
            position = len(batch.bodies)
            batch.bodies.append(body)
            if len(batch.bodies) >= self.limit:
                batch.closed = True
        if leader:
            self._lead(batch)
        batch.done.wait()
        result = batch.results[position]
        if isinstance(result, TrackerError):
            raise TrackerError(result.message)  # one exception object per waiting thread
        return result

    def _lead(self, batch: _Batch) -> None:
        started = time.monotonic()
        while True:
            with self.lock:
                now = time.monotonic()
                quiet = now - self.last
                spell = min(max(self.linger, 2 * self.widest), SPELL_CAP)
                settled = self.coming <= 0 and quiet >= spell
                if batch.closed or settled or now - started >= MAX_WAIT:
                    batch.closed = True
                    if self.open is batch:
                        self.open = None
                    break
            time.sleep(max(min(spell - quiet, 0.005), 0.0005))
        try:
            batch.results = self.send(batch.bodies)
        except TrackerError as error:
            batch.results = [error] * len(batch.bodies)
        except Exception as error:
            failure = TrackerError(f"Jira: creating issues in bulk: {error}")
            batch.results = [failure] * len(batch.bodies)
        finally:
            batch.done.set()
