"""Webhook payloads (the vendors' documented examples, ``payloads/``) into deliveries."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from sop_sync.service.hooks import (
    adf_markdown,
    body_digest,
    gitlab_deliveries,
    gitlab_delivery_id,
    jira_deliveries,
    jira_delivery_id,
    opened_sop,
)
from sop_sync.service.inbox.base import Delivery
from sop_sync.trackers.gitlab.marker import Marker, attach

PAYLOADS = Path(__file__).parent / "payloads"
AT = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
MARKED = attach("Langkah 3: analisis kebutuhan", Marker(key="absensi", sop="karanganyar", step=3))


def load(name: str) -> dict[str, Any]:
    """A payload file as a fresh dict."""
    value: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
    return value


def gitlab(
    payload: dict[str, Any], event: str, own: frozenset[str] = frozenset()
) -> list[Delivery]:
    """Deliveries of a GitLab payload under delivery id ``d1``."""
    return gitlab_deliveries(payload, event=event, delivery_id="d1", own=own)


def jobs(deliveries: list[Delivery]) -> list[tuple[str, dict[str, Any]]]:
    """(job, hints) of each delivery."""
    return [(d.job, dict(d.hints)) for d in deliveries]


# GitLab issues and notes ----------------------------------------------------------------


def test_issue_event_on_a_marked_issue_names_its_request() -> None:
    """An Issue Hook whose description ends in sop-sync's marker -> ``request:<kunci>``."""
    payload = load("gitlab_issue")
    payload["object_attributes"]["description"] = MARKED
    found = gitlab(payload, "Issue Hook")
    assert jobs(found) == [("request:absensi", {})]
    assert found[0] == Delivery("gitlab", "d1", "Issue Hook", "request:absensi", {}, "root")


def test_issue_event_without_a_marker_is_ignored() -> None:
    """The documented example (no marker) names no job."""
    assert gitlab(load("gitlab_issue"), "Issue Hook") == []


def test_issue_whose_marker_was_just_removed_still_names_the_request() -> None:
    """A description edit that deleted the marker: the request must look (and repair)."""
    payload = load("gitlab_issue")
    payload["changes"]["description"] = {"previous": MARKED, "current": "dihapus"}
    payload["object_attributes"]["description"] = "dihapus"
    assert jobs(gitlab(payload, "Issue Hook")) == [("request:absensi", {})]


def test_a_marker_quoted_in_the_middle_of_a_description_does_not_count() -> None:
    """Only the marker at the end is sop-sync's (the marker module's own rule)."""
    payload = load("gitlab_issue")
    payload["object_attributes"]["description"] = MARKED + "\n\nteks setelahnya"
    assert gitlab(payload, "Issue Hook") == []


def test_note_on_a_marked_issue_names_its_request_without_hints() -> None:
    """Any comment on a sop-sync issue -> the request (the worker reads the commands)."""
    payload = load("gitlab_note_issue")
    payload["issue"]["description"] = MARKED
    payload["object_attributes"]["note"] = "/sop setuju"
    assert jobs(gitlab(payload, "Note Hook")) == [("request:absensi", {})]


def test_sop_buka_on_an_unmarked_issue_names_an_open_job() -> None:
    """``/sop buka <sop>`` on a plain issue -> ``open:gitlab:<project>#<iid>`` with hints."""
    payload = load("gitlab_note_issue")
    payload["object_attributes"]["note"] = "Tolong dibuka.\n\n/sop  BUKA  Karanganyar"
    found = gitlab(payload, "Note Hook")
    assert jobs(found) == [("open:gitlab:5#17", {"note_id": "1241", "sop": "karanganyar"})]


def test_plain_note_on_an_unmarked_issue_is_ignored() -> None:
    """The documented example ("Hello world" on a plain issue) names no job."""
    assert gitlab(load("gitlab_note_issue"), "Note Hook") == []


@pytest.mark.parametrize(
    "note",
    [
        "> /sop buka karanganyar",
        "```\n/sop buka karanganyar\n```",
        "    /sop buka karanganyar",
        "`/sop buka karanganyar`",
        "- /sop buka karanganyar",
        "<details>\n/sop buka karanganyar\n</details>",
        "lihat /sop buka karanganyar",
    ],
    ids=["quote", "fence", "indented", "inline-code", "list", "html", "mid-line"],
)
def test_sop_buka_shown_rather_than_given_is_no_command(note: str) -> None:
    """Quoted, code, list, HTML or mid-line: the command rules' reading, so no open job."""
    payload = load("gitlab_note_issue")
    payload["object_attributes"]["note"] = note
    assert gitlab(payload, "Note Hook") == []


def test_sop_buka_naming_no_usable_sop_still_opens_with_an_empty_sop() -> None:
    """The worker answers "which SOP?"; the hint carries no arbitrary text."""
    payload = load("gitlab_note_issue")
    payload["object_attributes"]["note"] = "/sop buka <script>alert(1)</script>"
    assert jobs(gitlab(payload, "Note Hook")) == [
        ("open:gitlab:5#17", {"note_id": "1241", "sop": ""})
    ]


def test_notes_on_merge_requests_commits_and_snippets_are_ignored() -> None:
    """Only comments on issues name jobs."""
    payload = load("gitlab_note_merge_request")
    payload["object_attributes"]["note"] = "/sop buka karanganyar"
    payload["merge_request"]["description"] = "SOP: absensi"
    assert gitlab(payload, "Note Hook") == []


def test_events_of_sop_syncs_own_account_are_ignored() -> None:
    """Its own writes must not wake it again (loop safety)."""
    payload = load("gitlab_note_issue")
    payload["issue"]["description"] = MARKED
    assert gitlab(payload, "Note Hook", own=frozenset({"root"})) == []
    assert len(gitlab(payload, "Note Hook", own=frozenset({"sop-sync-bot"}))) == 1


def test_a_hostile_900_kb_note_is_read_quickly_and_carries_nothing() -> None:
    """``@all``, HTML and a 900 KB body: no command, no text in the delivery."""
    payload = load("gitlab_note_issue")
    note = "@all <img src=x onerror=alert(1)> " + "x" * 900_000 + "\n\n/sop buka karanganyar"
    payload["object_attributes"]["note"] = note
    assert gitlab(payload, "Note Hook") == []  # the command is past the scanned part


# GitLab merge requests and pipelines ----------------------------------------------------


def test_merge_request_naming_its_request_queues_the_request() -> None:
    """``SOP: <kunci>`` in the description -> ``request:<kunci>``; its reconcile decides."""
    payload = load("gitlab_merge_request")
    payload["object_attributes"]["description"] = "Fitur absensi.\n\nSOP: Absensi\n"
    assert jobs(gitlab(payload, "Merge Request Hook")) == [("request:absensi", {})]


def test_merge_request_naming_no_request_gets_an_mr_job() -> None:
    """The documented example (empty description) -> ``mr:gitlab:<project>!<iid>``."""
    assert jobs(gitlab(load("gitlab_merge_request"), "Merge Request Hook")) == [
        ("mr:gitlab:1!1", {})
    ]


@pytest.mark.parametrize("action", ["open", "update", "reopen"])
def test_merge_request_actions_that_change_the_gate_name_a_job(action: str) -> None:
    """Opened, updated (new commits or description), reopened."""
    payload = load("gitlab_merge_request")
    payload["object_attributes"]["action"] = action
    assert len(gitlab(payload, "Merge Request Hook")) == 1


@pytest.mark.parametrize("action", ["close", "merge", "approved", "approval", "unapproval"])
def test_other_merge_request_actions_are_ignored(action: str) -> None:
    """Closing, merging or approving does not change what the gate answers."""
    payload = load("gitlab_merge_request")
    payload["object_attributes"]["action"] = action
    assert gitlab(payload, "Merge Request Hook") == []


def test_pipeline_events_are_ignored_even_for_a_merge_request() -> None:
    """The pipeline's MR object has no description; the gate runs inside the pipeline."""
    assert gitlab(load("gitlab_pipeline"), "Pipeline Hook") == []


def test_malformed_gitlab_payloads_name_no_job() -> None:
    """Wrong types anywhere are ignored, never an exception."""
    broken: list[Any] = [
        [], "x", None, {"object_kind": "note", "object_attributes": []},
        {"object_kind": "issue", "object_attributes": {"description": 5}},
        {"object_kind": "merge_request", "object_attributes": {"action": "open"}},
    ]  # fmt: skip
    for payload in broken:
        assert gitlab_deliveries(payload, event="Issue Hook", delivery_id="d") == []


# Jira ------------------------------------------------------------------------------------


def test_jira_issue_updated_with_a_request_label_names_the_request() -> None:
    """``sop-sync-<kunci>`` among the labels (a status change here) -> ``request:<kunci>``."""
    payload = load("jira_issue_updated")
    payload["issue"]["fields"]["labels"] = ["UI", "sop-sync", "sop-sync-absensi"]
    found = jira_deliveries(payload, delivery_id="j1")
    assert jobs(found) == [("request:absensi", {})]
    assert found[0].actor == "99:27935d01-92a7-4687-8272-a9b8d3b2ae2e"
    assert found[0].kind == "jira:issue_updated"


def test_jira_issue_without_sop_sync_labels_is_ignored() -> None:
    """The documented example (labels UI, dialogue, move) names no job."""
    assert jira_deliveries(load("jira_issue_updated"), delivery_id="j1") == []


def test_jira_request_label_removed_in_this_change_still_names_the_request() -> None:
    """The changelog's labels item shows what was taken off: the request must repair it."""
    payload = load("jira_issue_updated")
    payload["changelog"]["items"].append(
        {"field": "labels", "fieldtype": "jira", "fromString": "sop-sync sop-sync-absensi",
         "toString": ""}
    )  # fmt: skip
    assert jobs(jira_deliveries(payload, delivery_id="j1")) == [("request:absensi", {})]


def test_jira_comment_without_labels_names_the_issue() -> None:
    """Comment payloads lack the labels: ``issue:jira:<KEY>`` (the worker finds the request)."""
    assert jobs(jira_deliveries(load("jira_comment_created"), delivery_id="j1")) == [
        ("issue:jira:APL-12", {})
    ]


def test_jira_sop_buka_comment_names_an_open_job() -> None:
    """``/sop buka`` in wiki text -> ``open:jira:<KEY>`` (and the issue job: labels unknown)."""
    payload = load("jira_comment_created")
    payload["comment"]["body"] = "Mohon dibuka.\n\n/sop buka karanganyar"
    assert jobs(jira_deliveries(payload, delivery_id="j1")) == [
        ("open:jira:APL-12", {"comment_id": "43735", "sop": "karanganyar"}),
        ("issue:jira:APL-12", {}),
    ]


def test_jira_sop_buka_on_an_owned_issue_is_not_an_open_job() -> None:
    """An issue with sop-sync labels is already a request's: only the request job."""
    payload = load("jira_issue_updated")
    payload["issue"]["fields"]["labels"] = ["sop-sync", "sop-sync-absensi"]
    payload["comment"] = {"id": "7", "body": "/sop buka karanganyar", "author": {"name": "budi"}}
    assert jobs(jira_deliveries(payload, delivery_id="j1")) == [("request:absensi", {})]


@pytest.mark.parametrize(
    "body",
    ["{quote}\n/sop buka karanganyar\n{quote}", "bq. /sop buka karanganyar",
     "{code}\n/sop buka karanganyar\n{code}", "{noformat}\n/sop buka x\n{noformat}",
     "* /sop buka karanganyar", "{{/sop buka karanganyar}}"],
    ids=["quote", "bq", "code", "noformat", "list", "monospace"],
)  # fmt: skip
def test_jira_sop_buka_shown_in_wiki_markup_is_no_command(body: str) -> None:
    """Quoted, code or list in wiki markup: no open job, just the issue job."""
    payload = load("jira_comment_created")
    payload["comment"]["body"] = body
    assert jobs(jira_deliveries(payload, delivery_id="j1")) == [("issue:jira:APL-12", {})]


def test_jira_comment_in_document_format_reads_only_top_level_paragraphs() -> None:
    """Atlassian Document Format bodies: paragraphs count, quotes and code blocks do not."""
    said = {"type": "paragraph", "content": [{"type": "text", "text": "/sop buka karanganyar"}]}
    quoted = {"type": "blockquote", "content": [said]}
    code = {"type": "codeBlock", "content": [{"type": "text", "text": "/sop buka karanganyar"}]}
    inline = {"type": "text", "text": "/sop buka karanganyar", "marks": [{"type": "code"}]}
    marked = {"type": "paragraph", "content": [inline]}
    for blocks, expected in (([said], "karanganyar"), ([quoted, code, marked], None)):
        text = adf_markdown({"type": "doc", "version": 1, "content": blocks})
        assert opened_sop(text, "1", "a", AT) == expected


def test_adf_text_cannot_become_markup() -> None:
    """A paragraph's literal ``> /sop buka`` stays text, not a quote (and not a command)."""
    text = adf_markdown(
        {"type": "doc", "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "/sop buka a-b.c"}]},
        ]}
    )  # fmt: skip
    assert opened_sop(text, "1", "a", AT) == "a-b.c"


def test_jira_events_of_sop_syncs_own_account_are_ignored() -> None:
    """By ``accountId`` (Cloud) or ``name`` (Data Center), the event's user or comment author."""
    payload = load("jira_issue_updated")
    payload["issue"]["fields"]["labels"] = ["sop-sync-absensi"]
    assert jira_deliveries(payload, delivery_id="j", own={payload["user"]["accountId"]}) == []
    comment = load("jira_comment_created")
    comment["comment"]["author"] = comment["comment"]["updateAuthor"] = {"name": "sop-sync"}
    assert jira_deliveries(comment, delivery_id="j", own={"sop-sync"}) == []


def test_other_jira_events_are_ignored() -> None:
    """Projects, sprints, worklogs: no job."""
    for kind in ("project_created", "sprint_started", "worklog_updated", ""):
        payload = load("jira_issue_updated")
        payload["issue"]["fields"]["labels"] = ["sop-sync-absensi"]
        payload["webhookEvent"] = kind
        assert jira_deliveries(payload, delivery_id="j") == []


def test_one_payload_naming_two_jobs_gives_distinct_delivery_ids() -> None:
    """The first keeps the vendor's id (so a re-send is a duplicate), the rest add the job."""
    payload = load("jira_issue_updated")
    payload["issue"]["fields"]["labels"] = ["sop-sync-absensi", "sop-sync-cuti"]
    ids = [d.delivery_id for d in jira_deliveries(payload, delivery_id="j1")]
    assert ids == ["j1", "j1/request:cuti"]


# Delivery ids ---------------------------------------------------------------------------


def test_gitlab_delivery_id_prefers_the_idempotency_key() -> None:
    """``Idempotency-Key``, then ``X-Gitlab-Event-UUID``, then the body's digest."""
    body = b'{"object_kind": "issue"}'
    both = {"Idempotency-Key": "k-1", "X-Gitlab-Event-UUID": "e-1", "X-Gitlab-Webhook-UUID": "w"}
    assert gitlab_delivery_id(both, body) == "k-1"
    assert gitlab_delivery_id({"x-gitlab-event-uuid": "e-1"}, body) == "e-1"
    assert gitlab_delivery_id({"X-Gitlab-Webhook-UUID": "w"}, body) == body_digest(body)
    assert body_digest(body).startswith("sha256:")
    assert len(body_digest(body)) == 71


def test_jira_delivery_id_is_the_webhook_identifier_else_the_digest() -> None:
    """``X-Atlassian-Webhook-Identifier`` is stable across retries."""
    assert jira_delivery_id({"X-Atlassian-Webhook-Identifier": "abc"}, b"{}") == "abc"
    assert jira_delivery_id({}, b"{}") == body_digest(b"{}")


def test_an_oversized_or_unprintable_delivery_id_is_stored_as_its_digest() -> None:
    """A header is no place to smuggle a body into the inbox."""
    long = "x" * 5000
    assert gitlab_delivery_id({"Idempotency-Key": long}, b"") == body_digest(long.encode())
    assert gitlab_delivery_id({"Idempotency-Key": "a\x1bb"}, b"").startswith("sha256:")
