"""The GitLab emulator itself, driven through the real python-gitlab client."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import gitlab
import pytest
from gitlab.exceptions import (
    GitlabAuthenticationError,
    GitlabCreateError,
    GitlabGetError,
    GitlabHttpError,
    GitlabListError,
)
from gitlab.v4.objects import Project

from tests.fakes.gitlab import FakeGitLab

PATH = "diskominfo/aplikasi"


def client(fake: FakeGitLab, *, retry_transient_errors: bool = False) -> gitlab.Gitlab:
    """python-gitlab pointed at the emulator."""
    return gitlab.Gitlab(
        fake.url, private_token=fake.token, retry_transient_errors=retry_transient_errors
    )


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    """A Free (EE) emulator with one project and two people."""
    with FakeGitLab() as running:
        running.add_project(PATH, visibility="public", license="mit")
        running.add_user("sari", "Sari Wulandari")
        running.add_user("andi")
        yield running


@pytest.fixture
def premium() -> Iterator[FakeGitLab]:
    """A Premium emulator with the same project and people."""
    with FakeGitLab(tier="premium") as running:
        running.add_project(PATH)
        running.add_user("sari")
        running.add_user("andi")
        yield running


def project_of(fake: FakeGitLab) -> Project:
    """The seeded project, fetched by its path."""
    return client(fake).projects.get(PATH)


# --- issues ---------------------------------------------------------------------------------


def test_issue_is_created_with_the_documented_shape(fake: FakeGitLab) -> None:
    """A new issue has iid 1, its labels, assignee, due date, author and URLs."""
    sari = fake.state.users["sari"]
    issue = project_of(fake).issues.create(
        {"title": "Analisis", "labels": ["peran::Kasi", "tahap"], "assignee_ids": [sari["id"]],
         "due_date": "2024-03-05", "description": "Langkah 1"}
    )  # fmt: skip
    assert (issue.iid, issue.state, issue.labels) == (1, "opened", ["peran::Kasi", "tahap"])
    assert [u["username"] for u in issue.assignees] == ["sari"]
    assert issue.author["username"] == "sop-sync-bot"
    assert issue.due_date == "2024-03-05"
    assert issue.web_url == f"{fake.url}/{PATH}/-/issues/1"
    assert issue.references["full"] == f"{PATH}#1"
    assert issue.created_at.endswith("Z")
    assert issue.milestone is None


def test_missing_title_is_a_400(fake: FakeGitLab) -> None:
    """Creating an issue without a title answers Grape's 400 "title is missing"."""
    with pytest.raises(GitlabCreateError) as caught:
        project_of(fake).issues.create({"title": ""})
    assert (caught.value.response_code, caught.value.error_message) == (400, "title is missing")


def test_add_and_remove_labels_then_close(fake: FakeGitLab) -> None:
    """add_labels/remove_labels edit the set; state_event close sets closed_at and closed_by."""
    project = project_of(fake)
    issue = project.issues.create({"title": "a", "labels": "x,y"})
    project.issues.update(issue.iid, {"add_labels": "z", "remove_labels": "x"})
    issue = project.issues.get(issue.iid)
    assert issue.labels == ["y", "z"]
    issue.state_event = "close"
    issue.save()
    closer = issue.attributes["closed_by"]  # `issue.closed_by` is python-gitlab's MR lookup
    assert (issue.state, closer["username"]) == ("closed", "sop-sync-bot")
    assert issue.closed_at is not None
    assert [e.state for e in issue.resourcestateevents.list()] == ["closed"]


def test_label_events_are_recorded_from_creation(fake: FakeGitLab) -> None:
    """Labels given at creation and later edits both leave resource label events."""
    project = project_of(fake)
    issue = project.issues.create({"title": "a", "labels": "x"})
    project.issues.update(issue.iid, {"remove_labels": "x"})
    events = issue.resourcelabelevents.list(get_all=True)
    assert [(e.action, e.label["name"]) for e in events] == [("add", "x"), ("remove", "x")]


def test_list_filters_labels_state_search_and_iids(fake: FakeGitLab) -> None:
    """Labels must all match; state, search and iids[] filter as documented."""
    project = project_of(fake)
    project.issues.create({"title": "both", "labels": "a,b"})
    project.issues.create({"title": "one", "labels": "a"})
    closed = project.issues.create({"title": "tutup"})
    project.issues.update(closed.iid, {"state_event": "close"})
    assert [i.title for i in project.issues.list(labels=["a", "b"], get_all=True)] == ["both"]
    assert [i.title for i in project.issues.list(state="closed", get_all=True)] == ["tutup"]
    assert [i.title for i in project.issues.list(search="ON", get_all=True)] == ["one"]
    assert [i.iid for i in project.issues.list(iids=[1, 3], get_all=True)] == [3, 1]
    assert [i.iid for i in project.issues.list(labels="None", get_all=True)] == [3]
    oldest = project.issues.list(order_by="created_at", sort="asc", get_all=True)
    assert [i.iid for i in oldest] == [1, 2, 3]


def test_nulls_clear_due_date_milestone_and_assignees(fake: FakeGitLab) -> None:
    """due_date null, milestone_id 0 and assignee_ids [] clear those fields."""
    project = project_of(fake)
    milestone = project.milestones.create({"title": "M1"})
    issue = project.issues.create(
        {"title": "a", "due_date": "2024-01-02", "milestone_id": milestone.id,
         "assignee_ids": [fake.state.users["sari"]["id"]]}
    )  # fmt: skip
    assert issue.milestone["title"] == "M1"
    project.issues.update(issue.iid, {"due_date": None, "milestone_id": 0, "assignee_ids": []})
    issue = project.issues.get(issue.iid)
    assert (issue.due_date, issue.milestone, issue.assignees) == (None, None, [])


def test_free_keeps_one_assignee_and_drops_unknown_ones(fake: FakeGitLab) -> None:
    """Free: the first known assignee only (multiple assignees are Premium)."""
    ids = [fake.state.users["sari"]["id"], 9999, fake.state.users["andi"]["id"]]
    issue = project_of(fake).issues.create({"title": "a", "assignee_ids": ids})
    assert [u["username"] for u in issue.assignees] == ["sari"]


def test_updated_at_moves_only_on_a_change(fake: FakeGitLab) -> None:
    """Re-sending the same title leaves updated_at; a new title moves it."""
    project = project_of(fake)
    issue = project.issues.create({"title": "a"})
    same = project.issues.update(issue.iid, {"title": "a"})
    changed = project.issues.update(issue.iid, {"title": "b"})
    assert same["updated_at"] == issue.updated_at < changed["updated_at"]


def test_premium_keeps_one_scoped_label_per_scope(premium: FakeGitLab) -> None:
    """Premium: of two labels in one scope, the last selected stays, at creation too."""
    project = project_of(premium)
    issue = project.issues.create({"title": "a", "labels": "peran::Kasi,peran::Kabid,x"})
    assert issue.labels == ["peran::Kabid", "x"]
    project.issues.update(issue.iid, {"add_labels": "peran::Sekretaris"})
    assert project.issues.get(issue.iid).labels == ["peran::Sekretaris", "x"]


def test_free_lets_scoped_labels_coexist(fake: FakeGitLab) -> None:
    """Free: ``a::b`` labels are ordinary labels, two of one scope can coexist."""
    issue = project_of(fake).issues.create({"title": "a", "labels": "peran::Kasi,peran::Kabid"})
    assert issue.labels == ["peran::Kabid", "peran::Kasi"]


def test_parallel_creates_get_distinct_iids(fake: FakeGitLab) -> None:
    """Concurrent requests are serialised: 40 parallel creates give iids 1..40."""
    project = project_of(fake)
    with ThreadPoolExecutor(8) as pool:
        made = list(pool.map(lambda n: project.issues.create({"title": f"i{n}"}), range(40)))
    assert sorted(i.iid for i in made) == list(range(1, 41))


# --- labels, milestones ---------------------------------------------------------------------


def test_duplicate_label_is_409(fake: FakeGitLab) -> None:
    """Creating a label twice answers 409 "Label already exists"."""
    project = project_of(fake)
    label = project.labels.create({"name": "peran::Kasi", "color": "#1565C0"})
    assert (label.color, label.text_color, label.description) == ("#1565C0", "#FFFFFF", None)
    with pytest.raises(GitlabCreateError) as caught:
        project.labels.create({"name": "peran::Kasi", "color": "#1565C0"})
    assert (caught.value.response_code, caught.value.error_message) == (
        409,
        "Label already exists",
    )


def test_label_update_and_rename(fake: FakeGitLab) -> None:
    """python-gitlab's label update (name in the body) and new_name, carried to issues."""
    project = project_of(fake)
    project.labels.create({"name": "lama", "color": "#000000"})
    issue = project.issues.create({"title": "a", "labels": "lama"})
    project.labels.update("lama", {"color": "#FFFFFF", "description": "d", "new_name": "baru"})
    assert [(x.name, x.color, x.description) for x in project.labels.list()] == [
        ("baru", "#FFFFFF", "d")
    ]
    assert project.issues.get(issue.iid).labels == ["baru"]


def test_bad_label_color_is_a_validation_error(fake: FakeGitLab) -> None:
    """A colour that is not #RGB/#RRGGBB answers 400 with the field's messages."""
    with pytest.raises(GitlabCreateError) as caught:
        project_of(fake).labels.create({"name": "x", "color": "biru"})
    assert caught.value.response_code == 400
    message: object = caught.value.error_message  # the JSON `message`, here an object
    assert message == {"color": ["must be a valid color code"]}


def test_milestones_with_dates_and_state(fake: FakeGitLab) -> None:
    """Milestones keep their dates, filter by title and state, close with state_event."""
    project = project_of(fake)
    made = project.milestones.create(
        {"title": "absensi · Analisis", "start_date": "2024-01-01", "due_date": "2024-01-31"}
    )
    assert (made.iid, made.state, made.start_date, made.due_date) == (
        1,
        "active",
        "2024-01-01",
        "2024-01-31",
    )
    made.due_date = "2024-02-15"
    made.state_event = "close"
    made.save()
    [found] = project.milestones.list(title="absensi · Analisis", state="closed")
    assert (found.due_date, found.state) == ("2024-02-15", "closed")
    assert project.milestones.list(state="active") == []


def test_labels_made_on_the_fly_and_inherited_from_the_group(fake: FakeGitLab) -> None:
    """An unknown label on an issue becomes a grey project label; group labels are listed."""
    gl = client(fake)
    gl.groups.get("diskominfo", lazy=True).labels.create({"name": "sop::x", "color": "#4527A0"})
    project = gl.projects.get(PATH)
    project.issues.create({"title": "a", "labels": "baru"})
    listed = {x.name: (x.color, x.is_project_label) for x in project.labels.list()}
    assert listed == {"baru": ("#6699cc", True), "sop::x": ("#4527A0", False)}
    with pytest.raises(GitlabCreateError) as caught:
        project.labels.create({"name": "sop::x", "color": "#000000"})
    assert caught.value.response_code == 409


def test_milestone_due_before_start_is_400(fake: FakeGitLab) -> None:
    """A due date before the start date fails validation with GitLab's message."""
    with pytest.raises(GitlabCreateError) as caught:
        project_of(fake).milestones.create(
            {"title": "M", "start_date": "2024-02-01", "due_date": "2024-01-01"}
        )
    assert caught.value.response_code == 400
    assert "must be greater than start date" in str(caught.value.error_message)


def test_milestone_title_taken_is_400(fake: FakeGitLab) -> None:
    """A taken milestone title answers 400 "Failed to create milestone ..." as GitLab does."""
    project = project_of(fake)
    project.milestones.create({"title": "M"})
    with pytest.raises(GitlabCreateError) as caught:
        project.milestones.create({"title": "M"})
    assert caught.value.response_code == 400
    assert "has already been taken" in str(caught.value.error_message)


# --- pagination -----------------------------------------------------------------------------


def test_get_all_follows_link_headers(fake: FakeGitLab) -> None:
    """get_all with per_page=2 over 5 issues takes 3 GETs and returns all 5."""
    project = project_of(fake)
    for n in range(5):
        project.issues.create({"title": f"issue {n}"})
    fake.reset_log()
    assert len(project.issues.list(get_all=True, per_page=2)) == 5
    assert fake.count("GET", "/issues") == 3
    assert [e.query for e in fake.requests][1:] == [
        "per_page=2&page=2",
        "per_page=2&page=3",
    ]


def test_iterator_reads_the_total_headers(fake: FakeGitLab) -> None:
    """iterator=True exposes X-Total, X-Total-Pages and X-Next-Page, fetching lazily."""
    project = project_of(fake)
    for n in range(5):
        project.issues.create({"title": f"issue {n}"})
    fake.reset_log()
    listing = project.issues.list(iterator=True, per_page=2)
    assert (listing.total, listing.total_pages, listing.next_page) == (5, 3, 2)
    assert fake.count("GET") == 1
    assert len(list(listing)) == 5
    assert fake.count("GET") == 3


def test_link_header_names_prev_next_first_last(fake: FakeGitLab) -> None:
    """A middle page links prev, next, first and last with full URLs, as GitLab does."""
    gl = client(fake)
    project = gl.projects.get(PATH)
    for n in range(5):
        project.issues.create({"title": f"issue {n}"})
    response = gl.http_request(
        "get", f"/projects/{project.id}/issues", query_data={"per_page": 2, "page": 2}
    )
    assert set(response.links) == {"prev", "next", "first", "last"}
    assert response.links["last"]["url"].startswith(f"{fake.url}/api/v4/projects/")
    assert response.headers["X-Prev-Page"] == "1"
    assert response.headers["X-Per-Page"] == "2"


# --- notes, uploads, links ------------------------------------------------------------------


def test_notes_by_the_token_user_sudo_or_seeded(fake: FakeGitLab) -> None:
    """Notes are authored by the token's user, the Sudo user, or as seeded."""
    issue = project_of(fake).issues.create({"title": "a"})
    issue.notes.create({"body": "dari bot"})
    issue.notes.create({"body": "dari sari"}, sudo="sari")
    fake.add_note(PATH, issue.iid, "dari andi", author="andi")
    notes = issue.notes.list(get_all=True, sort="asc")
    assert [(n.author["username"], n.body, n.system) for n in notes] == [
        ("sop-sync-bot", "dari bot", False),
        ("sari", "dari sari", False),
        ("andi", "dari andi", False),
    ]


def test_edits_leave_system_notes_but_labels_do_not(fake: FakeGitLab) -> None:
    """Title and due-date edits write system notes; label changes are events, not notes."""
    project = project_of(fake)
    issue = project.issues.create({"title": "a"})
    project.issues.update(issue.iid, {"title": "b", "due_date": "2024-03-05", "labels": "x"})
    notes = issue.notes.list(get_all=True, sort="asc")
    assert [(n.body, n.system) for n in notes] == [
        ("changed title from **a** to **b**", True),
        ("changed due date to March 5, 2024", True),
    ]


def test_sudo_of_an_unknown_user_is_404(fake: FakeGitLab) -> None:
    """Sudo as nobody answers 404 naming the user."""
    with pytest.raises(GitlabGetError) as caught:
        client(fake).projects.get(PATH, sudo="nobody")
    assert caught.value.response_code == 404
    assert "nobody" in str(caught.value.error_message)


def test_upload_answers_url_and_markdown(fake: FakeGitLab) -> None:
    """Uploads answer id, alt, url, full_path and markdown (images embedded, others linked)."""
    project = project_of(fake)
    image = project.upload("rancangan-erd.png", filedata=b"png")
    assert image["url"].startswith("/uploads/")
    assert image["url"].endswith("/rancangan-erd.png")
    assert len(image["url"].split("/")[2]) == 32
    assert image["full_path"] == f"/-/project/{project.id}{image['url']}"
    assert image["markdown"] == f"![rancangan-erd]({image['url']})"
    pdf = project.upload("notulen.pdf", filedata=b"%PDF")
    assert pdf["markdown"] == f"[notulen.pdf]({pdf['url']})"


def test_relates_to_link_and_duplicate(fake: FakeGitLab) -> None:
    """relates_to links on Free; listing shows it from both sides; linking again is 409."""
    project = project_of(fake)
    a = project.issues.create({"title": "a"})
    b = project.issues.create({"title": "b"})
    target = {"target_project_id": project.id, "target_issue_iid": b.iid}
    source, linked = a.links.create({**target, "link_type": "relates_to"})
    assert (source.iid, linked.iid) == (a.iid, b.iid)
    assert [(i.iid, i.link_type) for i in b.links.list()] == [(a.iid, "relates_to")]
    with pytest.raises(GitlabCreateError) as caught:
        a.links.create(target)
    assert caught.value.response_code == 409


def test_blocks_refused_on_free(fake: FakeGitLab) -> None:
    """Free (EE): blocks answers 403 "Blocked issues not available for current license"."""
    project = project_of(fake)
    a, b = (project.issues.create({"title": t}) for t in "ab")
    with pytest.raises(GitlabCreateError) as caught:
        a.links.create(
            {"target_project_id": project.id, "target_issue_iid": b.iid, "link_type": "blocks"}
        )
    assert caught.value.response_code == 403
    assert caught.value.error_message == "Blocked issues not available for current license"


def test_blocks_links_on_premium(premium: FakeGitLab) -> None:
    """Premium: blocks works; the blocked issue lists its blocker as is_blocked_by."""
    project = project_of(premium)
    a, b = (project.issues.create({"title": t}) for t in "ab")
    a.links.create({"target_project_id": PATH, "target_issue_iid": b.iid, "link_type": "blocks"})
    assert [(i.iid, i.link_type) for i in a.links.list()] == [(b.iid, "blocks")]
    [blocker] = b.links.list()
    assert (blocker.iid, blocker.link_type) == (a.iid, "is_blocked_by")
    blocker.delete()
    assert a.links.list() == []


# --- epics, editions ------------------------------------------------------------------------


def test_epics_forbidden_on_free(fake: FakeGitLab) -> None:
    """Free (EE): the epics API answers 403, as doc/api/epics.md says."""
    group = client(fake).groups.get("diskominfo")
    with pytest.raises(GitlabListError) as caught:
        group.epics.list(get_all=False)
    assert caught.value.response_code == 403


def test_community_edition_has_no_epics_nor_blocks() -> None:
    """CE: no epics route (404) and blocks is not a valid link_type (400)."""
    with FakeGitLab(edition="ce") as fake:
        fake.add_project(PATH)
        gl = client(fake)
        with pytest.raises(GitlabListError) as missing:
            gl.groups.get("diskominfo", lazy=True).epics.list(get_all=False)
        assert missing.value.response_code == 404
        project = gl.projects.get(PATH)
        a, b = (project.issues.create({"title": t}) for t in "ab")
        with pytest.raises(GitlabCreateError) as refused:
            a.links.create(
                {"target_project_id": project.id, "target_issue_iid": b.iid, "link_type": "blocks"}
            )
        assert refused.value.response_code == 400
        assert refused.value.error_message == "link_type does not have a valid value"
        assert gl.version()[0] == "17.5.0"


def test_premium_epics_and_their_issues(premium: FakeGitLab) -> None:
    """Premium: epics are made, dated, labelled, and issues join them by global id."""
    gl = client(premium)
    group = gl.groups.get("diskominfo")
    epic = group.epics.create({"title": "Permohonan", "labels": ["permohonan"]})
    epic.due_date_fixed = "2024-02-01"
    epic.due_date_is_fixed = True
    epic.save()
    issue = gl.projects.get(PATH).issues.create({"title": "langkah"})
    joined = epic.issues.create({"issue_id": issue.id})
    assert joined.epic_issue_id == joined.id
    [member] = epic.issues.list()
    assert (member.iid, member.epic_issue_id) == (issue.iid, joined.id)
    again = group.epics.get(epic.iid)
    assert (again.labels, again.due_date, again.references["short"]) == (
        ["permohonan"],
        "2024-02-01",
        f"&{epic.iid}",
    )
    assert gl.projects.get(PATH).issues.get(issue.iid).epic["iid"] == epic.iid
    assert [e.title for e in group.epics.list(labels=["permohonan"])] == ["Permohonan"]


def test_issue_joins_an_epic_at_creation(premium: FakeGitLab) -> None:
    """Premium: epic_id on a new issue puts it in the epic; epic notes address the epic id."""
    gl = client(premium)
    epic = gl.groups.get("diskominfo", lazy=True).epics.create({"title": "E"})
    issue = gl.projects.get(PATH).issues.create({"title": "a", "epic_id": epic.id})
    assert (issue.epic_iid, issue.epic["id"]) == (epic.iid, epic.id)
    epic.notes.create({"body": "catatan"})
    assert [n.body for n in epic.notes.list()] == ["catatan"]


def test_instance_version_and_license(fake: FakeGitLab, premium: FakeGitLab) -> None:
    """/version names the edition; /license is null on Free EE and Premium on Premium."""
    assert client(fake).version()[0] == "17.5.0-ee"
    assert client(fake).get_license() == {}
    assert client(premium).get_license()["plan"] == "premium"


# --- projects, hooks, merge requests, users -------------------------------------------------


def test_project_license_only_when_asked(fake: FakeGitLab) -> None:
    """``license=true`` adds the detected licence; the LICENSE file is in the repository."""
    gl = client(fake)
    plain = gl.projects.get(PATH)
    assert "license" not in plain.attributes
    assert (plain.visibility, plain.path_with_namespace, plain.default_branch) == (
        "public",
        PATH,
        "main",
    )
    assert gl.projects.get(PATH, license=True).license["key"] == "mit"
    assert plain.files.get("LICENSE", ref="main").decode().startswith(b"MIT")
    with pytest.raises(GitlabGetError):
        plain.files.get("README.md", ref="main")


def test_project_settings_and_hooks(fake: FakeGitLab) -> None:
    """Project settings update; webhooks are stored without ever showing their token."""
    gl = client(fake)
    project = gl.projects.get(PATH)
    gl.projects.update(project.id, {"only_allow_merge_if_pipeline_succeeds": True})
    assert gl.projects.get(PATH).only_allow_merge_if_pipeline_succeeds is True
    hook = project.hooks.create(
        {"url": "https://sop.example.go.id/hook", "token": "rahasia", "issues_events": True}
    )
    project.hooks.update(hook.id, {"url": hook.url, "note_events": True})
    [stored] = project.hooks.list()
    assert (stored.issues_events, stored.note_events, stored.push_events) == (True, True, True)
    assert "token" not in stored.attributes


def test_merge_request_closes_issues_and_pipelines(fake: FakeGitLab) -> None:
    """A seeded merge request lists the issues it closes and accepts a new pipeline."""
    project = project_of(fake)
    issue = project.issues.create({"title": "a"})
    fake.add_merge_request(PATH, "Fitur", "Closes #1", closes=(issue.iid,))
    mr = project.mergerequests.get(1)
    assert [i.iid for i in mr.closes_issues()] == [issue.iid]
    assert mr.pipelines.create().status == "created"
    assert len(mr.pipelines.list()) == 1


def test_users_by_username_and_current_user(fake: FakeGitLab) -> None:
    """users?username= finds one person; /user is the token's user."""
    gl = client(fake)
    [sari] = gl.users.list(username="sari")
    assert (sari.name, sari.state) == ("Sari Wulandari", "active")
    assert gl.users.list(username="nobody") == []
    gl.auth()
    assert gl.user is not None
    assert gl.user.username == "sop-sync-bot"


# --- authentication, errors, faults ---------------------------------------------------------


def test_wrong_token_is_401(fake: FakeGitLab) -> None:
    """A wrong token raises python-gitlab's authentication error."""
    wrong = gitlab.Gitlab(fake.url, private_token="glpat-wrong")
    with pytest.raises(GitlabAuthenticationError) as caught:
        wrong.projects.get(PATH)
    assert caught.value.error_message == "401 Unauthorized"


def test_bearer_token_is_accepted(fake: FakeGitLab) -> None:
    """An OAuth-style ``Authorization: Bearer`` token works like PRIVATE-TOKEN."""
    assert gitlab.Gitlab(fake.url, oauth_token=fake.token).projects.get(PATH).id


def test_unknown_project_route_and_method(fake: FakeGitLab) -> None:
    """404 for a missing project or route, 405 for a wrong method on a known route."""
    gl = client(fake)
    with pytest.raises(GitlabGetError) as missing:
        gl.projects.get("tidak/ada")
    assert missing.value.error_message == "404 Project Not Found"
    with pytest.raises(GitlabHttpError) as route:
        gl.http_get("/nothing/here")
    assert route.value.response_code == 404
    with pytest.raises(GitlabHttpError) as method:
        gl.http_delete(f"/projects/{gl.projects.get(PATH).id}/issues")
    assert method.value.response_code == 405


def test_429_with_retry_after_is_retried(fake: FakeGitLab) -> None:
    """python-gitlab obeys 429 Retry-After; the log shows both requests."""
    gl = client(fake)
    fake.inject(429, retry_after=0)
    fake.reset_log()
    gl.projects.get(PATH)
    assert [(method, status) for method, _, _, status in fake.requests] == [
        ("GET", 429),
        ("GET", 200),
    ]


def test_502_is_retried_only_when_asked(fake: FakeGitLab) -> None:
    """With retry_transient_errors a 502 (HTML page) is retried; without, it is an error."""
    fake.inject(502)
    fake.reset_log()
    client(fake, retry_transient_errors=True).projects.get(PATH)
    assert [entry.status for entry in fake.requests] == [502, 200]
    fake.inject(502)
    with pytest.raises(GitlabGetError) as caught:
        client(fake).projects.get(PATH)
    assert caught.value.response_code == 502
    assert caught.value.response_body is not None
    assert b"GitLab is not responding" in caught.value.response_body


def test_injected_body_and_community_license(fake: FakeGitLab) -> None:
    """An injected JSON body is sent as given; CE has no /license route."""
    fake.inject(503, body={"message": "maintenance"})
    with pytest.raises(GitlabGetError) as caught:
        client(fake).projects.get(PATH)
    assert (caught.value.response_code, caught.value.error_message) == (503, "maintenance")
    with FakeGitLab(edition="ce") as ce, pytest.raises(GitlabHttpError) as missing:
        client(ce).http_get("/license")
    assert missing.value.response_code == 404


def test_faults_match_method_and_path_prefix(fake: FakeGitLab) -> None:
    """A fault limited to POST under a path spares other requests, then runs out."""
    project = project_of(fake)
    fake.inject(500, times=1, path_prefix=f"/projects/{project.id}/labels", method="POST")
    project.labels.list()
    with pytest.raises(GitlabCreateError) as caught:
        project.labels.create({"name": "x", "color": "#000000"})
    assert caught.value.error_message == "500 Internal Server Error"
    project.labels.create({"name": "x", "color": "#000000"})
    assert fake.count("POST", "/labels") == 2


def test_latency_slows_every_request(fake: FakeGitLab) -> None:
    """``latency`` adds its seconds to each request."""
    gl = client(fake)
    fake.latency = 0.05
    started = time.monotonic()
    gl.projects.get(PATH)
    assert time.monotonic() - started >= 0.05


def test_handlers_did_not_crash(fake: FakeGitLab) -> None:
    """A request touring many endpoints leaves no emulator error behind."""
    project = project_of(fake)
    issue = project.issues.create({"title": "a", "labels": "x"})
    issue.notes.list()
    issue.links.list()
    project.labels.list()
    project.milestones.list()
    assert fake.errors == []
