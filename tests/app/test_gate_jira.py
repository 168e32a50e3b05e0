"""The merge-request gate with the requests kept in Jira (Cloud and DC emulators), run as in CI.

The code is on GitLab, the requests in Jira: the job reads the MR's title, description and
source branch from GitLab's CI variables and needs only the Jira credentials.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sop_sync.app.gate import explain_merge_request, rerun_gates, run_gate
from sop_sync.cli import run
from sop_sync.config import JiraSettings, Settings
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.trackers.jira.connect import connect
from tests.app.test_enforce import complete
from tests.trackers.jira.backends import tracker_on
from tests.trackers.jira.test_rules_on_jira import JiraWorld, world

FLAVOURS = ["cloud", "dc"]


@pytest.fixture(params=FLAVOURS)
def jira_world(request: pytest.FixtureRequest) -> Iterator[JiraWorld]:
    """A Karanganyar request ``uji`` in Jira project APL."""
    with world(request.param, "karanganyar") as w:
        yield w


def ci_env(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    w: JiraWorld,
    *,
    title: str = "Fitur absensi",
    description: str = "",
    branch: str = "fitur-absensi",
) -> None:
    """GitLab's variables of a merge-request pipeline, and the Jira settings and token."""
    monkeypatch.chdir(tmp_path)  # no sop-sync.yaml: settings from the environment only
    for name, value in {
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_API_V4_URL": "https://gitlab.example.go.id/api/v4",
        "CI_MERGE_REQUEST_PROJECT_ID": "7",
        "CI_MERGE_REQUEST_IID": "3",
        "CI_MERGE_REQUEST_TITLE": title,
        "CI_MERGE_REQUEST_DESCRIPTION": description,
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": branch,
        "SOP_SYNC_TRACKER": "jira",
        "SOP_SYNC_JIRA_URL": w.fake.url,
        "SOP_SYNC_JIRA_PROJECT": "APL",
        "SOP_SYNC_JIRA_TOKEN": w.fake.token,
        "SOP_SYNC_MAPPINGS": str(BUNDLED_MAPPINGS),
        "COLUMNS": "200",
    }.items():
        monkeypatch.setenv(name, value)
    if w.fake.state.cloud:
        monkeypatch.setenv("SOP_SYNC_JIRA_EMAIL", w.fake.email)
    else:
        monkeypatch.delenv("SOP_SYNC_JIRA_EMAIL", raising=False)
    for name in ("SOP_SYNC_GITLAB_TOKEN", "GITLAB_TOKEN", "SOP_SYNC_CONFIG"):
        monkeypatch.delenv(name, raising=False)  # the job needs no GitLab API


def test_key_in_the_title_fails_before_sign_off_and_passes_after(
    jira_world: JiraWorld,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A step's Jira key in the title: blocked with the reasons until UAT is signed off."""
    w = jira_world
    step = w.step(9).tracker_id
    ci_env(monkeypatch, tmp_path, w, title=f"{step}: formulir absensi")
    for number in range(1, 10):
        complete(w, number)
    assert run(["gate", "merge-request"]) == 1
    out = capsys.readouterr()
    assert "permohonan uji BELUM boleh digabung" in out.out
    assert "10 · Ujicoba operasional sistem informasi" in out.out
    assert "may NOT merge yet" in out.out
    assert out.err.startswith("error: merge request blocked: request 'uji'")
    complete(w, 10)
    assert run(["gate", "merge-request"]) == 0
    assert "permohonan uji: UAT disetujui, boleh digabung" in capsys.readouterr().out


def test_key_in_the_source_branch_finds_the_epic(
    jira_world: JiraWorld,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The epic's key in a lower-case branch name names the request."""
    w = jira_world
    epic = tracker_epic(w)
    ci_env(monkeypatch, tmp_path, w, branch=f"feature/{epic.lower()}-absensi")
    assert run(["gate", "merge-request"]) == 1
    assert "permohonan uji BELUM boleh digabung" in capsys.readouterr().out


def test_key_in_the_description_and_a_sop_line(
    jira_world: JiraWorld,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A Jira key in the description names the request; so does a ``SOP:`` line."""
    w = jira_world
    step = w.step(3).tracker_id
    ci_env(monkeypatch, tmp_path, w, description=f"Menambah absensi.\n\nTerkait {step}.")
    assert run(["gate", "merge-request"]) == 1
    assert "permohonan uji BELUM" in capsys.readouterr().out
    ci_env(monkeypatch, tmp_path, w, description="SOP: uji")
    assert run(["gate", "merge-request"]) == 1
    assert "permohonan uji BELUM" in capsys.readouterr().out


def test_an_unknown_issue_is_one_clear_line(
    jira_world: JiraWorld,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An MR naming an issue that is no request's fails with one line naming it."""
    ci_env(monkeypatch, tmp_path, jira_world, title="APL-999 perbaikan")
    assert run(["gate", "merge-request"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("error: merge request !3 names APL-999: no request in Jira project APL")


def test_an_mr_naming_nothing_says_how_to_name_it(
    jira_world: JiraWorld,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No ``SOP:`` line and no Jira key: the way to name the request, exit 1."""
    ci_env(monkeypatch, tmp_path, jira_world, title="Perbaikan", branch="perbaikan")
    assert run(["gate", "merge-request"]) == 1
    err = capsys.readouterr().err
    assert "add a line `SOP: <kunci>`" in err
    assert "a Jira key (APL-12)" in err


def tracker_epic(w: JiraWorld) -> str:
    """The Jira key of the request's epic."""
    epic = tracker_on(w.fake).observe("uji", history=False).epic
    assert epic is not None
    return epic.tracker_id


def test_without_a_code_host_the_service_reruns_and_explains_nothing(
    jira_world: JiraWorld,
) -> None:
    """Requests in Jira, no GitLab configured: no MR is known, nothing is posted, no error."""
    w = jira_world
    for number in range(1, 11):
        complete(w, number)
    jira = JiraSettings(url=w.fake.url, project="APL")
    settings = Settings(mappings=BUNDLED_MAPPINGS, tracker=jira)
    env = {"SOP_SYNC_JIRA_TOKEN": w.fake.token}
    if w.fake.state.cloud:
        env["SOP_SYNC_JIRA_EMAIL"] = w.fake.email
    connection = connect(jira, environ=env)
    try:
        assert run_gate(connection, settings, "uji").passed
        assert rerun_gates(connection, settings, "uji") == []
        assert explain_merge_request(connection, "7", 3) is False
    finally:
        connection.close()
