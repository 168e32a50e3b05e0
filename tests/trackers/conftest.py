"""The tracker contract suite's backends.

Every test in ``test_contract.py`` runs once per backend in ``BACKENDS``. To plug in another
tracker (the GitLab or Jira emulator, or a live instance), add a factory: a context manager
taking pytest's ``tmp_path`` and yielding a fresh, empty tracker that speaks the protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from sop_sync.trackers.base import Tracker
from sop_sync.trackers.local import LocalTracker

Factory = Callable[[Path], AbstractContextManager[Tracker]]


@contextmanager
def local_tracker(tmp_path: Path) -> Iterator[Tracker]:
    """A fresh SQLite file."""
    tracker = LocalTracker(tmp_path / "tracker.db")
    try:
        yield tracker
    finally:
        tracker.close()


BACKENDS: dict[str, Factory] = {"local": local_tracker}


@pytest.fixture(params=sorted(BACKENDS))
def tracker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Tracker]:
    """One empty tracker per backend."""
    with BACKENDS[request.param](tmp_path) as made:
        yield made
