"""GitLab facts the emulator once hid, each checked through the real python-gitlab client.

Every test names the GitLab source or documentation page it follows (see the handlers'
docstrings): epics take group labels only, ``Sudo`` needs an administrator, uploads get
cleaned file names, scoped labels are exclusive on epics too, epics and issues have separate
id sequences, and milestone ``search`` is GitLab's fuzzy search.
"""

from __future__ import annotations

from collections.abc import Iterator

import gitlab
import pytest
from gitlab.exceptions import GitlabCreateError, GitlabHttpError

from tests.fakes.gitlab import FakeGitLab
from tests.fakes.gitlab.state import DEFAULT_LABEL_COLOR
from tests.fakes.gitlab.uploads import sanitize_filename

PATH = "diskominfo/aplikasi"
GROUP = "diskominfo"


def client(fake: FakeGitLab, token: str | None = None) -> gitlab.Gitlab:
    """python-gitlab pointed at the emulator."""
    return gitlab.Gitlab(fake.url, private_token=token or fake.token)


@pytest.fixture
def premium() -> Iterator[FakeGitLab]:
    """A Premium emulator with the project (in its group) and one person."""
    with FakeGitLab(tier="premium") as running:
        running.add_project(PATH)
        running.add_user("sari")
        yield running


# --- epics take group labels only -----------------------------------------------------------


def test_a_project_label_is_not_an_epic_label(premium: FakeGitLab) -> None:
    """A label only the project has becomes a new group label (default colour) on the epic."""
    gl = client(premium)
    project = gl.projects.get(PATH)
    project.labels.create({"name": "permohonan", "color": "#6A1B9A"})
    group = gl.groups.get(GROUP)
    epic = group.epics.create({"title": "Permohonan", "labels": "permohonan"})
    assert epic.labels == ["permohonan"]
    made = premium.state.group_labels[group.id]["permohonan"]
    assert made["color"] == DEFAULT_LABEL_COLOR
    shown = {(label.name, label.is_project_label) for label in project.labels.list(get_all=True)}
    assert shown == {("permohonan", True), ("permohonan", False)}  # both exist now
    assert [e.iid for e in group.epics.list(labels=["permohonan"], get_all=True)] == [epic.iid]


def test_a_token_without_group_rights_loses_epic_labels() -> None:
    """Without a role in the group a missing label is dropped silently, not refused."""
    with FakeGitLab(tier="premium", manage_group_labels=False) as fake:
        fake.add_project(PATH)
        gl = client(fake)
        gl.projects.get(PATH).labels.create({"name": "permohonan", "color": "#6A1B9A"})
        group = gl.groups.get(GROUP)
        epic = group.epics.create({"title": "Permohonan", "labels": "permohonan,sop::bali"})
        assert epic.labels == []
        with pytest.raises(GitlabCreateError) as refused:
            group.labels.create({"name": "permohonan", "color": "#6A1B9A"})
        assert refused.value.response_code == 403


def test_epics_use_group_labels_of_ancestors(premium: FakeGitLab) -> None:
    """A label of a parent group serves the epics of a subgroup; nothing new is made."""
    premium.add_project("pemda/diskominfo/aplikasi")
    gl = client(premium)
    gl.groups.get("pemda").labels.create({"name": "permohonan", "color": "#6A1B9A"})
    sub = gl.groups.get("pemda/diskominfo")
    assert sub.epics.create({"title": "A", "labels": "permohonan"}).labels == ["permohonan"]
    assert premium.state.group_labels[sub.id] == {}


def test_group_label_may_share_a_project_labels_name(premium: FakeGitLab) -> None:
    """Creating a group label is refused only by group labels (project labels do not count)."""
    gl = client(premium)
    gl.projects.get(PATH).labels.create({"name": "sop::bali", "color": "#4527A0"})
    group = gl.groups.get(GROUP)
    group.labels.create({"name": "sop::bali", "color": "#4527A0"})
    with pytest.raises(GitlabCreateError) as taken:
        group.labels.create({"name": "sop::bali", "color": "#4527A0"})
    assert taken.value.response_code == 409
    with pytest.raises(GitlabCreateError) as shadowed:  # a project label under a group one
        gl.projects.get(PATH).labels.create({"name": "sop::bali", "color": "#4527A0"})
    assert shadowed.value.response_code == 409


def test_scoped_labels_are_exclusive_on_epics(premium: FakeGitLab) -> None:
    """Adding `status::b` to an epic drops `status::a`, as on issues (Premium)."""
    group = client(premium).groups.get(GROUP)
    epic = group.epics.create({"title": "E", "labels": "status::a,permohonan"})
    updated = group.epics.update(epic.iid, {"add_labels": "status::b"})
    assert updated["labels"] == ["permohonan", "status::b"]


# --- Sudo needs an administrator -------------------------------------------------------------


def test_sudo_needs_an_admin_token() -> None:
    """doc/api/rest/authentication.md "Sudo": 403 "Must be admin to use sudo" otherwise."""
    with FakeGitLab(admin=False) as fake:
        fake.add_project(PATH)
        fake.add_user("sari")
        gl = client(fake)
        assert gl.projects.get(PATH).id  # the token itself works
        with pytest.raises(GitlabHttpError) as refused:
            gl.http_get(f"/projects/{PATH.replace('/', '%2F')}", sudo="sari")
        assert refused.value.response_code == 403
        assert refused.value.error_message == "403 Forbidden - Must be admin to use sudo"
        gl.auth()
        assert gl.user is not None
        assert gl.user.attributes["is_admin"] is False


def test_sudo_with_an_admin_token_acts_as_the_person(premium: FakeGitLab) -> None:
    """An administrator's token acts as the person named."""
    issue = client(premium).projects.get(PATH).issues.create({"title": "x"}, sudo="sari")
    assert issue.author["username"] == "sari"


# --- uploads get cleaned names -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Laporan UAT (final).pdf", "Laporan_UAT__final_.pdf"),
        ("rancangan-dfd.png", "rancangan-dfd.png"),
        ("a+b=c&d.txt", "a+b_c_d.txt"),
        ("Berkas Ñandú.docx", "Berkas_Ñandú.docx"),
        ("..", "_.."),
        ("dir/../evil.sh", "evil.sh"),
    ],
)
def test_file_names_are_sanitized_as_carrierwave_does(given: str, stored: str) -> None:
    """CarrierWave's SanitizedFile#sanitize, which GitLab's FileUploader relies on."""
    assert sanitize_filename(given) == stored


def test_upload_answers_with_the_cleaned_name(premium: FakeGitLab) -> None:
    """url, alt, markdown and full_path all carry the cleaned name; images lose the extension."""
    project = client(premium).projects.get(PATH)
    answer = project.upload("Laporan UAT (final).pdf", filedata=b"%PDF")
    secret = answer["url"].split("/")[2]
    assert answer["url"] == f"/uploads/{secret}/Laporan_UAT__final_.pdf"
    assert answer["alt"] == "Laporan_UAT__final_.pdf"
    assert answer["markdown"] == f"[Laporan_UAT__final_.pdf]({answer['url']})"
    assert answer["full_path"].endswith(f"/uploads/{secret}/Laporan_UAT__final_.pdf")
    image = project.upload("Rancangan DFD.png", filedata=b"\x89PNG")
    assert image["markdown"] == f"![Rancangan_DFD]({image['url']})"
    svg = project.upload("alur.svg", filedata=b"<svg/>")
    assert svg["markdown"] == f"![alur.svg]({svg['url']})"


# --- separate id sequences ---------------------------------------------------------------------


def test_epics_and_issues_have_their_own_ids(premium: FakeGitLab) -> None:
    """An epic and an issue can share an id; ids never equal iids; each reference resolves."""
    gl = client(premium)
    group, project = gl.groups.get(GROUP), gl.projects.get(PATH)
    epic = group.epics.create({"title": "E"})
    other = group.epics.create({"title": "F"})
    first = project.issues.create({"title": "1"})
    second = project.issues.create({"title": "2", "epic_id": other.id})
    assert epic.id == first.id  # one sequence per table
    assert first.id != first.iid
    assert second.epic["iid"] == other.iid
    group.epics.get(epic.iid, lazy=True).issues.create({"issue_id": second.id})
    assert project.issues.get(second.iid).epic["iid"] == epic.iid


# --- milestone search is GitLab's fuzzy search -------------------------------------------------


def test_milestone_search_is_fuzzy_with_a_three_character_minimum(premium: FakeGitLab) -> None:
    """Terms of 3+ characters match anywhere (title or description); shorter ones whole."""
    milestones = client(premium).projects.get(PATH).milestones
    for title in ("uji · Permohonan", "uji-2 · Permohonan", "ab · Fase", "lain · Fase"):
        milestones.create({"title": title, "description": "uji coba" if "lain" in title else ""})
    found = {m.title for m in milestones.list(search="uji", get_all=True)}
    assert found == {"uji · Permohonan", "uji-2 · Permohonan", "lain · Fase"}
    assert [m.title for m in milestones.list(search="ab", get_all=True)] == []
    assert [m.title for m in milestones.list(search="AB · FASE", get_all=True)] == [
        "ab · Fase",
        "lain · Fase",
    ]  # "AB" and "·" are too short: only "FASE" counts
    assert [m.title for m in milestones.list(title="uji · Permohonan", get_all=True)] == [
        "uji · Permohonan"
    ]
