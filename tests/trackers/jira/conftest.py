"""Fixtures for the Jira adapter's own tests: a seeded emulator per flavour."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.jira import FakeJira
from tests.trackers.jira.backends import seeded


@pytest.fixture(params=["cloud", "dc"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    """Each flavour in turn; an emulator crash fails the test at teardown."""
    with seeded(request.param) as running:
        yield running
    assert not running.errors, running.errors[0]


@pytest.fixture
def cloud() -> Iterator[FakeJira]:
    """A Jira Cloud emulator."""
    with seeded("cloud") as running:
        yield running
    assert not running.errors, running.errors[0]


@pytest.fixture
def dc() -> Iterator[FakeJira]:
    """A Jira Data Center emulator."""
    with seeded("dc") as running:
        yield running
    assert not running.errors, running.errors[0]
