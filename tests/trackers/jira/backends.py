"""Jira backends for the contract suite: Cloud, Data Center and flaky Cloud emulators, and live.

Each factory takes pytest's ``tmp_path`` and yields a function making a new tracker on the
same, initially empty, project (see ``tests/trackers/conftest.py``). People act through
clients with their own tokens: Jira has no impersonation.

Live (marked ``live``, skipped without the variables): ``SOP_SYNC_TEST_JIRA_URL``,
``SOP_SYNC_TEST_JIRA_PROJECT`` (a scratch project: every issue labelled ``sop-sync`` and every
version of the test requests in it is deleted before and after each test),
``SOP_SYNC_TEST_JIRA_TOKEN`` (with ``SOP_SYNC_TEST_JIRA_EMAIL`` on Cloud), and
``SOP_SYNC_TEST_JIRA_PEOPLE``: JSON ``{"sari": ["sari@…", "token"], …}`` (Cloud) or
``{"sari": "personal access token", …}`` (DC) for the people the tests act as (sari, andi,
dewi, budi; on Cloud their e-mail's local part must be their name).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import jira

from sop_sync.trackers.jira.connect import Credentials, client
from sop_sync.trackers.jira.facade import JiraTracker
from tests.fakes.jira import FakeJira

MakeJira = Callable[[], JiraTracker]
JiraFactory = Callable[[Path], AbstractContextManager[MakeJira]]
PEOPLE = ("sari", "andi", "dewi", "budi")
PROJECT = "APL"
FAST = 0.01
"""Back-off seconds in tests (the emulator's faults carry ``Retry-After: 0``)."""


def secret(fake: FakeJira, name: str | None = None) -> Credentials:
    """The bot's (or a person's) credentials as each flavour takes them."""
    token = f"{name}-token" if name else fake.token
    email = f"{name}@example.go.id" if name else fake.email
    return (email, token) if fake.state.cloud else token


def seeded(flavour: str, **options: Any) -> FakeJira:
    """An emulator (started by ``with``) with project APL and the people, who hold tokens."""
    fake = FakeJira(flavour=flavour, **options)
    fake.add_project(PROJECT, "Aplikasi SOP")
    for name in PEOPLE:
        fake.add_user(name, name.title(), f"{name}@example.go.id", token=f"{name}-token")
    return fake


def tracker_on(fake: FakeJira, **options: Any) -> JiraTracker:
    """A new run's adapter on the emulator (people act with their own tokens)."""

    def person(name: str) -> jira.JIRA:
        return client(fake.url, secret(fake, name), backoff=FAST)

    bot = client(fake.url, secret(fake), backoff=FAST)
    return JiraTracker.on_client(bot, PROJECT, person_client=person, **options)


def jira_emulator(flavour: str, flaky_every: int = 0) -> JiraFactory:
    """A fresh emulator of ``flavour`` with project APL and the people, who hold tokens.

    With ``flaky_every``, every n-th request fails (429, then 503, with ``Retry-After: 0``):
    every operation must still succeed, and the log must show the retries.
    """

    @contextmanager
    def factory(tmp_path: Path) -> Iterator[MakeJira]:
        with seeded(flavour, flaky_every=flaky_every) as fake:
            made: list[JiraTracker] = []

            def make() -> JiraTracker:
                made.append(tracker_on(fake))
                return made[-1]

            yield make
            for tracker in made:
                tracker.close()
            assert not fake.errors, fake.errors[0]
            if flaky_every and len(fake.log) >= 2 * flaky_every:
                statuses = {entry.status for entry in fake.log}
                assert {429, 503} <= statuses, "the faults were not exercised"

    return factory


LIVE_URL = os.environ.get("SOP_SYNC_TEST_JIRA_URL", "")
LIVE_PROJECT = os.environ.get("SOP_SYNC_TEST_JIRA_PROJECT", "")
LIVE_TOKEN = os.environ.get("SOP_SYNC_TEST_JIRA_TOKEN", "")
LIVE_EMAIL = os.environ.get("SOP_SYNC_TEST_JIRA_EMAIL", "")
LIVE_READY = bool(LIVE_URL and LIVE_PROJECT and LIVE_TOKEN)
LIVE_REASON = (
    "set SOP_SYNC_TEST_JIRA_URL, SOP_SYNC_TEST_JIRA_PROJECT, SOP_SYNC_TEST_JIRA_TOKEN "
    "(and _EMAIL on Cloud, _PEOPLE) to run against a real Jira"
)


def _live_secret(value: object) -> Credentials:
    return (str(value[0]), str(value[1])) if isinstance(value, list) else str(value)


def _scrub(bot: jira.JIRA) -> None:
    """Delete what the tests leave: owned issues and the test requests' versions."""
    jql = f'project = "{LIVE_PROJECT}" AND labels = "sop-sync"'
    for issue in bot.search_issues(jql, maxResults=0, fields="summary"):
        issue.delete(deleteSubtasks=True)  # type: ignore[no-untyped-call]
    for version in bot.project_versions(LIVE_PROJECT):
        if str(version.name).startswith(("uji · ", "lain · ")):
            version.delete()


@contextmanager
def jira_live(tmp_path: Path) -> Iterator[MakeJira]:
    """The real Jira named in the environment, scrubbed before and after."""
    own: Credentials = (LIVE_EMAIL, LIVE_TOKEN) if LIVE_EMAIL else LIVE_TOKEN
    people = json.loads(os.environ.get("SOP_SYNC_TEST_JIRA_PEOPLE", "{}"))
    bot = client(LIVE_URL, own)
    bot.deploymentType = bot.server_info().get("deploymentType")
    _scrub(bot)

    def person(name: str) -> jira.JIRA:
        return client(LIVE_URL, _live_secret(people[name]))

    try:
        yield lambda: JiraTracker.on_client(
            client(LIVE_URL, own), LIVE_PROJECT, person_client=person
        )
    finally:
        _scrub(bot)


JIRA_BACKENDS: dict[str, JiraFactory] = {
    "jira-cloud": jira_emulator("cloud"),
    "jira-dc": jira_emulator("dc"),
    "jira-cloud-flaky": jira_emulator("cloud", flaky_every=4),
    "jira-live": jira_live,
}
