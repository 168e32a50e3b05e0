"""The embedded local tracker: one SQLite file (WAL), attachments in a folder beside it.

The reference backend of the tracker contract, and what the demo and most tests run on.
Each ``apply`` runs in one transaction, each read in one snapshot (:mod:`.store`). The hidden
marker is the (request key, step) columns, unique, so a duplicate can never be written.
Opened ``read_only`` (status, check, dry runs), it writes and creates nothing: a missing file
is a tracker with no requests yet.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sop_sync.model.changes import Change
from sop_sync.model.tracker import Capabilities, Hierarchy, ObservedRequest, RequestSummary
from sop_sync.trackers.local import read
from sop_sync.trackers.local.store import LocalStore
from sop_sync.trackers.local.write import HANDLERS, Write

DEFAULT_PATH = Path(".sop-sync/tracker.db")
CAPABILITIES = Capabilities(hierarchy=Hierarchy.EPIC, blocking_links=True, scoped_labels=True)


class LocalTracker:
    """The tracker protocol on one SQLite file."""

    def __init__(
        self,
        path: Path | str = DEFAULT_PATH,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        actor: str = "sop-sync",
        busy_timeout: float = 5.0,
        read_only: bool = False,
    ) -> None:
        self.store = LocalStore(
            Path(path), clock=clock, busy_timeout=busy_timeout, read_only=read_only
        )
        self.actor = actor
        """Who the changes are recorded as (sop-sync itself unless :meth:`acting_as`)."""
        self.operations = 0
        """Tracker operations so far (one per apply, observe or requests call)."""

    @property
    def path(self) -> Path:
        """The SQLite file."""
        return self.store.path

    @property
    def capabilities(self) -> Capabilities:
        """Everything: epics, blocking links, exclusive scoped labels."""
        return CAPABILITIES

    def ping(self) -> None:
        """Read the request list (the file is there and readable)."""
        self.requests()

    def own_accounts(self) -> frozenset[str]:
        """The name sop-sync records its own changes under."""
        return frozenset({"sop-sync"})

    def acting_as(self, person: str) -> LocalTracker:
        """The same tracker, recording changes as ``person`` (what people do in a UI)."""
        view = copy.copy(self)
        view.actor = person
        return view

    def apply(self, change: Change) -> None:
        """Carry out one change in one transaction."""
        self.operations += 1
        handler = HANDLERS[type(change)]
        with self.store.transaction(change.describe()) as db:
            handler(Write(self.store, db, self.actor), change)

    def requests(self) -> list[RequestSummary]:
        """Every epic, by key."""
        self.operations += 1
        return read.requests(self.store)

    def observe(self, key: str, *, history: bool = True) -> ObservedRequest:
        """Everything the request owns (always with history: it costs nothing more here)."""
        self.operations += 1
        return read.observe(self.store, key)

    def close(self) -> None:
        """Close the database."""
        self.store.close()
