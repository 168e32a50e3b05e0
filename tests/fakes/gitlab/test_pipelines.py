"""The GitLab emulator's merge-request lists, notes, pipelines and jobs, through python-gitlab."""

from __future__ import annotations

from collections.abc import Iterator

import gitlab
import pytest
from gitlab.exceptions import GitlabJobRetryError

from tests.fakes.gitlab import FakeGitLab
from tests.fakes.gitlab.pipelines import finish, start

PATH = "diskominfo/aplikasi"


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    """An emulator with one project and two merge requests in it."""
    with FakeGitLab() as running:
        running.add_project(PATH)
        running.add_merge_request(PATH, "Fitur absensi", "SOP: absensi")
        running.add_merge_request(PATH, "Perbaikan", "tanpa keterangan")
        yield running
        assert not running.errors, running.errors[0]


def client(fake: FakeGitLab) -> gitlab.Gitlab:
    """python-gitlab pointed at the emulator."""
    return gitlab.Gitlab(fake.url, private_token=fake.token)


def test_merge_requests_are_listed_by_group_project_and_instance(fake: FakeGitLab) -> None:
    """Group and project lists default to every MR; the instance list to the caller's own."""
    gl = client(fake)
    group = gl.groups.get("diskominfo", lazy=True)
    assert [mr.iid for mr in group.mergerequests.list(state="opened", get_all=True)] == [2, 1]
    found = gl.projects.get(PATH, lazy=True).mergerequests.list(search="SOP: absensi")
    assert [mr.iid for mr in found] == [1]
    assert gl.mergerequests.list(state="opened", get_all=True) == []  # created_by_me
    assert len(gl.mergerequests.list(state="opened", scope="all", get_all=True)) == 2
    assert gl.mergerequests.list(state="merged", scope="all", get_all=True) == []


def test_a_merge_request_pipeline_has_a_gate_job(fake: FakeGitLab) -> None:
    """Creating an MR pipeline answers 201 with it; its one job is the gate, ``created``."""
    project = client(fake).projects.get(PATH, lazy=True)
    made = project.mergerequests.get(1, lazy=True).pipelines.create()
    assert made.attributes["ref"] == "refs/merge-requests/1/head"
    assert made.attributes["source"] == "merge_request_event"
    [latest] = project.mergerequests.get(1, lazy=True).pipelines.list(per_page=1, page=1)
    assert latest.id == made.id
    [job] = project.pipelines.get(made.id, lazy=True).jobs.list()
    assert (job.name, job.status, job.pipeline["id"]) == ("sop-sync-gate", "created", made.id)


def test_a_failed_job_is_retried_once(fake: FakeGitLab) -> None:
    """Retrying a failed job adds a pending one; the retried one is listed only on request."""
    record = fake.state.project(PATH)
    assert record is not None
    with fake.lock:
        pipeline = start(fake.state, record, fake.state.merge_requests[record["id"]][1], fake.user)
        finish(fake.state, record, pipeline, "failed")
    project = client(fake).projects.get(PATH, lazy=True)
    jobs = project.pipelines.get(pipeline["id"], lazy=True).jobs
    [failed] = jobs.list()
    again = project.jobs.get(failed.id, lazy=True).retry()
    assert again["status"] == "pending"
    assert again["id"] != failed.id
    assert [j.status for j in jobs.list()] == ["pending"]
    assert [j.status for j in jobs.list(include_retried=True)] == ["pending", "failed"]
    with pytest.raises(GitlabJobRetryError) as refused:
        project.jobs.get(again["id"], lazy=True).retry()  # still running: not retryable
    assert refused.value.response_code == 403


def test_merge_request_notes(fake: FakeGitLab) -> None:
    """A note on an MR is created by the token's user and listed back."""
    mr = client(fake).projects.get(PATH, lazy=True).mergerequests.get(2, lazy=True)
    note = mr.notes.create({"body": "Tambahkan baris `SOP: <kunci>`."})
    assert note.attributes["noteable_type"] == "MergeRequest"
    assert note.attributes["author"]["username"] == "sop-sync-bot"
    assert [n.body for n in mr.notes.list()] == ["Tambahkan baris `SOP: <kunci>`."]
