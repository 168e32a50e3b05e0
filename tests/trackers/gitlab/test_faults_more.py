"""A flaky GitLab, the remaining writes: a lost answer never makes a second object.

Each write is met by a 502 after GitLab carried it out (``after=True``): the webhook, the issue
template, an answer on a foreign issue, the explanation on a merge request, a new merge-request
pipeline and a retried gate job. And a step issue copied by an older sop-sync, linked to
nothing, is reported by ``status <kunci>`` and ``check <kunci>``.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import gitlab
import pytest

from sop_sync.cli import run as cli
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.trackers.gitlab.discussions import GitLabDiscussions
from sop_sync.trackers.gitlab.marker import attach, split
from sop_sync.trackers.gitlab.merge_requests import NOTE_MARK, GitLabMergeRequests
from sop_sync.trackers.gitlab.setup import ISSUE_TEMPLATE, install_issue_template, setup_project
from tests.fakes.gitlab import FakeGitLab
from tests.fakes.gitlab.pipelines import start
from tests.fakes.gitlab.state import Json, now
from tests.trackers.gitlab.conftest import PROJECT, SOP, emulator, open_request, project_id, run
from tests.trackers.gitlab.test_faults import session_on

CODE = "diskominfo/aplikasi"
HOOK = "https://sop.example.go.id/hooks/gitlab"


def test_a_webhook_whose_answer_is_lost_is_registered_once() -> None:
    """``gitlab setup --webhook-url``: the hook GitLab made before the 502 is found by its URL."""
    with emulator("free") as fake:
        fake.inject(502, 1, method="POST", path_contains="/hooks", after=True)
        done = setup_project(session_on(fake.url, fake.token), [SOP], HOOK, "rahasia")
        assert f"webhook {HOOK}" in done
        [hook] = fake.state.hooks[project_id(fake)]
        assert hook["url"] == HOOK


def test_an_issue_template_whose_answer_is_lost_is_committed_once() -> None:
    """The template file GitLab committed before the 502 is read back: success, no 400."""
    with emulator("free") as fake:
        fake.inject(502, 1, method="POST", path_contains="/repository/files", after=True)
        session = session_on(fake.url, fake.token)
        assert (
            install_issue_template(session, "## Permohonan\n") == f"issue template {ISSUE_TEMPLATE}"
        )
        assert fake.state.files[project_id(fake)][ISSUE_TEMPLATE] == b"## Permohonan\n"
        assert fake.count("POST", "/repository/files") == 1


def test_an_answer_on_a_foreign_issue_whose_answer_is_lost_is_posted_once() -> None:
    """The `/sop buka` answer: the bot's note carrying the reply tag is the one sent."""
    with emulator("free") as fake:
        gl = gitlab.Gitlab(fake.url, private_token=fake.token)
        issue = gl.projects.get(PROJECT).issues.create({"title": "Permohonan aplikasi"})
        ref = f"{PROJECT}#{issue.iid}"
        fake.inject(502, 1, method="POST", path_contains="/notes", after=True)
        GitLabDiscussions(session_on(fake.url, fake.token)).comment(ref, "Dibuka.", "55")
        [note] = fake.state.notes[("issue", project_id(fake), issue.iid)]
        assert note["body"].startswith("Dibuka.")
        assert note["body"].endswith("<!-- sop-sync:re 55 -->")


def _merge_request(fake: FakeGitLab, description: str) -> Json:
    """An MR in the code project whose latest pipeline (and gate job) failed."""
    fake.state.add_project(CODE)
    project = fake.state.project(CODE)
    assert project is not None
    mr = fake.add_merge_request(CODE, "Fitur absensi", description)
    with fake.lock:
        start(fake.state, project, mr, fake.user, status="failed")
    return mr


def _pipelines(fake: FakeGitLab, mr: Json) -> list[Json]:
    ref = f"refs/merge-requests/{mr['iid']}/head"
    return [p for p in fake.state.pipelines[mr["project_id"]] if p["ref"] == ref]


def test_an_explanation_whose_answer_is_lost_is_posted_once() -> None:
    """The explanation on an MR naming no request: found again by its hidden marker."""
    with emulator("free") as fake:
        mr = _merge_request(fake, "tanpa keterangan")
        code_host = GitLabMergeRequests(session_on(fake.url, fake.token))
        fake.inject(502, 1, method="POST", path_contains="/notes", after=True)
        assert code_host.explain(str(mr["project_id"]), mr["iid"], "Tambahkan SOP:") is True
        [note] = fake.state.notes[("merge_request", mr["project_id"], mr["iid"])]
        assert NOTE_MARK in note["body"]


def test_a_pipeline_whose_answer_is_lost_is_started_once() -> None:
    """A 502 after GitLab made the MR pipeline: it is found, no second pipeline, no job retry."""
    with emulator("free") as fake:
        mr = _merge_request(fake, "SOP: absensi")
        code_host = GitLabMergeRequests(session_on(fake.url, fake.token))
        [ref] = code_host.open_for("absensi")
        fake.inject(502, 1, method="POST", path_contains="/pipelines", after=True)
        code_host.rerun(ref)
        assert [p["status"] for p in _pipelines(fake, mr)] == ["failed", "created"]
        assert fake.count("POST", "/pipelines") == 1
        assert fake.count("POST", "/retry") == 0


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_pipeline_met_by_a_502_before_or_after_is_started_once(where: str) -> None:
    """Whether GitLab made the pipeline or not, exactly one new pipeline follows."""
    with emulator("free") as fake:
        mr = _merge_request(fake, "SOP: absensi")
        code_host = GitLabMergeRequests(session_on(fake.url, fake.token))
        [ref] = code_host.open_for("absensi")
        fake.inject(502, 1, method="POST", path_contains="/pipelines", after=where == "after")
        code_host.rerun(ref)
        assert len(_pipelines(fake, mr)) == 2


def test_a_gate_job_retry_whose_answer_is_lost_is_sent_once() -> None:
    """GitLab refuses a new pipeline; the job retry's answer is lost: one retried job."""
    with emulator("free") as fake:
        mr = _merge_request(fake, "SOP: absensi")
        code_host = GitLabMergeRequests(session_on(fake.url, fake.token))
        [ref] = code_host.open_for("absensi")
        fake.inject(403, 1, method="POST", path_contains="/pipelines")
        fake.inject(502, 1, method="POST", path_contains="/retry", after=True)
        code_host.rerun(ref)
        [run] = _pipelines(fake, mr)
        jobs = [j for j in fake.state.jobs[mr["project_id"]] if j["pipeline"]["id"] == run["id"]]
        assert [(j["status"], j["_retried"]) for j in jobs] == [
            ("failed", True),
            ("pending", False),
        ]


# --- a copy made by an older version, linked to nothing (Free) ------------------------------


def _as_made_by_an_old_version(fake: FakeGitLab) -> str:
    """Make the request look older: no ``aman`` mark, a second step 1 linked to nothing.

    The copy goes straight into GitLab's state, as python-gitlab's blind resend left it; the
    copy's URL is returned.
    """
    issues = fake.state.issues[project_id(fake)]
    with fake.lock:
        for issue in issues.values():
            text, marker = split(issue["description"])
            if marker is not None and marker.step is None:
                assert marker.safe  # made by this version
                issue["description"] = attach(text, replace(marker, safe=False))
        step = min(
            (i for i in issues.values() if (m := split(i["description"])[1]) and m.step == 1),
            key=lambda i: i["iid"],
        )
        made = {"id": fake.state.next_id("issues"), "iid": max(issues) + 1, "created_at": now()}
        twin = copy.deepcopy(step) | made
        issues[twin["iid"]] = twin
        return str(fake.state.issue_json(twin)["web_url"])


def test_a_new_request_is_marked_and_read_through_its_links() -> None:
    """A request this version makes carries ``aman``; ``observe`` reads its links, no more."""
    with emulator("free") as fake:
        open_request(fake)
        parents = [
            m for i in fake.state.issues[project_id(fake)].values()
            if (m := split(i["description"])[1]) is not None and m.step is None
        ]  # fmt: skip
        assert [m.safe for m in parents] == [True]
        assert '"aman": true' in attach("", parents[0])
        tracker = run(fake)
        fake.reset_log()
        assert len(tracker.observe("absensi").steps) == len(SOP.steps)
        assert fake.count("GET", "/links") == 1
        assert not any("created_after" in entry.query for entry in fake.requests)


def test_a_copy_left_by_an_old_version_is_reported_by_status_and_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``status absensi`` and ``check absensi`` report the unlinked copy of step 1."""
    with emulator("free") as fake:
        open_request(fake)
        twin = _as_made_by_an_old_version(fake)
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("SOP_SYNC_MAPPINGS", str(BUNDLED_MAPPINGS))
        monkeypatch.setenv("SOP_SYNC_GITLAB_URL", fake.url)
        monkeypatch.setenv("SOP_SYNC_GITLAB_TOKEN", fake.token)
        monkeypatch.setenv("SOP_SYNC_GITLAB_PROJECT", PROJECT)
        monkeypatch.setenv("COLUMNS", "300")
        for args in (["status", "absensi"], ["check", "absensi"]):
            fake.reset_log()
            assert cli([*args, "--tracker", "gitlab"]) == 0, args
            lines = [x for x in capsys.readouterr().out.splitlines() if x.startswith("warning")]
            [line] = lines
            assert "absensi langkah 01 is on 2 objects: " in line
            assert f"(used: the oldest) and {twin} (close" in line
            assert fake.count("GET", "/links") == 0  # the label listing replaced it
