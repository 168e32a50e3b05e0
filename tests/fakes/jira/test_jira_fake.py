"""The Jira emulator driven through the real jira client: issues, epics, search, links."""

from __future__ import annotations

import pytest
from jira.exceptions import JIRAError

from tests.fakes.jira import FakeJira
from tests.fakes.jira.catalog import EPIC_LINK_TYPE, EPIC_NAME_TYPE
from tests.fakes.jira.support import connect, epic, raw, task

# --- instance ---------------------------------------------------------------------------------


def test_server_info_tells_the_flavours_apart(fake: FakeJira) -> None:
    """Cloud reports deploymentType "Cloud", DC "Server"; the client keys off it."""
    client = connect(fake)
    info = client.server_info()
    assert info["deploymentType"] == ("Cloud" if fake.state.cloud else "Server")
    assert client._is_cloud is fake.state.cloud


def test_myself_identifies_people_per_flavour(fake: FakeJira) -> None:
    """Cloud users carry accountId and no name; DC users carry name and key."""
    me = connect(fake).myself()
    assert me["displayName"] == "SOP Sync"
    if fake.state.cloud:
        assert me["accountId"] == fake.user["accountId"]
        assert "name" not in me
    else:
        assert (me["name"], me["key"]) == ("sop-sync-bot", fake.user["key"])


def test_fields_expose_the_epic_fields_by_schema_on_dc(fake: FakeJira) -> None:
    """DC lists Epic Link and Epic Name with schema.custom; Cloud (parent instead) does not."""
    customs = {f["schema"].get("custom") for f in connect(fake).fields() if f["custom"]}
    expected = set() if fake.state.cloud else {EPIC_LINK_TYPE, EPIC_NAME_TYPE}
    assert customs == expected


# --- issues, epics, hierarchy ------------------------------------------------------------------


def test_epic_with_children_reads_back_in_each_flavour(fake: FakeJira) -> None:
    """Cloud children name their epic in parent; DC ones in the Epic Link field."""
    client = connect(fake)
    big = client.create_issue(fields=epic(fake))
    child = client.create_issue(fields=task(fake, "Analisis kebutuhan", big.key))
    assert (big.key, child.key) == ("APL-1", "APL-2")
    assert child.id.isdigit()
    assert child.fields.status.statusCategory.key == "new"
    if fake.state.cloud:
        assert child.fields.parent.key == "APL-1"
        assert big.fields.issuetype.hierarchyLevel == 1
        found = client.search_issues("parent = APL-1", fields="summary")
    else:
        assert child.raw["fields"]["customfield_10100"] == "APL-1"
        assert big.raw["fields"]["customfield_10101"] == "Tahap analisis"
        found = client.search_issues('"Epic Link" = APL-1')
    assert [i.key for i in found] == ["APL-2"]


def test_dc_epic_needs_its_epic_name(dc: FakeJira) -> None:
    """An Epic without Epic Name is a 400 naming the custom field."""
    fields = epic(dc)
    del fields["customfield_10101"]
    with pytest.raises(JIRAError) as caught:
        connect(dc).create_issue(fields=fields)
    assert caught.value.status_code == 400
    assert caught.value.text == "Epic Name is required."


def test_dc_parent_is_for_sub_tasks_only(dc: FakeJira) -> None:
    """A task with parent is refused; a sub-task needs one and shows up in subtasks."""
    client = connect(dc)
    story = client.create_issue(fields=task(dc, "Induk"))
    with pytest.raises(JIRAError) as caught:
        client.create_issue(fields=task(dc, "Anak", parent={"key": story.key}))
    assert caught.value.status_code == 400
    sub = task(dc, "Sub", parent={"key": story.key}) | {"issuetype": {"name": "Sub-task"}}
    created = client.create_issue(fields=sub)
    assert created.fields.parent.key == story.key
    assert [s.key for s in client.issue(story.key).fields.subtasks] == [created.key]


def test_cloud_parent_follows_the_hierarchy(cloud: FakeJira) -> None:
    """A task under a task is refused (level 0 needs a level-1 parent)."""
    client = connect(cloud)
    first = client.create_issue(fields=task(cloud, "Satu"))
    with pytest.raises(JIRAError, match="appropriate hierarchy"):
        client.create_issue(fields=task(cloud, "Dua", parent={"key": first.key}))


def test_bulk_create_reports_each_failure_in_place(fake: FakeJira) -> None:
    """One bad issue among good ones: the others are created, its error kept per element."""
    client = connect(fake)
    result = client.create_issues(
        [task(fake, "Baik"), task(fake, "Buruk", labels=["dua kata"]), task(fake, "Baik juga")]
    )
    assert [r["status"] for r in result] == ["Success", "Error", "Success"]
    assert result[1]["error"] == {
        "labels": "The label 'dua kata' contains spaces which is invalid."
    }
    assert [r["issue"].key for r in result if r["issue"]] == ["APL-1", "APL-2"]


def test_bulk_create_takes_at_most_fifty(fake: FakeJira) -> None:
    """Fifty-one issues in one call is a 400.

    Sent raw: on that answer the library's ``create_issues`` fails with a KeyError (no
    ``issues`` key), so callers must chunk by 50 themselves.
    """
    body = {"issueUpdates": [{"fields": task(fake, f"T{n}")} for n in range(51)]}
    answer = raw(fake, "POST", "/rest/api/2/issue/bulk", json=body)
    assert answer.status_code == 400
    assert "limit of 50" in answer.json()["errorMessages"][0]
    assert fake.state.issues == {}


def test_label_with_a_space_is_refused(fake: FakeJira) -> None:
    """Jira's own text: "The label 'x y' contains spaces which is invalid."."""
    with pytest.raises(JIRAError) as caught:
        connect(fake).create_issue(fields=task(fake, labels=["peran kasi"]))
    assert caught.value.status_code == 400
    assert "contains spaces which is invalid" in (caught.value.text or "")


def test_get_honours_fields_and_edit_updates_labels(fake: FakeJira) -> None:
    """fields= limits the answer; update adds and removes labels; fields sets others."""
    client = connect(fake)
    issue = client.create_issue(fields=task(fake, labels=["sop-sync", "tahap-1"]))
    issue.update(
        fields={"summary": "Baru", "duedate": "2024-03-05"},
        update={"labels": [{"add": "peran-kasi"}, {"remove": "tahap-1"}]},
    )
    assert issue.fields.labels == ["sop-sync", "peran-kasi"]
    assert (issue.fields.summary, issue.fields.duedate) == ("Baru", "2024-03-05")
    slim = client.issue(issue.key, fields="labels,status")
    assert set(slim.raw["fields"]) == {"labels", "status"}


def test_unknown_issue_and_project_are_404(fake: FakeJira) -> None:
    """Jira's 404 texts for an issue and a project that do not exist."""
    client = connect(fake)
    with pytest.raises(JIRAError) as caught:
        client.issue("APL-99")
    assert caught.value.status_code == 404
    assert caught.value.text == "Issue does not exist or you do not have permission to see it."
    with pytest.raises(JIRAError) as caught:
        client.project("NOPE")
    assert caught.value.status_code == 404


def test_createmeta_lists_types_and_fields(fake: FakeJira) -> None:
    """Per-type create metadata: DC pages under values (the library reads them), Cloud not."""
    if fake.state.cloud:
        page = raw(fake, "GET", "/rest/api/3/issue/createmeta/APL/issuetypes").json()
        assert "Epic" in [t["name"] for t in page["issueTypes"]]
        return
    client = connect(fake)
    kinds = {t.name: t.id for t in client.project_issue_types("APL")}
    fields = {f.fieldId: f.required for f in client.project_issue_fields("APL", kinds["Epic"])}
    assert fields["customfield_10101"] is True
    assert fields["summary"] is True


def test_project_without_epic_type(cloud: FakeJira) -> None:
    """The knob: a project lacking Epic refuses to create one."""
    cloud.add_project("OPS", epic=False)
    client = connect(cloud)
    assert "Epic" not in [t.name for t in client.project("OPS").issueTypes]
    with pytest.raises(JIRAError, match="issue type selected is invalid"):
        client.create_issue(fields=epic(cloud) | {"project": {"key": "OPS"}})


def test_v3_takes_documents_and_v2_strings(cloud: FakeJira) -> None:
    """Cloud v3 wants ADF for description (a string is a 400); v2 reads it back as text."""
    doc = {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Isi"}]}],
    }
    body = {"fields": task(cloud) | {"description": "teks biasa"}}
    refused = raw(cloud, "POST", "/rest/api/3/issue", json=body)
    assert refused.status_code == 400
    assert "Atlassian Document" in refused.json()["errors"]["description"]
    body["fields"]["description"] = doc
    key = raw(cloud, "POST", "/rest/api/3/issue", json=body).json()["key"]
    assert raw(cloud, "GET", f"/rest/api/3/issue/{key}").json()["fields"]["description"] == doc
    assert connect(cloud).issue(key).fields.description == "Isi"


def test_dc_has_no_rest_v3(dc: FakeJira) -> None:
    """Jira DC serves REST v2 only."""
    assert raw(dc, "GET", "/rest/api/3/serverInfo").status_code == 404


# --- links --------------------------------------------------------------------------------------


def test_blocks_link_reads_back_from_both_sides(fake: FakeJira) -> None:
    """Sent as inwardIssue A, outwardIssue B: A blocks B; A shows outwardIssue B, B inward A."""
    client = connect(fake)
    a, b = (client.create_issue(fields=task(fake, s)).key for s in ("A", "B"))
    kinds = {t.name: (t.inward, t.outward) for t in client.issue_link_types()}
    assert kinds["Blocks"] == ("is blocked by", "blocks")
    client.create_issue_link("Blocks", a, b)
    client.create_issue_link("Blocks", a, b)  # a duplicate is not added again
    (on_a,) = client.issue(a).fields.issuelinks
    (on_b,) = client.issue(b).fields.issuelinks
    assert on_a.outwardIssue.key == b
    assert not hasattr(on_a, "inwardIssue")
    assert on_b.inwardIssue.key == a
    assert on_b.type.inward == "is blocked by"
    client.delete_issue_link(on_a.id)
    assert client.issue(a).fields.issuelinks == []


def test_library_swaps_issues_for_an_inward_phrase(fake: FakeJira) -> None:
    """create_issue_link("is blocked by", A, B) is sent swapped: B blocks A."""
    client = connect(fake)
    a, b = (client.create_issue(fields=task(fake, s)).key for s in ("A", "B"))
    client.create_issue_link("is blocked by", a, b)
    assert client.issue(b).fields.issuelinks[0].outwardIssue.key == a


def test_site_without_blocks_link_type(fake: FakeJira) -> None:
    """The knob: with Blocks removed, linking by it is a 404 naming the type."""
    fake.remove_link_type("Blocks")
    client = connect(fake)
    a, b = (client.create_issue(fields=task(fake, s)).key for s in ("A", "B"))
    with pytest.raises(JIRAError) as caught:
        client.create_issue_link("Blocks", a, b)
    assert caught.value.status_code == 404
    assert "No issue link type with name 'Blocks' found." in (caught.value.text or "")
