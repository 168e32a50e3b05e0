"""The tracker contract suite's backends.

Every test in ``test_contract.py`` runs once per backend in ``BACKENDS``: the local tracker,
the GitLab emulator in Free and Premium mode, and (marked ``live``, skipped unless
``SOP_SYNC_TEST_GITLAB_URL`` and ``SOP_SYNC_TEST_GITLAB_TOKEN`` or
``SOP_SYNC_TEST_GITLAB_OAUTH_TOKEN`` are set) a real GitLab. To plug in another tracker
(the Jira emulator), add a factory: a context manager taking
pytest's ``tmp_path`` and yielding a function that makes a new tracker instance on the same,
initially empty, store. Tests write through one instance and read back through a fresh one,
so nothing is proved by an adapter's own cache.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

import gitlab
import pytest

from sop_sync.trackers.base import Tracker
from sop_sync.trackers.gitlab.facade import GitLabTracker
from sop_sync.trackers.local.facade import LocalTracker
from tests.fakes.gitlab import FakeGitLab
from tests.trackers.jira.backends import JIRA_BACKENDS
from tests.trackers.jira.backends import LIVE_READY as JIRA_LIVE_READY
from tests.trackers.jira.backends import LIVE_REASON as JIRA_LIVE_REASON


class PersonalTracker(Tracker, Protocol):
    """A tracker that tests can also drive as a person (what people do in its UI)."""

    def acting_as(self, person: str) -> Tracker:
        """The same tracker, acting as ``person``."""
        ...


Make = Callable[[], PersonalTracker]
Factory = Callable[[Path], AbstractContextManager[Make]]
PEOPLE = ("sari", "andi", "dewi", "budi")


@contextmanager
def local_tracker(tmp_path: Path) -> Iterator[Make]:
    """A fresh SQLite file."""
    made: list[LocalTracker] = []

    def make() -> PersonalTracker:
        made.append(LocalTracker(tmp_path / "tracker.db"))
        return made[-1]

    try:
        yield make
    finally:
        for tracker in made:
            tracker.close()


def gitlab_emulator(tier: str, flaky_every: int = 0) -> Factory:
    """A fresh GitLab emulator of ``tier`` with one project and a few people.

    With ``flaky_every``, every n-th request fails (429 with Retry-After, or 502): every
    operation must still succeed through python-gitlab's retries, and the log must show them.
    """

    @contextmanager
    def factory(tmp_path: Path) -> Iterator[Make]:
        with FakeGitLab(tier=tier, flaky_every=flaky_every) as fake:
            fake.state.add_project("diskominfo/aplikasi-sop")
            for name in PEOPLE:
                fake.state.add_user(name)

            def make() -> PersonalTracker:
                client = gitlab.Gitlab(
                    fake.url, private_token=fake.token, retry_transient_errors=True
                )
                return GitLabTracker.on_client(
                    client, "diskominfo/aplikasi-sop", group="diskominfo"
                )

            yield make
            if flaky_every and len(fake.log) >= 2 * flaky_every:
                statuses = {entry.status for entry in fake.log}
                assert {429, 502} <= statuses, "the faults were not exercised"

    return factory


LIVE_URL = os.environ.get("SOP_SYNC_TEST_GITLAB_URL", "")
LIVE_TOKEN = os.environ.get("SOP_SYNC_TEST_GITLAB_TOKEN", "")
LIVE_OAUTH = os.environ.get("SOP_SYNC_TEST_GITLAB_OAUTH_TOKEN", "")


def live_client() -> gitlab.Gitlab:
    """A client for the real GitLab named in the environment (admin: tests create users)."""
    if LIVE_OAUTH:
        return gitlab.Gitlab(LIVE_URL, oauth_token=LIVE_OAUTH, retry_transient_errors=True)
    return gitlab.Gitlab(LIVE_URL, private_token=LIVE_TOKEN, retry_transient_errors=True)


@contextmanager
def gitlab_live(tmp_path: Path) -> Iterator[Make]:
    """A new project on a real GitLab per test, deleted afterwards."""
    client = live_client()
    for name in PEOPLE:
        if not client.users.list(username=name, get_all=False):
            client.users.create(
                {"username": name, "name": name.title(), "email": f"{name}@example.test",
                 "password": uuid.uuid4().hex + "Aa1!", "skip_confirmation": True}
            )  # fmt: skip
    project = client.projects.create({"name": f"sop-sync-test-{uuid.uuid4().hex[:10]}"})
    group = os.environ.get("SOP_SYNC_TEST_GITLAB_GROUP")
    try:

        def make() -> PersonalTracker:
            return GitLabTracker.on_client(live_client(), project.path_with_namespace, group=group)

        yield make
    finally:
        project.delete()


BACKENDS: dict[str, Factory] = {
    "local": local_tracker,
    "gitlab-free": gitlab_emulator("free"),
    "gitlab-premium": gitlab_emulator("premium"),
    "gitlab-premium-flaky": gitlab_emulator("premium", flaky_every=4),
    "gitlab-live": gitlab_live,
    **JIRA_BACKENDS,
}
LIVE = {
    "gitlab-live": (
        bool(LIVE_URL and (LIVE_TOKEN or LIVE_OAUTH)),
        "set SOP_SYNC_TEST_GITLAB_URL and a token to run against a real GitLab",
    ),
    "jira-live": (JIRA_LIVE_READY, JIRA_LIVE_REASON),
}
"""Live backends: whether their variables are set, and what to set."""
PARAMS = [
    pytest.param(
        name,
        marks=[pytest.mark.live, pytest.mark.skipif(not LIVE[name][0], reason=LIVE[name][1])],
    )
    if name in LIVE
    else name
    for name in sorted(BACKENDS)
]


@pytest.fixture(params=PARAMS)
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
