"""The tracker contract suite's backends.

Every test in ``test_contract.py`` runs once per backend in ``BACKENDS``. To plug in another
tracker (the Jira emulator, or a live instance), add a factory: a context manager taking
pytest's ``tmp_path`` and yielding a function that makes a new tracker instance on the same,
initially empty, store. Tests write through one instance and read back through a fresh one,
so nothing is proved by an adapter's own cache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import gitlab
import pytest

from sop_sync.trackers.base import Tracker
from sop_sync.trackers.gitlab import GitLabTracker
from sop_sync.trackers.local import LocalTracker
from tests.fakes.gitlab import FakeGitLab

Make = Callable[[], Tracker]
Factory = Callable[[Path], AbstractContextManager[Make]]
PEOPLE = ("sari", "andi", "dewi", "budi")


@contextmanager
def local_tracker(tmp_path: Path) -> Iterator[Make]:
    """A fresh SQLite file."""
    made: list[LocalTracker] = []

    def make() -> Tracker:
        made.append(LocalTracker(tmp_path / "tracker.db"))
        return made[-1]

    try:
        yield make
    finally:
        for tracker in made:
            tracker.close()


def gitlab_emulator(tier: str) -> Factory:
    """A fresh GitLab emulator of ``tier`` with one project and a few people."""

    @contextmanager
    def factory(tmp_path: Path) -> Iterator[Make]:
        with FakeGitLab(tier=tier) as fake:
            fake.state.add_project("diskominfo/aplikasi-sop")
            for name in PEOPLE:
                fake.state.add_user(name)

            def make() -> Tracker:
                client = gitlab.Gitlab(
                    fake.url, private_token=fake.token, retry_transient_errors=True
                )
                return GitLabTracker(client, "diskominfo/aplikasi-sop", group="diskominfo")

            yield make

    return factory


BACKENDS: dict[str, Factory] = {
    "local": local_tracker,
    "gitlab-free": gitlab_emulator("free"),
    "gitlab-premium": gitlab_emulator("premium"),
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Make]:
    """Makes tracker instances on one empty store, per backend."""
    with BACKENDS[request.param](tmp_path) as make:
        yield make


@pytest.fixture
def tracker(backend: Make) -> Tracker:
    """The instance a test writes through."""
    return backend()


@pytest.fixture
def reread(backend: Make) -> Make:
    """Fresh instances to read back with (no cache of the writer's)."""
    return backend
