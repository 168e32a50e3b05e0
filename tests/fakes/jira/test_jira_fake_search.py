"""The Jira emulator's search through the real jira client: both page styles and JQL."""

from __future__ import annotations

import pytest
from jira.exceptions import JIRAError

from tests.fakes.jira import FakeJira
from tests.fakes.jira.support import connect, raw, task

# --- search -------------------------------------------------------------------------------------


def _many(fake: FakeJira, count: int) -> None:
    client = connect(fake)
    for start in range(0, count, 50):
        batch = [task(fake, f"T{n}", labels=["sop-sync", "massal"]) for n in range(start, count)]
        client.create_issues(batch[:50], prefetch=False)


def test_dc_search_pages_by_offset(dc: FakeJira) -> None:
    """startAt/maxResults/total: the library fetches every page when maxResults is falsy."""
    _many(dc, 60)
    dc.max_results = 25  # the site's page limit, below the library's 100
    dc.reset_log()
    found = connect(dc).search_issues(
        'project = APL AND labels = "sop-sync" AND labels = massal ORDER BY key', maxResults=0
    )
    assert [i.key for i in found][:2] == ["APL-1", "APL-2"]
    assert len(found) == 60
    assert dc.count("GET", "/rest/api/2/search") == 3
    page = connect(dc).search_issues("project = APL", startAt=50, maxResults=20)
    assert (page.total, len(page), page.startAt) == (60, 10, 50)


def test_cloud_search_pages_by_token(cloud: FakeJira) -> None:
    """/search/jql: nextPageToken and isLast, no total; the library follows the tokens."""
    _many(cloud, 60)
    cloud.max_results = 25
    cloud.reset_log()
    client = connect(cloud)
    found = client.search_issues("project = APL ORDER BY key DESC", maxResults=0, fields="summary")
    assert len(found) == 60
    assert found[0].key == "APL-60"
    assert cloud.count("GET", "/rest/api/2/search/jql") == 3
    first = client.enhanced_search_issues("labels = massal", maxResults=20, fields="summary")
    assert len(first) == 20
    assert first.nextPageToken
    second = client.enhanced_search_issues(
        "labels = massal", nextPageToken=first.nextPageToken, maxResults=20, fields="summary"
    )
    assert not {i.key for i in first} & {i.key for i in second}


def test_cloud_search_answers_ids_only_by_default(cloud: FakeJira) -> None:
    """Without fields, /search/jql returns issue ids only (OpenAPI: "The default is id")."""
    connect(cloud).create_issue(fields=task(cloud))
    rows = raw(cloud, "GET", "/rest/api/3/search/jql", params={"jql": "project = APL"}).json()
    assert rows == {"issues": [{"id": cloud.issue("APL-1")["id"]}], "isLast": True}


def test_cloud_old_search_is_gone(cloud: FakeJira) -> None:
    """/rest/api/*/search answers 410 with Atlassian's migration message."""
    answer = raw(cloud, "GET", "/rest/api/2/search", params={"jql": "project = APL"})
    assert answer.status_code == 410
    assert "/rest/api/3/search/jql" in answer.json()["errorMessages"][0]


def test_cloud_refuses_unbounded_jql(cloud: FakeJira) -> None:
    """A query with no restriction (only ORDER BY) is a 400 on /search/jql."""
    with pytest.raises(JIRAError, match="Unbounded JQL"):
        connect(cloud).search_issues("ORDER BY key")


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("projekt = APL", "Field 'projekt' does not exist"),
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'."),
        ("key in (APL-1, APL-7)", "An issue with key 'APL-7' does not exist for field 'key'."),
        ("project = APL AND", "Error in the JQL Query"),
        ("labels ~ sop", "The operator '~' is not supported"),
    ],
)
def test_jql_outside_the_subset_is_a_400(fake: FakeJira, jql: str, message: str) -> None:
    """Unknown fields, values, keys and syntax answer 400 with Jira's texts."""
    client = connect(fake)
    client.create_issue(fields=task(fake))
    with pytest.raises(JIRAError) as caught:
        client.search_issues(jql)
    assert caught.value.status_code == 400
    assert message in (caught.value.text or "")


def test_negative_operators_skip_empty_fields(fake: FakeJira) -> None:
    """As in Jira, labels != x (and NOT IN) leaves out issues with no labels at all."""
    client = connect(fake)
    for labels in ([], ["x"], ["y"]):
        client.create_issue(fields=task(fake, labels=labels), prefetch=False)
    assert [i.key for i in client.search_issues("labels != x", fields="labels")] == ["APL-3"]
    empty = client.search_issues("project = APL AND labels is EMPTY", fields="labels")
    assert [i.key for i in empty] == ["APL-1"]
