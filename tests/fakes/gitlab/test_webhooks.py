"""The GitLab emulator sends webhooks as GitLab does (webhook_events.md, webhooks.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import gitlab
import pytest

from tests.fakes.delivery import Receiver
from tests.fakes.gitlab import FakeGitLab

PATH = "diskominfo/aplikasi"
UTC_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SECRET = "rahasia"
ALL = ("issues_events", "note_events", "merge_requests_events", "pipeline_events")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on loopback."""
    with Receiver() as running:
        yield running


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    """A Free emulator with one project."""
    with FakeGitLab() as running:
        running.add_project(PATH)
        yield running
    assert not running.errors, running.errors[0]


def hooked(fake: FakeGitLab, url: str, *events: str) -> Any:
    """The project, through python-gitlab, with a hook to ``url`` for ``events``."""
    project = gitlab.Gitlab(fake.url, private_token=fake.token).projects.get(PATH)
    project.hooks.create({"url": url, "token": SECRET, **dict.fromkeys(events, True)})
    return project


def bodies(receiver: Receiver) -> list[Any]:
    """The JSON bodies received so far."""
    return [json.loads(r.body) for r in receiver.received]


def test_issue_events_are_sent_with_gitlabs_headers(fake: FakeGitLab, receiver: Receiver) -> None:
    """Creating an issue sends an Issue Hook with the token, the UUIDs and GitLab's agent."""
    project = hooked(fake, receiver.url, "issues_events")
    project.issues.create({"title": "Analisis", "labels": "status::baru"})
    fake.webhooks.flush()
    [got] = receiver.received
    assert got.headers["X-Gitlab-Event"] == "Issue Hook"
    assert got.headers["X-Gitlab-Token"] == SECRET
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["User-Agent"].startswith("GitLab/17.")
    for name in ("X-Gitlab-Event-UUID", "X-Gitlab-Webhook-UUID", "Idempotency-Key"):
        assert UUID.fullmatch(got.headers[name]), name
    body = json.loads(got.body)
    assert body["object_kind"] == "issue"
    assert body["object_attributes"]["action"] == "open"
    assert body["project"]["path_with_namespace"] == PATH
    assert body["user"]["username"] == "sop-sync-bot"


def test_labels_are_objects_with_titles_and_changes_are_reported(
    fake: FakeGitLab, receiver: Receiver
) -> None:
    """An edit sends ``update`` with labels as objects and previous/current ``changes``."""
    project = hooked(fake, receiver.url, "issues_events")
    issue = project.issues.create({"title": "Analisis", "labels": "status::baru"})
    issue.labels = ["status::proses"]
    issue.save()
    fake.webhooks.flush()
    update = bodies(receiver)[-1]
    attributes = update["object_attributes"]
    assert attributes["action"] == "update"
    assert [label["title"] for label in attributes["labels"]] == ["status::proses"]
    assert [label["title"] for label in update["labels"]] == ["status::proses"]
    changes = update["changes"]["labels"]
    assert [x["title"] for x in changes["previous"]] == ["status::baru"]
    assert [x["title"] for x in changes["current"]] == ["status::proses"]
    assert UTC_TIME.fullmatch(attributes["updated_at"])
    assert UTC_TIME.fullmatch(update["changes"]["updated_at"]["current"])


def test_close_and_reopen_are_actions(fake: FakeGitLab, receiver: Receiver) -> None:
    """``state_event`` sends ``close`` and ``reopen`` with the ``state_id`` change."""
    project = hooked(fake, receiver.url, "issues_events")
    issue = project.issues.create({"title": "Analisis"})
    issue.state_event = "close"
    issue.save()
    issue.state_event = "reopen"
    issue.save()
    fake.webhooks.flush()
    sent = bodies(receiver)
    assert [b["object_attributes"]["action"] for b in sent] == ["open", "close", "reopen"]
    assert sent[1]["changes"]["state_id"] == {"previous": 1, "current": 2}
    assert sent[1]["object_attributes"]["state"] == "closed"


def test_an_edit_changing_nothing_sends_nothing(fake: FakeGitLab, receiver: Receiver) -> None:
    """Setting a title to what it is already is no event."""
    project = hooked(fake, receiver.url, "issues_events")
    issue = project.issues.create({"title": "Analisis"})
    project.issues.update(issue.iid, {"title": "Analisis"})
    assert len(fake.webhooks.flush()) == 1


def test_comments_send_note_hooks_with_the_text_and_the_issue(
    fake: FakeGitLab, receiver: Receiver
) -> None:
    """A comment is a Note Hook: the text at ``object_attributes.note``, times in UTC form."""
    project = hooked(fake, receiver.url, "note_events")
    issue = project.issues.create({"title": "Analisis", "labels": "status::baru"})
    issue.notes.create({"body": "/setuju"})
    fake.add_note(PATH, issue.iid, "dari orang lain", "sop-sync-bot")
    fake.webhooks.flush()
    assert [r.headers["X-Gitlab-Event"] for r in receiver.received] == ["Note Hook"] * 2
    note = bodies(receiver)[0]
    attributes = note["object_attributes"]
    assert note["object_kind"] == "note"
    assert attributes["note"] == "/setuju"
    assert attributes["noteable_type"] == "Issue"
    assert UTC_TIME.fullmatch(attributes["created_at"])
    assert attributes["url"].endswith(f"/-/issues/{issue.iid}#note_{attributes['id']}")
    assert note["issue"]["iid"] == issue.iid
    assert note["issue"]["labels"][0]["title"] == "status::baru"


def test_only_subscribed_hooks_get_an_event(fake: FakeGitLab, receiver: Receiver) -> None:
    """A hook for comments only gets no issue event; system notes send nothing."""
    project = hooked(fake, receiver.url, "note_events")
    issue = project.issues.create({"title": "Analisis"})
    issue.title = "Analisis kebutuhan"  # writes a system note
    issue.save()
    assert fake.webhooks.flush() == []


def test_confidential_issues_go_to_confidential_hooks(fake: FakeGitLab, receiver: Receiver) -> None:
    """A confidential issue goes only to hooks with ``confidential_issues_events``."""
    project = hooked(fake, receiver.url, "issues_events")
    project.issues.create({"title": "Rahasia", "confidential": True})
    assert fake.webhooks.flush() == []
    hooked(fake, receiver.url, "confidential_issues_events")
    project.issues.create({"title": "Rahasia lagi", "confidential": True})
    fake.webhooks.flush()
    assert [r.headers["X-Gitlab-Event"] for r in receiver.received] == ["Confidential Issue Hook"]


def test_merge_requests_and_their_pipelines(fake: FakeGitLab, receiver: Receiver) -> None:
    """An opened merge request and a merge request pipeline each send their hook."""
    project = hooked(fake, receiver.url, *ALL)
    fake.add_merge_request(PATH, "Fitur", "Closes #1")
    project.mergerequests.get(1).pipelines.create()
    fake.webhooks.flush()
    events = [r.headers["X-Gitlab-Event"] for r in receiver.received]
    assert events == ["Merge Request Hook", "Pipeline Hook"]
    opened, pipeline = bodies(receiver)
    assert opened["object_kind"] == "merge_request"
    assert opened["object_attributes"]["action"] == "open"
    assert pipeline["object_kind"] == "pipeline"
    assert pipeline["merge_request"]["iid"] == 1
    assert pipeline["object_attributes"]["source"] == "merge_request_event"


def test_deliveries_are_recorded_and_resent_with_the_same_key(
    fake: FakeGitLab, receiver: Receiver
) -> None:
    """A failed delivery is recorded; "Resend request" keeps the Idempotency-Key."""
    receiver.status = 500
    project = hooked(fake, receiver.url, "issues_events")
    project.issues.create({"title": "Analisis"})
    [failed] = fake.webhooks.flush()
    assert failed.status == 500
    assert failed.ms >= 0
    receiver.status = 200
    fake.webhooks.redeliver(failed.number)
    [_, resent] = fake.webhooks.flush()
    assert (resent.status, resent.attempt) == (200, 1)
    first, second = receiver.received
    assert second.body == first.body
    assert second.headers["Idempotency-Key"] == first.headers["Idempotency-Key"]
    assert second.headers["X-Gitlab-Webhook-UUID"] != first.headers["X-Gitlab-Webhook-UUID"]


def test_events_arrive_in_order(fake: FakeGitLab, receiver: Receiver) -> None:
    """Deliveries to a hook arrive in the order the changes were made."""
    project = hooked(fake, receiver.url, "issues_events")
    for n in range(5):
        project.issues.create({"title": f"Langkah {n}"})
    fake.webhooks.flush()
    assert [b["object_attributes"]["title"] for b in bodies(receiver)] == [
        f"Langkah {n}" for n in range(5)
    ]


def test_hooks_off_loopback_are_never_called(fake: FakeGitLab) -> None:
    """A hook to another host is recorded as not sent: tests never reach the internet."""
    project = hooked(fake, "https://sop.example.go.id/hook", "issues_events")
    project.issues.create({"title": "Analisis"})
    [delivery] = fake.webhooks.flush()
    assert delivery.status is None
    assert delivery.error is not None
    assert "loopback" in delivery.error


def test_merge_request_comments_and_edits_send_note_hooks(
    fake: FakeGitLab, receiver: Receiver
) -> None:
    """A comment on a merge request carries ``merge_request``; editing a comment is ``update``."""
    project = hooked(fake, receiver.url, "note_events")
    fake.add_merge_request(PATH, "Fitur")
    project.mergerequests.get(1).notes.create({"body": "tolong ditinjau"})
    issue = project.issues.create({"title": "Analisis"})
    note = issue.notes.create({"body": "awal"})
    note.body = "diubah"
    note.save()
    fake.webhooks.flush()
    on_mr, created, edited = bodies(receiver)
    assert on_mr["object_attributes"]["noteable_type"] == "MergeRequest"
    assert on_mr["merge_request"]["iid"] == 1
    assert (created["object_attributes"]["action"], edited["object_attributes"]["action"]) == (
        "create",
        "update",
    )
    assert edited["object_attributes"]["note"] == "diubah"
