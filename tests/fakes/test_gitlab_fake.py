"""The GitLab emulator itself, driven through python-gitlab: pagination, errors, faults."""

from __future__ import annotations

from collections.abc import Iterator

import gitlab
import pytest
from gitlab.exceptions import GitlabAuthenticationError, GitlabCreateError, GitlabError

from tests.fakes.gitlab import FakeGitLab


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    """A Free emulator with one project."""
    with FakeGitLab() as running:
        running.state.add_project("diskominfo/aplikasi")
        yield running


def client(fake: FakeGitLab, **options: object) -> gitlab.Gitlab:
    """python-gitlab pointed at the emulator."""
    return gitlab.Gitlab(fake.url, private_token=fake.token, **options)  # type: ignore[arg-type]


def test_pagination_follows_link_headers(fake: FakeGitLab) -> None:
    """get_all with per_page=2 over 5 issues takes 3 GETs and returns all 5."""
    project = client(fake).projects.get("diskominfo/aplikasi")
    for n in range(5):
        project.issues.create({"title": f"issue {n}", "labels": "x"})
    fake.reset_log()
    found = project.issues.list(get_all=True, per_page=2, labels=["x"])
    assert len(found) == 5
    assert fake.count("GET", "/issues") == 3


def test_label_filter_requires_every_label(fake: FakeGitLab) -> None:
    """`labels=a,b` returns issues carrying both."""
    project = client(fake).projects.get("diskominfo/aplikasi")
    project.issues.create({"title": "both", "labels": "a,b"})
    project.issues.create({"title": "one", "labels": "a"})
    assert [i.title for i in project.issues.list(labels=["a", "b"], get_all=True)] == ["both"]


def test_duplicate_label_is_409(fake: FakeGitLab) -> None:
    """Creating a label twice answers 409 like GitLab."""
    project = client(fake).projects.get("diskominfo/aplikasi")
    project.labels.create({"name": "peran::Kasi", "color": "#1565C0"})
    with pytest.raises(GitlabCreateError) as caught:
        project.labels.create({"name": "peran::Kasi", "color": "#1565C0"})
    assert caught.value.response_code == 409


def test_wrong_token_is_401(fake: FakeGitLab) -> None:
    """A wrong token raises python-gitlab's authentication error."""
    wrong = gitlab.Gitlab(fake.url, private_token="glpat-wrong")
    with pytest.raises(GitlabAuthenticationError):
        wrong.projects.get("diskominfo/aplikasi")


def test_blocks_link_refused_on_free_and_epics_absent(fake: FakeGitLab) -> None:
    """Free: `blocks` links are 403 and group epics 404; `relates_to` works."""
    gl = client(fake)
    project = gl.projects.get("diskominfo/aplikasi")
    a = project.issues.create({"title": "a"})
    b = project.issues.create({"title": "b"})
    target = {"target_project_id": project.id, "target_issue_iid": b.iid}
    with pytest.raises(GitlabCreateError) as caught:
        a.links.create({**target, "link_type": "blocks"})
    assert caught.value.response_code == 403
    a.links.create({**target, "link_type": "relates_to"})
    with pytest.raises(gitlab.exceptions.GitlabListError) as missing:
        gl.groups.get("diskominfo", lazy=True).epics.list(get_all=False)
    assert missing.value.response_code == 404


def test_premium_epics_and_blocks() -> None:
    """Premium: epics are served, issues join them, `blocks` links work."""
    with FakeGitLab(tier="premium") as fake:
        fake.state.add_project("diskominfo/aplikasi")
        gl = client(fake)
        project = gl.projects.get("diskominfo/aplikasi")
        epic = gl.groups.get("diskominfo", lazy=True).epics.create({"title": "Permohonan"})
        a = project.issues.create({"title": "a", "epic_id": epic.id})
        b = project.issues.create({"title": "b"})
        a.links.create(
            {"target_project_id": project.id, "target_issue_iid": b.iid, "link_type": "blocks"}
        )
        assert a.epic["iid"] == epic.iid


def test_upload_returns_markdown(fake: FakeGitLab) -> None:
    """Uploads answer url, full_path and markdown as GitLab does."""
    project = client(fake).projects.get("diskominfo/aplikasi")
    uploaded = project.upload("rancangan-erd.png", filedata=b"png")
    assert uploaded["url"].startswith("/uploads/")
    assert uploaded["url"].endswith("/rancangan-erd.png")
    assert uploaded["markdown"] == f"![rancangan-erd]({uploaded['url']})"


def test_429_with_retry_after_is_retried(fake: FakeGitLab) -> None:
    """python-gitlab obeys 429 Retry-After; the log shows both requests."""
    gl = client(fake)
    fake.inject(429, retry_after=0)
    fake.reset_log()
    gl.projects.get("diskominfo/aplikasi")
    assert [entry.status for entry in fake.log] == [429, 200]


def test_502_is_retried_only_when_asked(fake: FakeGitLab) -> None:
    """With retry_transient_errors a 502 is retried; without, it is an error."""
    fake.inject(502)
    client(fake, retry_transient_errors=True).projects.get("diskominfo/aplikasi")
    assert [entry.status for entry in fake.log][-2:] == [502, 200]
    fake.inject(502)
    with pytest.raises(GitlabError):
        client(fake).projects.get("diskominfo/aplikasi")
