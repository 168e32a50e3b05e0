"""Fixtures of the service tests: a real PostgreSQL server, and an inbox URL per backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.postgres import create_database, drop_database, running_postgres

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """The DSN of a PostgreSQL server started for this test session (stopped at its end)."""
    with running_postgres() as dsn:
        yield dsn


@pytest.fixture
def fresh_postgres_url(postgres_dsn: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test."""
    url = create_database(postgres_dsn)
    yield url
    drop_database(postgres_dsn, url)


@pytest.fixture(params=BACKENDS)
def inbox_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh inbox: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "inbox.db")
    return str(request.getfixturevalue("fresh_postgres_url"))
