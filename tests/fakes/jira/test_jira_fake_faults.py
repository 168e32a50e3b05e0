"""The Jira emulator's edges through the real jira client: credentials, limits, faults.

Also permissions, the request log and webhooks.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import jira
import pytest
import requests
from jira.exceptions import JIRAError

from tests.fakes.jira import FakeJira
from tests.fakes.jira.support import connect, raw, seeded, task


def test_bad_credentials_are_401(fake: FakeJira) -> None:
    """A wrong token fails at once: the client's first call (serverInfo) is a 401."""
    credentials: dict[str, Any] = (
        {"basic_auth": (fake.email, "wrong")} if fake.state.cloud else {"token_auth": "wrong"}
    )
    with pytest.raises(JIRAError) as caught:
        jira.JIRA(fake.url, **credentials)
    assert caught.value.status_code == 401


def test_cloud_refuses_bearer_tokens(cloud: FakeJira) -> None:
    """Cloud API tokens go in Basic auth with the email; as a Bearer token they are refused."""
    headers = {"Authorization": f"Bearer {cloud.token}"}
    answer = requests.get(f"{cloud.url}/rest/api/2/myself", headers=headers, timeout=10)
    assert answer.status_code == 401
    assert answer.json()["message"] == "Client must be authenticated to access this resource."


def test_anonymous_calls_only_reach_server_info(fake: FakeJira) -> None:
    """Only serverInfo answers anyone; other resources want credentials."""
    assert jira.JIRA(fake.url).server_info()["baseUrl"] == fake.url
    with pytest.raises(JIRAError) as caught:
        jira.JIRA(fake.url).myself()
    assert caught.value.status_code == 401


def test_denied_permission_is_403_for_that_person(fake: FakeJira) -> None:
    """deny() takes the permission from one user: Sari cannot comment, the bot can."""
    key = connect(fake).create_issue(fields=task(fake)).key
    fake.deny("ADD_COMMENTS", "sari")
    with pytest.raises(JIRAError) as caught:
        connect(fake, as_sari=True).add_comment(key, "Tidak boleh")
    assert caught.value.status_code == 403
    connect(fake).add_comment(key, "Boleh")
    fake.deny("TRANSITION_ISSUES")
    assert connect(fake).transitions(key) == []


def test_unbrowsable_project_hides_its_issues(fake: FakeJira) -> None:
    """Without Browse projects, an issue is a 404 and searches come back empty."""
    key = connect(fake).create_issue(fields=task(fake)).key
    fake.deny("BROWSE_PROJECTS", "sari")
    sari = connect(fake, as_sari=True)
    with pytest.raises(JIRAError) as caught:
        sari.issue(key)
    assert caught.value.status_code == 404
    assert list(sari.search_issues("project = APL")) == []


def test_fixed_clock_stamps_what_happens(fake: FakeJira) -> None:
    """A test may fix the emulator's clock: created, updated and changelog follow it."""
    fake.state.clock = lambda: dt.datetime(2024, 3, 5, 9, 30, tzinfo=dt.UTC)
    issue = connect(fake).create_issue(fields=task(fake))
    assert issue.fields.created == "2024-03-05T09:30:00.000+0000"


def test_429_with_retry_after_is_retried_by_the_library(cloud: FakeJira) -> None:
    """ResilientSession waits (at least 1 s, whatever Retry-After says) and retries a 429."""
    fake = cloud
    client = connect(fake)
    key = client.create_issue(fields=task(fake)).key
    fake.reset_log()
    fake.fail_next(429, retry_after=0, path_contains="/issue/")
    started = time.monotonic()
    assert client.issue(key).key == key
    assert time.monotonic() - started >= 0.9  # 2 * max(Retry-After, 1) * uniform(0.5, 1)
    assert [e.status for e in fake.requests] == [429, 200]


def test_503_without_retry_after_is_not_retried(fake: FakeJira) -> None:
    """The library retries 503 only with Retry-After; without it the error surfaces."""
    client = connect(fake)
    fake.fail_next(503, path_contains="/myself")
    with pytest.raises(JIRAError) as caught:
        client.myself()
    assert caught.value.status_code == 503
    assert fake.count("GET", "/myself") == 1


def test_flaky_mode_alternates_429_and_503() -> None:
    """Every n-th request fails (429, then 503, both Retry-After 0); the client recovers."""
    with seeded("dc", flaky_every=3) as fake:
        client = connect(fake)
        client._session.max_retry_delay = 0  # no back-off sleeps in tests (still retried)
        keys = [client.create_issue(fields=task(fake, f"T{n}")).key for n in range(4)]
        assert keys == ["APL-1", "APL-2", "APL-3", "APL-4"]
        statuses = [e.status for e in fake.requests if e.status >= 400]
        assert statuses[:2] == [429, 503]


def test_latency_slows_every_request() -> None:
    """The latency knob adds its seconds to each request."""
    with seeded("cloud", latency=0.05) as fake:
        started = time.monotonic()
        raw(fake, "GET", "/rest/api/2/serverInfo")
        assert time.monotonic() - started >= 0.05


def test_request_log_counts_calls(fake: FakeJira) -> None:
    """Each request is logged with method, path, query and status before it is answered."""
    client = connect(fake)
    fake.reset_log()
    key = client.create_issue(fields=task(fake), prefetch=False).key
    client.issue(key, fields="summary")
    assert fake.count("POST", "/issue") == 1
    entry = fake.requests[-1]
    assert (entry.method, entry.path, entry.query, entry.status) == (
        "GET",
        f"/rest/api/2/issue/{key}",
        "fields=summary",
        200,
    )


def test_webhooks_are_stored(fake: FakeJira) -> None:
    """Registering an admin webhook stores it; listing shows it; nothing is delivered."""
    hook = {
        "name": "sop-sync",
        "url": "http://127.0.0.1:9/hook",
        "events": ["jira:issue_updated"],
        "filters": {"issue-related-events-section": "project = APL"},
    }
    created = raw(fake, "POST", "/rest/webhooks/1.0/webhook", json=hook)
    assert created.status_code == 201
    listed = raw(fake, "GET", "/rest/webhooks/1.0/webhook").json()
    assert [h["events"] for h in listed] == [["jira:issue_updated"]]
