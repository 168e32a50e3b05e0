"""Helpers for the Jira emulator's own tests: clients, raw requests, issue fields."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import jira
import pytest
import requests

from tests.fakes.jira import FakeJira
from tests.fakes.jira.catalog import EPIC_LINK, EPIC_NAME

SARI_TOKEN = "sari-token"


def seeded(flavour: str, **options: Any) -> FakeJira:
    """An emulator (not started) with project APL and two people; Sari may call the API."""
    fake = FakeJira(flavour=flavour, **options)
    fake.add_project("APL", "Aplikasi")
    fake.add_user("sari", "Sari Wulandari", "sari@example.go.id", token=SARI_TOKEN)
    fake.add_user("andi", "Andi Saputra", "andi@example.go.id")
    return fake


def connect(fake: FakeJira, as_sari: bool = False, **options: Any) -> jira.JIRA:
    """The real jira client, authenticated as each flavour expects (Cloud: email + token)."""
    token = SARI_TOKEN if as_sari else fake.token
    if fake.state.cloud:
        email = "sari@example.go.id" if as_sari else fake.email
        return jira.JIRA(fake.url, basic_auth=(email, token), **options)
    return jira.JIRA(fake.url, token_auth=token, **options)


def raw(fake: FakeJira, method: str, path: str, **kwargs: Any) -> requests.Response:
    """A request the jira library has no method for, with the bot's credentials."""
    headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
    auth = (fake.email, fake.token) if fake.state.cloud else None
    if not fake.state.cloud:
        headers["Authorization"] = f"Bearer {fake.token}"
    return requests.request(
        method, fake.url + path, headers=headers, auth=auth, timeout=10, **kwargs
    )


def epic(fake: FakeJira, summary: str = "Tahap analisis") -> dict[str, Any]:
    """Fields of an epic in APL (DC needs the Epic Name field)."""
    fields: dict[str, Any] = {
        "project": {"key": "APL"},
        "issuetype": {"name": "Epic"},
        "summary": summary,
    }
    return fields if fake.state.cloud else fields | {EPIC_NAME: summary}


def task(
    fake: FakeJira, summary: str = "Langkah", epic_key: str | None = None, **more: Any
) -> dict[str, Any]:
    """Fields of a task in APL, in the epic ``epic_key`` (Cloud ``parent``, DC Epic Link)."""
    fields: dict[str, Any] = {
        "project": {"key": "APL"},
        "issuetype": {"name": "Task"},
        "summary": summary,
        **more,
    }
    if epic_key and fake.state.cloud:
        fields["parent"] = {"key": epic_key}
    elif epic_key:
        fields[EPIC_LINK] = epic_key
    return fields


Fixture = Callable[..., Iterator[FakeJira]]


def flavour_fixtures(seed: Callable[[str], FakeJira]) -> tuple[Fixture, Fixture, Fixture]:
    """The fixtures ``fake`` (each flavour in turn), ``cloud`` and ``dc`` over ``seed``.

    An emulator crash (a handler error answered 500) fails the test at teardown.
    """

    def serve(flavour: str) -> Iterator[FakeJira]:
        with seed(flavour) as running:
            yield running
        assert not running.errors, running.errors[0]

    @pytest.fixture(params=["cloud", "dc"])
    def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
        """Each flavour in turn."""
        yield from serve(request.param)

    @pytest.fixture
    def cloud() -> Iterator[FakeJira]:
        """A Jira Cloud emulator."""
        yield from serve("cloud")

    @pytest.fixture
    def dc() -> Iterator[FakeJira]:
        """A Jira Data Center emulator."""
        yield from serve("dc")

    return fake, cloud, dc
