"""The Jira emulator's admin webhooks: registration, and events sent as Jira sends them."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.delivery import Receiver
from tests.fakes.jira import FakeJira
from tests.fakes.jira.support import connect, raw, task

HOOKS = "/rest/webhooks/1.0/webhook"
SECRET = "rahasia-webhook"
EVENTS = ["jira:issue_created", "jira:issue_updated", "comment_created"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on loopback."""
    with Receiver() as running:
        yield running


def register(fake: FakeJira, url: str, **more: Any) -> dict[str, Any]:
    """Register an admin webhook for issue and comment events in APL, signed."""
    hook = {
        "name": "sop-sync",
        "url": url,
        "events": EVENTS,
        "filters": {"issue-related-events-section": "project = APL"},
        "secret": SECRET,
        **more,
    }
    answer = raw(fake, "POST", HOOKS, json=hook)
    assert answer.status_code == 201, answer.text
    shown: dict[str, Any] = answer.json()
    return shown


def received(receiver: Receiver) -> list[dict[str, Any]]:
    """The JSON bodies received so far."""
    return [json.loads(r.body) for r in receiver.received]


def test_registration_is_read_back_without_the_secret(fake: FakeJira) -> None:
    """GET lists and shows the webhook; the secret is never shown; PUT replaces; DELETE."""
    hook = register(fake, "http://127.0.0.1:9/hook")
    assert "secret" not in hook
    one = raw(fake, "GET", f"{HOOKS}/{hook['id']}").json()
    assert one["events"] == EVENTS
    assert "secret" not in one
    changed = raw(fake, "PUT", f"{HOOKS}/{hook['id']}", json={**one, "events": EVENTS[:1]})
    assert changed.json()["events"] == EVENTS[:1]
    assert fake.state.webhooks[hook["id"]]["secret"] == SECRET  # kept when not sent
    assert raw(fake, "DELETE", f"{HOOKS}/{hook['id']}").status_code == 204
    assert raw(fake, "GET", HOOKS).json() == []


def test_registration_needs_an_administrator(fake: FakeJira) -> None:
    """Without the Administer permission the webhook API answers 403."""
    fake.deny("ADMINISTER")
    answer = raw(fake, "POST", HOOKS, json={"name": "x", "url": "http://127.0.0.1:9/h"})
    assert answer.status_code == 403
    assert raw(fake, "GET", HOOKS).status_code == 403


def test_created_issue_is_signed_and_identified(fake: FakeJira, receiver: Receiver) -> None:
    """jira:issue_created arrives with the identifier and an HMAC-SHA256 of the raw body."""
    register(fake, receiver.url)
    key = connect(fake).create_issue(fields=task(fake, labels=["sop-sync"]), prefetch=False).key
    fake.webhooks.flush()
    [got] = receiver.received
    assert got.headers["X-Atlassian-Webhook-Identifier"]
    expected = hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
    assert got.headers["X-Hub-Signature"] == f"sha256={expected}"
    body = json.loads(got.body)
    assert (body["webhookEvent"], body["issue_event_type_name"]) == (
        "jira:issue_created",
        "issue_created",
    )
    assert isinstance(body["timestamp"], int)
    assert body["issue"]["key"] == key
    assert body["issue"]["fields"]["labels"] == ["sop-sync"]
    assert body["issue"]["self"].endswith(f"/rest/api/2/issue/{body['issue']['id']}")


def test_users_follow_the_flavour(fake: FakeJira, receiver: Receiver) -> None:
    """Cloud names people by accountId; DC by name and key."""
    register(fake, receiver.url)
    connect(fake).create_issue(fields=task(fake), prefetch=False)
    fake.webhooks.flush()
    [body] = received(receiver)
    if fake.state.cloud:
        assert body["user"]["accountId"] == fake.user["accountId"]
        assert "name" not in body["user"]
        assert body["matchedWebhookIds"]
    else:
        assert (body["user"]["name"], body["user"]["key"]) == ("sop-sync-bot", fake.user["key"])


def test_a_transition_sends_the_status_change(fake: FakeJira, receiver: Receiver) -> None:
    """jira:issue_updated after a transition carries ``changelog.items`` with ``status``."""
    client = connect(fake)
    key = client.create_issue(fields=task(fake), prefetch=False).key
    register(fake, receiver.url)
    client.transition_issue(key, "31")  # simplified workflow: to Done
    fake.webhooks.flush()
    [body] = received(receiver)
    assert body["webhookEvent"] == "jira:issue_updated"
    assert body["issue_event_type_name"] == "issue_generic"
    status = next(i for i in body["changelog"]["items"] if i["field"] == "status")
    assert (status["fromString"], status["toString"]) == ("To Do", "Done")
    assert {"field", "fieldtype", "from", "fromString", "to", "toString"} <= set(status)
    assert body["issue"]["fields"]["status"]["name"] == "Done"


def test_edits_send_their_changelog(fake: FakeJira, receiver: Receiver) -> None:
    """A label edit sends ``labels`` in the changelog; an unchanged edit sends nothing."""
    client = connect(fake)
    issue = client.create_issue(fields=task(fake), prefetch=False)
    register(fake, receiver.url)
    issue.update(fields={"labels": ["sop-sync"]})
    issue.update(fields={"labels": ["sop-sync"]})
    fake.webhooks.flush()
    [body] = received(receiver)
    [item] = body["changelog"]["items"]
    assert (item["field"], item["toString"]) == ("labels", "sop-sync")


def test_comments_send_comment_created(fake: FakeJira, receiver: Receiver) -> None:
    """A comment sends comment_created (comment and issue), then issue_commented."""
    client = connect(fake)
    key = client.create_issue(fields=task(fake), prefetch=False).key
    register(fake, receiver.url)
    client.add_comment(key, "/setuju")
    fake.comment_as("sari", key, "dari Sari")
    fake.webhooks.flush()
    kinds = [(b["webhookEvent"], b.get("issue_event_type_name")) for b in received(receiver)]
    assert kinds == [("comment_created", None), ("jira:issue_updated", "issue_commented")] * 2
    first = received(receiver)[0]
    assert first["comment"]["body"] == "/setuju"  # wiki text, as REST v2 sends it
    assert first["issue"]["key"] == key
    assert first["comment"]["created"]
    sari = received(receiver)[2]["comment"]["author"]
    assert sari["displayName"] == "Sari Wulandari"


def test_the_jql_filter_and_the_events_choose(fake: FakeJira, receiver: Receiver) -> None:
    """Issues outside the webhook's JQL and events it did not ask for are not sent."""
    fake.add_project("LAIN")
    register(fake, receiver.url, events=["comment_created"])
    client = connect(fake)
    key = client.create_issue(fields=task(fake), prefetch=False).key
    other = client.create_issue(
        fields={"project": {"key": "LAIN"}, "issuetype": {"name": "Task"}, "summary": "x"},
        prefetch=False,
    ).key
    client.add_comment(other, "di luar")
    client.add_comment(key, "di dalam")
    fake.webhooks.flush()
    assert [b["comment"]["body"] for b in received(receiver)] == ["di dalam"]


def test_a_retry_keeps_the_identifier(cloud: FakeJira, receiver: Receiver) -> None:
    """A failed delivery is recorded; its retry has the same identifier and body, and says so."""
    receiver.status = 503
    register(cloud, receiver.url)
    connect(cloud).create_issue(fields=task(cloud), prefetch=False)
    [failed] = cloud.webhooks.flush()
    assert failed.status == 503
    receiver.status = 200
    cloud.webhooks.redeliver(failed.number)
    assert [d.status for d in cloud.webhooks.flush()] == [503, 200]
    first, retry = receiver.received
    name = "X-Atlassian-Webhook-Identifier"
    assert retry.headers[name] == first.headers[name]
    assert retry.body == first.body
    assert retry.headers["X-Hub-Signature"] == first.headers["X-Hub-Signature"]
    assert retry.headers["X-Atlassian-Webhook-Retry"] == "1"
    assert "X-Atlassian-Webhook-Retry" not in first.headers


def test_without_a_secret_nothing_is_signed(dc: FakeJira, receiver: Receiver) -> None:
    """A webhook registered without a secret sends no X-Hub-Signature."""
    register(dc, receiver.url, secret=None)
    connect(dc).create_issue(fields=task(dc), prefetch=False)
    dc.webhooks.flush()
    [got] = receiver.received
    assert "X-Hub-Signature" not in got.headers
