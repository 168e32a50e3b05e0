"""The Jira emulator through the real jira client: workflow, comments, files and more.

Also remote links, properties, changelog, versions and people.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from jira.exceptions import JIRAError

from tests.fakes.jira import FakeJira
from tests.fakes.jira.support import connect, raw, seeded, task

# --- transitions --------------------------------------------------------------------------------


def test_transitions_carry_status_categories(fake: FakeJira) -> None:
    """From To Do the simplified workflow offers In Progress and Done, with their categories."""
    client = connect(fake)
    key = client.create_issue(fields=task(fake)).key
    offered = {t["name"]: t["to"]["statusCategory"]["key"] for t in client.transitions(key)}
    assert offered == {"In Progress": "indeterminate", "Done": "done"}


def test_transition_to_done_and_back(fake: FakeJira) -> None:
    """Done sets a resolution (given, else "Done"); leaving done clears it."""
    client = connect(fake)
    key = client.create_issue(fields=task(fake)).key
    client.transition_issue(key, "Done", fields={"resolution": {"name": "Won't Do"}})
    issue = client.issue(key)
    assert issue.fields.status.name == "Done"
    assert issue.fields.resolution is not None
    assert issue.fields.resolution.name == "Won't Do"
    client.transition_issue(key, "To Do", comment="Dibuka lagi")
    issue = client.issue(key)
    assert issue.fields.resolution is None
    assert issue.fields.resolutiondate is None
    assert issue.fields.comment.comments[-1].body == "Dibuka lagi"  # v2 reads plain text


def _adf(text: str) -> object:
    paragraph = {"type": "paragraph", "content": [{"type": "text", "text": text}]}
    return {"type": "doc", "version": 1, "content": [paragraph]}


def test_stepwise_workflow_and_unavailable_transition() -> None:
    """Stepwise: no direct To Do -> Done; asking for an unavailable id is a 400."""
    with seeded("dc", workflow="stepwise") as fake:
        client = connect(fake)
        key = client.create_issue(fields=task(fake)).key
        assert [t["name"] for t in client.transitions(key)] == ["Start Progress"]
        with pytest.raises(JIRAError) as caught:
            client.transition_issue(key, "21")
        assert caught.value.status_code == 400
        client.transition_issue(key, "Start Progress")
        assert {t["name"] for t in client.transitions(key)} == {"Done", "Stop Progress"}


def test_workflow_without_a_way_to_done(fake: FakeJira) -> None:
    """The knob: no transition leads to a done status."""
    fake.without_done_transitions()
    client = connect(fake)
    key = client.create_issue(fields=task(fake)).key
    categories = {t["to"]["statusCategory"]["key"] for t in client.transitions(key)}
    assert "done" not in categories


# --- comments and other people ----------------------------------------------------------------


def test_comments_keep_their_authors(fake: FakeJira) -> None:
    """The bot's comment, Sari's through her own client, Andi's placed on the state."""
    key = connect(fake).create_issue(fields=task(fake)).key
    connect(fake).add_comment(key, "Mulai")
    connect(fake, as_sari=True).add_comment(key, "Disetujui")
    fake.comment_as("andi", key, "Catatan")
    comments = connect(fake).comments(key)
    names = [c.author.displayName for c in comments]
    assert names == ["SOP Sync", "Sari Wulandari", "Andi Saputra"]
    assert [c.body for c in comments] == ["Mulai", "Disetujui", "Catatan"]  # v2: plain text
    if fake.state.cloud:  # v3 reads the same bodies as documents
        answer = raw(fake, "GET", f"/rest/api/3/issue/{key}/comment").json()
        assert answer["comments"][2]["body"] == _adf("Catatan")


def test_transition_as_another_user_is_in_the_changelog(fake: FakeJira) -> None:
    """transition_as moves the issue directly, recorded under that person."""
    client = connect(fake)
    key = client.create_issue(fields=task(fake)).key
    fake.transition_as("sari", key, "Done")
    (history,) = client.issue(key, expand="changelog").changelog.histories
    assert history.author.displayName == "Sari Wulandari"
    assert [(i.field, i.toString) for i in history.items] == [
        ("status", "Done"),
        ("resolution", "Done"),
    ]


def test_assign_and_find_people(fake: FakeJira) -> None:
    """assign_issue finds the person by search (Cloud query=, DC username=) and assigns."""
    client = connect(fake)
    key = client.create_issue(fields=task(fake)).key
    found = client.search_users(query="Sari") if fake.state.cloud else client.search_users("sari")
    assert [u.displayName for u in found] == ["Sari Wulandari"]
    client.assign_issue(key, "sari@example.go.id" if fake.state.cloud else "sari")
    assignee = client.issue(key).fields.assignee
    assert assignee is not None
    assert assignee.displayName == "Sari Wulandari"


def test_cloud_refuses_assignee_by_name(cloud: FakeJira) -> None:
    """issue.update(assignee="x") sends a name: Cloud wants accountId (a 400)."""
    issue = connect(cloud).create_issue(fields=task(cloud))
    with pytest.raises(JIRAError) as caught:
        issue.update(assignee="sari")
    assert caught.value.status_code == 400
    assert "accountId" in (caught.value.text or "")


# --- attachments, remote links, properties ------------------------------------------------------


def test_attachments_round_trip(fake: FakeJira, tmp_path: Path) -> None:
    """Upload, list through fields.attachment with author and created, download the bytes."""
    client = connect(fake)
    key = client.create_issue(fields=task(fake)).key
    path = tmp_path / "notulen.txt"
    path.write_bytes(b"isi notulen")
    with path.open("rb") as handle:
        added = client.add_attachment(key, handle)
    assert (added.filename, added.size) == ("notulen.txt", 11)
    (listed,) = client.issue(key, fields="attachment").fields.attachment
    assert listed.author.displayName == "SOP Sync"
    assert listed.created
    assert listed.get() == b"isi notulen"  # type: ignore[no-untyped-call]  # jira: unannotated


def test_attachment_without_xsrf_header_is_403(fake: FakeJira) -> None:
    """Without ``X-Atlassian-Token: no-check`` Jira's XSRF filter refuses the upload."""
    key = connect(fake).create_issue(fields=task(fake)).key
    files = {"file": ("a.txt", b"x")}
    answer = raw(fake, "POST", f"/rest/api/2/issue/{key}/attachments", files=files)
    assert (answer.status_code, answer.text) == (403, "XSRF check failed")


def test_remote_links_upsert_by_global_id(fake: FakeJira) -> None:
    """A simple link is added; a second post with the same globalId updates it (200)."""
    client = connect(fake)
    key = client.create_issue(fields=task(fake)).key
    client.add_simple_link(key, {"url": "https://git.example/mr/1", "title": "MR 1"})
    link = {"url": "https://ci.example/1", "title": "Pipeline"}
    client.add_remote_link(key, link, globalId="ci=1")
    client.add_remote_link(key, link | {"title": "Pipeline hijau"}, globalId="ci=1")
    titles = sorted(ln.object.title for ln in client.remote_links(key))
    assert titles == ["MR 1", "Pipeline hijau"]


def test_issue_properties(fake: FakeJira) -> None:
    """Set, read, list and delete a property; more than 32 KB is a 400."""
    client = connect(fake)
    key = client.create_issue(fields=task(fake)).key
    client.add_issue_property(key, "sop-sync", {"step": "2.1", "version": 3})
    assert client.issue_property(key, "sop-sync").value.step == "2.1"
    assert [p.key for p in client.issue_properties(key)] == ["sop-sync"]
    with pytest.raises(JIRAError) as caught:
        client.add_issue_property(key, "big", {"blob": "x" * 33000})
    assert caught.value.status_code == 400
    assert raw(fake, "DELETE", f"/rest/api/2/issue/{key}/properties/sop-sync").status_code == 204


# --- changelog and versions ---------------------------------------------------------------------


def test_changelog_records_labels_and_status(fake: FakeJira) -> None:
    """expand=changelog shows each change; Cloud also pages it at /issue/{key}/changelog."""
    client = connect(fake)
    issue = client.create_issue(fields=task(fake, labels=["a"]))
    issue.update(update={"labels": [{"add": "b"}]})
    client.transition_issue(issue.key, "In Progress")
    histories = client.issue(issue.key, expand="changelog").changelog.histories
    items = [(i.field, i.fromString, i.toString) for h in histories for i in h.items]
    assert items == [("labels", "a", "a b"), ("status", "To Do", "In Progress")]
    if fake.state.cloud:
        page = raw(fake, "GET", f"/rest/api/3/issue/{issue.key}/changelog?maxResults=1").json()
        assert (page["total"], page["isLast"], len(page["values"])) == (2, False, 1)


def test_versions_with_dates_and_release(fake: FakeJira) -> None:
    """Create with start and release dates, set on an issue, mark released."""
    client = connect(fake)
    version = client.create_version(
        "Rilis 1", "APL", startDate="2024-03-01", releaseDate="2024-03-29"
    )
    assert (version.startDate, version.releaseDate, version.released) == (
        "2024-03-01",
        "2024-03-29",
        False,
    )
    issue = client.create_issue(fields=task(fake, fixVersions=[{"name": "Rilis 1"}]))
    assert [v.name for v in issue.fields.fixVersions] == ["Rilis 1"]
    version.update(released=True)
    assert [v.released for v in client.project_versions("APL")] == [True]
