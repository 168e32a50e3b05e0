"""Re-running the gate on a request's open merge requests, and explaining the ``SOP:`` line.

Against the GitLab emulator through python-gitlab: the requests in project
diskominfo/aplikasi-sop, the code (and its MRs) in diskominfo/aplikasi.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sop_sync.app.gate import explain_merge_request, explanation, rerun_gates
from sop_sync.trackers.base import Connection
from sop_sync.trackers.gitlab.merge_requests import GitLabMergeRequests
from tests.app.test_enforce import SETTINGS, FreshWorld, World, complete, world
from tests.app.test_gate import _fake_of
from tests.fakes.gitlab import FakeGitLab
from tests.fakes.gitlab.pipelines import start
from tests.fakes.gitlab.state import Json

CODE = "diskominfo/aplikasi"


@pytest.fixture
def opened(tmp_path: Path) -> Iterator[tuple[World, FakeGitLab]]:
    """A Karanganyar request ``uji`` on the emulator, and the emulator."""
    with world("gitlab-free", "karanganyar", tmp_path) as w:
        yield w, _fake_of(w)
        assert not _fake_of(w).errors, _fake_of(w).errors[0]


def connection(w: World) -> Connection:
    """A new run's connection, with GitLab as the code host."""
    assert isinstance(w, FreshWorld)
    w.check()  # a fresh adapter
    session = w.tracker.session  # type: ignore[union-attr]
    return Connection(w.tracker, w.repositories, GitLabMergeRequests(session))


def merge_request(fake: FakeGitLab, description: str, *, failed: bool = True) -> Json:
    """An MR in the code project whose gate failed (or that has no pipeline yet)."""
    project = fake.state.project(CODE)
    assert project is not None
    mr = fake.add_merge_request(CODE, "Fitur absensi", description)
    if failed:
        with fake.lock:
            start(fake.state, project, mr, fake.user, status="failed")
    return mr


def pipelines_of(fake: FakeGitLab, mr: Json) -> list[Json]:
    """The MR's pipelines, oldest first."""
    ref = f"refs/merge-requests/{mr['iid']}/head"
    return [p for p in fake.state.pipelines[mr["project_id"]] if p["ref"] == ref]


def signed_off(w: World) -> None:
    """Every step up to the UAT (10) done, the UAT signed off by the requesting agency."""
    for number in range(1, 11):
        complete(w, number)


def test_before_sign_off_nothing_is_rerun(opened: tuple[World, FakeGitLab]) -> None:
    """While the gate still fails, no pipeline is started."""
    w, fake = opened
    mr = merge_request(fake, "SOP: uji")
    assert rerun_gates(connection(w), SETTINGS, "uji") == []
    assert len(pipelines_of(fake, mr)) == 1


def test_after_sign_off_one_new_pipeline_and_a_second_call_starts_none(
    opened: tuple[World, FakeGitLab],
) -> None:
    """After the UAT sign-off the MR gets exactly one new pipeline, however often re-run."""
    w, fake = opened
    mr = merge_request(fake, "Menambah absensi.\n\nSOP: uji")
    other = merge_request(fake, "SOP: lain")
    signed_off(w)
    assert rerun_gates(connection(w), SETTINGS, "uji") == [mr["web_url"]]
    runs = pipelines_of(fake, mr)
    assert [p["status"] for p in runs] == ["failed", "created"]
    assert runs[-1]["source"] == "merge_request_event"
    assert rerun_gates(connection(w), SETTINGS, "uji") == []
    assert len(pipelines_of(fake, mr)) == 2
    assert len(pipelines_of(fake, other)) == 1  # another request's MR is left alone


def test_an_mr_without_a_pipeline_gets_one(opened: tuple[World, FakeGitLab]) -> None:
    """An MR that has never had a pipeline gets its first after the sign-off."""
    w, fake = opened
    mr = merge_request(fake, "SOP: uji", failed=False)
    signed_off(w)
    assert rerun_gates(connection(w), SETTINGS, "uji") == [mr["web_url"]]
    assert len(pipelines_of(fake, mr)) == 1


def test_an_mr_closing_a_step_issue_is_found(opened: tuple[World, FakeGitLab]) -> None:
    """Without a ``SOP:`` line, an MR closing one of the request's step issues is re-run."""
    w, fake = opened
    step_iid = int(w.tracker.observe("uji").steps[9].tracker_id)
    signed_off(w)
    tracker_project = fake.state.project("diskominfo/aplikasi-sop")
    assert tracker_project is not None
    with fake.lock:
        closing = fake.state.add_merge_request(
            tracker_project, "Purwarupa", f"Closes #{step_iid}", closes=(step_iid,)
        )
        start(fake.state, tracker_project, closing, fake.user, status="failed")
    merge_request(fake, f"Closes #{step_iid}")  # in the code project: closes nothing there
    assert rerun_gates(connection(w), SETTINGS, "uji") == [closing["web_url"]]


def test_a_refused_pipeline_falls_back_to_retrying_the_gate_job(
    opened: tuple[World, FakeGitLab],
) -> None:
    """Where GitLab refuses a new MR pipeline, the failed gate job is retried instead."""
    w, fake = opened
    mr = merge_request(fake, "SOP: uji")
    signed_off(w)
    fake.inject(403, path_contains="/pipelines", method="POST")
    assert rerun_gates(connection(w), SETTINGS, "uji") == [mr["web_url"]]
    [run] = pipelines_of(fake, mr)
    assert run["status"] == "pending"
    jobs = [j for j in fake.state.jobs[mr["project_id"]] if j["pipeline"]["id"] == run["id"]]
    assert [(j["status"], j["_retried"]) for j in jobs] == [("failed", True), ("pending", False)]
    assert fake.count("POST", "/retry") == 1
    assert rerun_gates(connection(w), SETTINGS, "uji") == []  # running again: nothing more


def test_explain_posts_once(opened: tuple[World, FakeGitLab]) -> None:
    """The explanation of the ``SOP:`` line is posted once per MR."""
    w, fake = opened
    mr = merge_request(fake, "tanpa keterangan")
    project = str(mr["project_id"])
    assert explain_merge_request(connection(w), project, mr["iid"]) is True
    assert explain_merge_request(connection(w), project, mr["iid"]) is False
    [note] = fake.state.notes[("merge_request", mr["project_id"], mr["iid"])]
    assert note["body"].startswith("**sop-sync:** merge request ini belum terhubung")
    assert "SOP: <kunci>" in note["body"]


def test_explanation_is_indonesian_then_english() -> None:
    """The note says how to add the ``SOP:`` line, in Indonesian first."""
    text = explanation()
    assert text.index("Tambahkan satu baris") < text.index("*English:*")
    assert "APL-12" in text


def test_jira_keys_name_merge_requests_on_gitlab(opened: tuple[World, FakeGitLab]) -> None:
    """With requests in Jira, an MR naming one of the request's Jira keys is the request's."""
    w, fake = opened
    titled = fake.add_merge_request(CODE, "APL-12: formulir absensi")
    branch = fake.add_merge_request(CODE, "Formulir")
    with fake.lock:
        branch["source_branch"] = "feature/apl-13-formulir"
    fake.add_merge_request(CODE, "APL-120 lain")  # another issue: not named
    code_host = connection(w).merge_requests
    assert code_host is not None
    found = code_host.open_for("absensi", issue_keys=("APL-12", "APL-13", "7"))
    assert sorted(mr.iid for mr in found) == [titled["iid"], branch["iid"]]
    assert all(mr.needs_rerun and mr.pipeline_id is None for mr in found)
