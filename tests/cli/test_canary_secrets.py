"""Canary secrets: run every command with secret values set and find none in any output.

The canaries are set as the tokens and the webhook secret, embedded in a tracker URL as a
password, and sent back by the tracker in an error body; whatever a command prints (stdout,
stderr, a traceback with SOP_SYNC_DEBUG) must not contain them.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sop_sync.resources import BUNDLED_MAPPINGS
from tests.fakes.gitlab import FakeGitLab

CANARY = "glpat-CANARY0secret0token"
PASSWORD = "CANARY0password"
WEBHOOK = "CANARY0webhook0secret"
PROJECT = "diskominfo/aplikasi-sop"


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    """A GitLab emulator that knows no canary token (every call with it is a 401)."""
    with FakeGitLab(tier="free") as running:
        running.state.add_project(PROJECT)
        yield running


def _run(args: list[str], env: dict[str, str], cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "sop_sync", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )
    return result.stdout + result.stderr


COMMANDS = [
    ["sop", "list"],
    ["schedule", "bali", "--mulai", "2026-12-01"],
    ["open", "bali", "--judul", "Aplikasi", "--mulai", "2026-12-01"],
    ["status"],
    ["sync"],
    ["check"],
    ["gate", "merge-request"],
    ["gitlab", "setup", PROJECT, "--webhook-url", "https://sop.example.go.id/hook"],
    ["open", "bali", "--judul", "Aplikasi", "--tracker", "gitlab"],
    ["status", "--tracker", "gitlab"],
    ["check", "--tracker", "gitlab"],
    ["jira", "setup", "APL"],
    ["service", "status"],
    ["service", "reconcile", "--tracker", "gitlab"],
    ["serve", "--tracker", "gitlab", "--port", "9"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(args[:2]))
@pytest.mark.parametrize("debug", ["", "1"], ids=["plain", "debug"])
def test_no_command_prints_a_secret(
    fake: FakeGitLab, tmp_path: Path, args: list[str], debug: str
) -> None:
    """Tokens with stray line ends, a URL password and the webhook secret never appear."""
    host = fake.url.split("://", 1)[1]
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "SOP_SYNC_DB": str(tmp_path / "t.db"),
        "SOP_SYNC_MAPPINGS": str(BUNDLED_MAPPINGS),
        "SOP_SYNC_GITLAB_URL": f"http://sari:{PASSWORD}@{host}",
        "SOP_SYNC_GITLAB_TOKEN": CANARY + "\r\n",
        "SOP_SYNC_GITLAB_PROJECT": PROJECT,
        "SOP_SYNC_WEBHOOK_SECRET": WEBHOOK,
        "SOP_SYNC_INBOX": f"postgresql://sop:{PASSWORD}@127.0.0.1:9/sop",
        "SOP_SYNC_JIRA_URL": f"http://dinas:{PASSWORD}@127.0.0.1:9",
        "SOP_SYNC_JIRA_TOKEN": CANARY,
        "CI_API_V4_URL": f"http://{host}/api/v4",
        "CI_PROJECT_PATH": PROJECT,
        "CI_MERGE_REQUEST_IID": "1",
        "CI_MERGE_REQUEST_PROJECT_ID": "1",
        "COLUMNS": "200",
    }
    if debug:
        env["SOP_SYNC_DEBUG"] = debug
    output = _run(args, env, tmp_path)
    for secret in (CANARY, PASSWORD, WEBHOOK):
        assert secret not in output, output


def test_a_token_with_a_line_break_inside_is_one_line_without_it(tmp_path: Path) -> None:
    """A token broken by a pasted newline: one line naming the variable, exit 1."""
    env = {
        "PATH": "/usr/bin:/bin",
        "SOP_SYNC_MAPPINGS": str(BUNDLED_MAPPINGS),
        "SOP_SYNC_GITLAB_URL": "http://127.0.0.1:9",
        "SOP_SYNC_GITLAB_TOKEN": "glpat-CANARY\n0secret",
        "SOP_SYNC_GITLAB_PROJECT": PROJECT,
    }
    result = subprocess.run(
        [sys.executable, "-m", "sop_sync", "status", "--tracker", "gitlab"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: SOP_SYNC_GITLAB_TOKEN holds a space, a line break or a control character "
        "inside the token: copy the token again (its value is not shown)"
    ]
    assert "CANARY" not in result.stdout + result.stderr
