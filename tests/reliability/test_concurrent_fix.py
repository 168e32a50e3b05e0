"""Concurrent ``check --fix`` runs never post the same comment twice (issue 10, authority).

Real processes on a real local tracker file. Each child sleeps between judging the request and
applying its fixes (``SOP_SYNC_TEST_AT_SLEEP`` at ``app.enforce:fix``), so without the request
lock every child would judge the same early close and each would reopen it with its own
comment; with the lock the second child judges the tracker as the first left it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sop_sync.cli import run
from sop_sync.resources import BUNDLED_MAPPINGS
from tests.reliability.harness import CHILD

OPEN = [
    "open", "karanganyar", "--judul", "Aplikasi Absensi Pegawai", "--kunci", "absensi",
    "--pemohon", "BKD", "--mulai", "2026-12-01", "--peran", "analis-sistem=sari",
]  # fmt: skip
RUNS = 3
"""Concurrent ``check --fix`` processes per round."""


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local tracker file chosen through the environment (the children inherit it)."""
    path = tmp_path / "tracker.db"
    monkeypatch.setenv("SOP_SYNC_DB", str(path))
    monkeypatch.setenv("SOP_SYNC_MAPPINGS", str(BUNDLED_MAPPINGS))
    monkeypatch.chdir(tmp_path)
    return path


def sop_sync_comments(db: Path) -> list[str]:
    """Bodies of the notes sop-sync wrote (the notes' author is the process's own account)."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT body FROM notes WHERE system = 0 AND author = 'sop-sync' ORDER BY id"
        ).fetchall()
    return [body for (body,) in rows]


def fix_at_once(count: int) -> list[subprocess.CompletedProcess[str]]:
    """Start ``count`` ``check absensi --fix`` children together; wait for all."""
    env = {
        **os.environ,
        "SOP_SYNC_TEST_AT": "sop_sync.app.enforce:fix",
        "SOP_SYNC_TEST_AT_SLEEP": "0.4",
    }
    children = [
        subprocess.Popen(
            [sys.executable, str(CHILD), "check", "absensi", "--fix"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    done = []
    for child in children:
        out, err = child.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(child.args, child.returncode, out, err))
    return done


def test_concurrent_fixes_post_one_comment_per_violation(db: Path) -> None:
    """Two rounds of an early close, each met by three fixers at once: two reopen comments."""
    assert run(OPEN) == 0
    before = len(sop_sync_comments(db))
    for round_no in range(2):
        assert run(["issue", "close", "absensi", "5", "--as", "sari"]) == 0
        started = time.monotonic()
        results = fix_at_once(RUNS)
        for result in results:
            assert result.returncode == 0, result.stderr
            assert "Traceback" not in result.stderr
        # every run after the first waited for the lock, then found nothing to fix
        assert time.monotonic() - started >= 0.4 * RUNS * 0.9
        fixed = [r for r in results if "absensi: fixed" in r.stdout]
        assert len(fixed) == 1, [r.stdout for r in results]
        comments = sop_sync_comments(db)[before:]
        assert len(comments) == round_no + 1, comments
