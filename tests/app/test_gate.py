"""The merge-request gate with GitLab's CI variables, against the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sop_sync.cli import run
from sop_sync.model.changes import Comment, Ref
from sop_sync.rules.gate import key_from_description
from tests.app.test_enforce import PROJECT, World, complete, world
from tests.fakes.gitlab import FakeGitLab


@pytest.fixture
def opened(tmp_path: Path) -> Iterator[tuple[World, FakeGitLab]]:
    """A Karanganyar request on the emulator, and the emulator itself."""
    with world("gitlab-free", "karanganyar", tmp_path) as w:
        fake = _fake_of(w)
        yield w, fake


def _fake_of(w: World) -> FakeGitLab:
    for candidate in FakeGitLab.running:
        if candidate.url == w.repo_base:
            return candidate
    raise AssertionError("emulator not found")


def ci_env(monkeypatch: pytest.MonkeyPatch, fake: FakeGitLab, iid: int, description: str) -> None:
    """GitLab's predefined variables of a merge-request pipeline, plus the masked token."""
    project = fake.state.project("diskominfo/aplikasi")
    assert project is not None
    monkeypatch.setenv("CI_PIPELINE_SOURCE", "merge_request_event")
    monkeypatch.setenv("CI_API_V4_URL", f"{fake.url}/api/v4")
    monkeypatch.setenv("CI_MERGE_REQUEST_PROJECT_ID", str(project["id"]))
    monkeypatch.setenv("CI_MERGE_REQUEST_IID", str(iid))
    monkeypatch.setenv("CI_MERGE_REQUEST_DESCRIPTION", description)
    monkeypatch.setenv("SOP_SYNC_GITLAB_TOKEN", fake.token)
    monkeypatch.setenv("SOP_SYNC_GITLAB_PROJECT", PROJECT)
    monkeypatch.setenv("SOP_SYNC_GITLAB_GROUP", "diskominfo")
    monkeypatch.setenv("COLUMNS", "200")


def test_gate_fails_before_sign_off_and_passes_after(
    opened: tuple[World, FakeGitLab],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Before the UAT sign-off the gate fails naming what is missing; afterwards it passes."""
    w, fake = opened
    project = fake.state.project("diskominfo/aplikasi")
    assert project is not None
    mr = fake.state.add_merge_request(project, "Fitur absensi", "Menambah absensi.\n\nSOP: uji")
    ci_env(monkeypatch, fake, mr["iid"], mr["description"])
    for number in range(1, 10):
        complete(w, number)
    assert run(["gate", "merge-request"]) == 1
    out = capsys.readouterr()
    assert "BELUM boleh digabung" in out.out
    assert "10 · Ujicoba operasional sistem informasi" in out.out
    assert "may NOT merge yet" in out.out
    assert out.err.startswith("error: merge request blocked: request 'uji'")
    w.act(Comment(Ref("uji", 10), "/sop setuju"), w.person("analis-sistem"))  # the developer
    assert run(["gate", "merge-request"]) == 1
    capsys.readouterr()
    complete(w, 10)
    assert run(["gate", "merge-request"]) == 0
    assert "boleh digabung" in capsys.readouterr().out


def test_gate_finds_the_request_from_the_issues_the_mr_closes(
    opened: tuple[World, FakeGitLab],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without a `SOP:` line, the request is found through an issue the MR closes."""
    w, fake = opened
    project = fake.state.project(PROJECT)
    assert project is not None
    step_iid = int(w.tracker.observe("uji").steps[9].tracker_id)
    mr = fake.state.add_merge_request(
        project, "Purwarupa", f"Closes #{step_iid}", closes=(step_iid,)
    )
    ci_env(monkeypatch, fake, mr["iid"], "")
    monkeypatch.setenv("CI_MERGE_REQUEST_PROJECT_ID", str(project["id"]))
    assert run(["gate", "merge-request"]) == 1
    assert "permohonan uji BELUM boleh digabung" in capsys.readouterr().out


def test_gate_without_a_request_says_how_to_name_it(
    opened: tuple[World, FakeGitLab],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An MR that names no request fails with the way to name one."""
    _, fake = opened
    project = fake.state.project("diskominfo/aplikasi")
    assert project is not None
    mr = fake.state.add_merge_request(project, "Lain", "tanpa keterangan")
    ci_env(monkeypatch, fake, mr["iid"], "tanpa keterangan")
    assert run(["gate", "merge-request"]) == 1
    assert "add a line `SOP: <kunci>`" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("SOP: absensi", "absensi"),
        ("x\n  sop:  Absensi-2  \ny", "absensi-2"),
        ("SOP absensi", None),
    ],
)
def test_key_line(text: str, key: str | None) -> None:
    """The `SOP: <kunci>` line is found case-insensitively on a line of its own."""
    assert key_from_description(text) == key
