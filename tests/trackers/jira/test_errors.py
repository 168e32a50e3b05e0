"""Errors a person meets on Jira: each one line, saying what was done, the status and what to do."""

from __future__ import annotations

import time

import pytest

from sop_sync.config import JiraSettings, Settings
from sop_sync.errors import ConfigError, TrackerError
from sop_sync.model.changes import Close, CreateIssue, Link, Ref
from sop_sync.trackers.factory import connect
from sop_sync.trackers.jira.connect import connect as jira_connect
from sop_sync.trackers.jira.facade import JiraTracker
from tests.fakes.jira import FakeJira
from tests.trackers.jira.backends import tracker_on
from tests.trackers.jira.test_jira import DATA, epic_and_steps


def environment(fake: FakeJira, token: str | None = None) -> dict[str, str]:
    """What an admin exports for each flavour."""
    env = {"SOP_SYNC_JIRA_TOKEN": token or fake.token}
    return env | {"SOP_SYNC_JIRA_EMAIL": fake.email} if fake.state.cloud else env


def failure(action: object) -> str:
    """The message of the TrackerError ``action`` raises; it is one line."""
    with pytest.raises(TrackerError) as caught:
        action()  # type: ignore[operator]
    message = caught.value.message
    assert "\n" not in message
    assert message.startswith("Jira: ")
    return message


def opened(fake: FakeJira, project: str = "APL", token: str | None = None) -> JiraTracker:
    """The tracker as ``sop-sync --tracker jira`` opens it (settings and environment)."""
    settings = JiraSettings(url=fake.url, project=project)
    tracker = jira_connect(settings, environ=environment(fake, token)).tracker
    assert isinstance(tracker, JiraTracker)
    return tracker


def test_wrong_token_is_401_with_what_to_check(fake: FakeJira) -> None:
    """A wrong token fails at once, naming the variables to check."""
    message = failure(lambda: opened(fake, token="salah"))
    assert "HTTP 401" in message
    assert "SOP_SYNC_JIRA_TOKEN" in message
    assert "<html" not in message


def test_missing_token_is_a_configuration_error(fake: FakeJira) -> None:
    """Without a token in the environment nothing is sent."""
    with pytest.raises(ConfigError, match="SOP_SYNC_JIRA_TOKEN"):
        jira_connect(JiraSettings(url=fake.url, project="APL"), environ={})
    assert fake.requests == []


def test_unknown_project_says_so(fake: FakeJira) -> None:
    """A project key that does not exist (or is not visible) is a 404 naming it."""
    message = failure(lambda: opened(fake, project="NOPE"))
    assert "opening project 'NOPE'" in message
    assert "HTTP 404" in message
    assert "No project could be found with key 'NOPE'" in message


def test_project_without_epic_type_names_the_fix(fake: FakeJira) -> None:
    """Creating a request in a project without Epic says what an admin must add."""
    fake.add_project("NOE", epic=False)
    tracker = opened(fake, project="NOE")
    message = failure(lambda: tracker.apply(CreateIssue(Ref("uji"), "P", "", (), data=DATA)))
    assert "project NOE has no Epic issue type" in message
    assert "issue type scheme" in message


def test_site_without_blocks_link_type_names_the_fix(fake: FakeJira) -> None:
    """An ordering link on a site without "Blocks" says where to add it."""
    epic_and_steps(fake)
    fake.remove_link_type("Blocks")
    message = failure(lambda: tracker_on(fake).apply(Link(Ref("uji", 1), Ref("uji", 2))))
    assert "no 'Blocks' issue link type" in message
    assert "Issue linking" in message


def test_workflow_without_a_way_to_done_names_the_fix(fake: FakeJira) -> None:
    """Closing where the workflow reaches no Done status names the status and the fix."""
    epic_and_steps(fake, 1)
    fake.without_done_transitions()
    message = failure(lambda: tracker_on(fake).apply(Close(Ref("uji", 1))))
    assert "closing uji langkah 01 (APL-2)" in message
    assert "no transition from 'To Do' to a Done status" in message


def test_missing_permission_is_named(fake: FakeJira) -> None:
    """A refused create is a 403 with the permission hint."""
    fake.deny("CREATE_ISSUES")
    tracker = tracker_on(fake)
    message = failure(lambda: tracker.apply(CreateIssue(Ref("uji"), "P", "", (), data=DATA)))
    assert "creating permohonan uji: HTTP 403" in message
    assert "lacks the Jira permission" in message


def test_rate_limit_waits_as_told_then_succeeds(cloud: FakeJira) -> None:
    """A 429 with Retry-After: 1 is retried after one second, not earlier (the log shows it)."""
    tracker = tracker_on(cloud)
    cloud.reset_log()
    cloud.fail_next(429, retry_after=1, path_contains="/search")
    started = time.monotonic()
    tracker.observe("uji", history=False)
    assert time.monotonic() - started >= 1.0
    assert [e.status for e in cloud.requests if "/search" in e.path] == [429, 200]


def test_unavailable_without_retry_after_is_retried(fake: FakeJira) -> None:
    """A 503 without Retry-After is retried (the library alone would give up)."""
    tracker = tracker_on(fake)
    fake.reset_log()
    fake.fail_next(503, count=2, path_contains="/search")
    tracker.observe("uji", history=False)
    assert [e.status for e in fake.requests if "/search" in e.path] == [503, 503, 200]


def test_lasting_unavailability_is_one_clear_error(fake: FakeJira) -> None:
    """When Jira stays unavailable the retries end in one line with a hint."""
    tracker = tracker_on(fake)
    fake.fail_next(503, count=50, retry_after=0, path_contains="/search")
    message = failure(lambda: tracker.observe("uji", history=False))
    assert "HTTP 503" in message
    assert "unavailable even after retries" in message


def test_a_wait_longer_than_sop_sync_sleeps_is_refused(fake: FakeJira) -> None:
    """Retry-After: 3600 is not slept through: the error says when to try again."""
    tracker = tracker_on(fake)
    fake.fail_next(429, retry_after=3600, path_contains="/search")
    message = failure(lambda: tracker.observe("uji", history=False))
    assert "wait 3600 s" in message


def test_the_factory_opens_jira_from_settings(
    fake: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tracker.kind: jira`` reaches the adapter through the factory."""
    for name, value in environment(fake).items():
        monkeypatch.setenv(name, value)
    settings = Settings(tracker=JiraSettings(url=fake.url, project="APL"))
    connection = connect(settings)
    assert connection.tracker.requests() == []
    with pytest.raises(TrackerError, match="cannot act as another person"):
        connect(settings, person="sari")
