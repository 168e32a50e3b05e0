"""The CLI with `--tracker gitlab` against the GitLab emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sop_sync.cli import run
from sop_sync.resources import BUNDLED_MAPPINGS
from tests.fakes.gitlab import FakeGitLab

PROJECT = "diskominfo/aplikasi-sop"
OPEN = [
    "open",
    "bali",
    "--tracker",
    "gitlab",
    "--judul",
    "Aplikasi Perizinan",
    "--mulai",
    "2026-12-01",
]


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitLab]:
    """An emulator named through the environment, as a user would configure it."""
    with FakeGitLab(tier="free") as running:
        running.state.add_project(PROJECT)
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("SOP_SYNC_MAPPINGS", str(BUNDLED_MAPPINGS))
        monkeypatch.setenv("SOP_SYNC_GITLAB_URL", running.url)
        monkeypatch.setenv("SOP_SYNC_GITLAB_TOKEN", running.token)
        monkeypatch.setenv("SOP_SYNC_GITLAB_PROJECT", PROJECT)
        monkeypatch.setenv("COLUMNS", "200")
        yield running


def test_open_status_sync_on_gitlab(fake: FakeGitLab, capsys: pytest.CaptureFixture[str]) -> None:
    """open, status and sync work with --tracker gitlab; sync of an unchanged request reads only."""
    assert run(OPEN) == 0
    assert "opened aplikasi-perizinan" in capsys.readouterr().out
    assert run(["status", "--tracker", "gitlab"]) == 0
    assert "aplikasi-perizinan" in capsys.readouterr().out
    fake.reset_log()
    assert run(["sync", "--tracker", "gitlab"]) == 0
    assert fake.count() == fake.count("GET")
    assert "1 requests checked" in capsys.readouterr().out


def test_setup_is_idempotent_and_registers_the_webhook(
    fake: FakeGitLab, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`gitlab setup` makes labels, turns on pipelines-must-succeed, adds the hook; then nothing."""
    monkeypatch.setenv("SOP_SYNC_WEBHOOK_SECRET", "rahasia-uji")
    args = ["gitlab", "setup", PROJECT, "--webhook-url", "https://sop.example.go.id/hook"]
    assert run(args) == 0
    assert "Pipelines must succeed: on" in capsys.readouterr().out
    project = fake.state.project(PROJECT)
    assert project is not None
    assert project["only_allow_merge_if_pipeline_succeeds"] is True
    [hook] = fake.state.hooks[project["id"]]
    assert hook["token"] == "rahasia-uji"
    assert hook["note_events"] is True
    assert "peran:Kasi AI" in fake.state.labels[project["id"]]
    fake.reset_log()
    assert run(args) == 0
    assert "already set up" in capsys.readouterr().out
    assert fake.count() == fake.count("GET")


def test_setup_webhook_needs_secret_from_environment(
    fake: FakeGitLab, capsys: pytest.CaptureFixture[str]
) -> None:
    """The webhook secret is taken only from the environment."""
    assert run(["gitlab", "setup", PROJECT, "--webhook-url", "https://x.example/h"]) == 1
    assert "SOP_SYNC_WEBHOOK_SECRET" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("SOP_SYNC_GITLAB_TOKEN", "glpat-salah", "HTTP 401"),
        ("SOP_SYNC_GITLAB_PROJECT", "tidak/ada", "opening project 'tidak/ada': HTTP 404"),
        ("SOP_SYNC_GITLAB_HIERARCHY", "epic", "set `tracker.hierarchy: issue`"),
    ],
)
def test_user_errors_are_one_line_exit_1(
    fake: FakeGitLab,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    setting: str,
    value: str,
    message: str,
) -> None:
    """Wrong token, unknown project, epics on Free: one clear line, exit code 1."""
    monkeypatch.setenv(setting, value)
    monkeypatch.setenv("SOP_SYNC_GITLAB_GROUP", "diskominfo")
    assert run(OPEN) == 1
    err = capsys.readouterr().err.strip()
    assert message in err
    assert len(err.splitlines()) == 1
    assert fake.token not in err


def test_rate_limit_exhausted_is_one_line_exit_1(
    fake: FakeGitLab, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rate limit that outlasts the retries: one clear line, exit code 1."""
    fake.inject(429, times=100, retry_after=0)
    assert run(OPEN) == 1
    err = capsys.readouterr().err.strip()
    assert "rate limit is exhausted" in err
    assert len(err.splitlines()) == 1


def test_token_never_printed(fake: FakeGitLab, capsys: pytest.CaptureFixture[str]) -> None:
    """No output of a run, failed or not, contains the token."""
    assert run(OPEN) == 0
    fake.inject(500, times=3, path_contains="/issues")
    assert run(["sync", "--tracker", "gitlab"]) == 0  # retried, then fine
    fake.inject(403, times=1, path_contains="/projects")
    assert run(["sync", "--tracker", "gitlab"]) == 1
    captured = capsys.readouterr()
    assert "HTTP 403" in captured.err
    assert fake.token not in captured.out + captured.err
