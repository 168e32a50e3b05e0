"""Request commands end to end through the CLI on a real local tracker."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sop_sync.cli import run
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.trackers.local.facade import LocalTracker

OPEN = [
    "open",
    "karanganyar",
    "--judul",
    "Aplikasi Absensi Pegawai",
    "--kunci",
    "absensi",
    "--pemohon",
    "BKD",
    "--mulai",
    "2026-12-01",
    "--peran",
    "analis-sistem=sari",
]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local tracker file in a temporary folder, chosen through the environment."""
    path = tmp_path / "tracker.db"
    monkeypatch.setenv("SOP_SYNC_DB", str(path))
    monkeypatch.setenv("SOP_SYNC_MAPPINGS", str(BUNDLED_MAPPINGS))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    return path


def counts(path: Path) -> dict[str, int]:
    """Rows per table: what a command wrote."""
    if not path.exists():
        return {}
    db = sqlite3.connect(path)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}  # noqa: S608


def test_open_then_status(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`open` creates the request; `status` shows the overview and the tree."""
    assert run(OPEN) == 0
    assert "opened absensi" in capsys.readouterr().out
    assert run(["status"]) == 0
    assert "absensi" in capsys.readouterr().out
    assert run(["status", "absensi"]) == 0
    tree = capsys.readouterr().out
    assert "07 Pembuatan Data Flow Diagram" in tree
    assert "bukti: Diagram Hubungan Entitas (ERD) — ✘ kurang" in tree


def test_open_twice_writes_nothing_the_second_time(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The second `open` of the same request applies no change."""
    assert run(OPEN) == 0
    before = counts(db)
    capsys.readouterr()
    assert run(OPEN) == 0
    assert "absensi: 0 changes applied" in capsys.readouterr().out
    assert counts(db) == before


def test_dry_run_prints_plan_and_changes_nothing(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--dry-run` lists the changes and leaves the database without a request."""
    assert run([*OPEN, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "create absensi langkah 07" in out
    assert "nothing written" in out
    assert counts(db).get("issues", 0) == 0


def test_issue_commands_act_as_a_person(db: Path, tmp_path: Path) -> None:
    """`issue close|reopen|comment|attach` record the person given with --as."""
    assert run(OPEN) == 0
    dfd = tmp_path / "dfd.png"
    dfd.write_bytes(b"png")
    assert run(["issue", "comment", "absensi", "7", "Rancangan siap", "--as", "sari"]) == 0
    assert run(["issue", "attach", "absensi", "7", str(dfd), "--as", "sari"]) == 0
    assert run(["issue", "close", "absensi", "7", "--as", "sari"]) == 0
    assert run(["issue", "reopen", "absensi", "7", "--as", "andi"]) == 0
    step = LocalTracker(db).observe("absensi").steps[7]
    assert [(n.author, n.body) for n in step.notes] == [("sari", "Rancangan siap")]
    assert step.attachments[0].filename == "dfd.png"
    assert [(e.actor, e.action) for e in step.events][-2:] == [
        ("sari", "closed"),
        ("andi", "reopened"),
    ]


def test_request_file(db: Path, tmp_path: Path) -> None:
    """A request file gives the same fields as the flags."""
    file = tmp_path / "permohonan.yaml"
    file.write_text(
        "sop: bali\njudul: Aplikasi Perizinan\npemohon: DPMPTSP\nmulai: 2026-12-01\n"
        "peran:\n  kasi-ai: wayan\n",
        encoding="utf-8",
    )
    assert run(["open", "bali", "--file", str(file)]) == 0
    [summary] = LocalTracker(db).requests()
    assert summary.key == "aplikasi-perizinan"
    assert summary.data["pemohon"] == "DPMPTSP"
    assert summary.data["peran"] == '{"kasi-ai": ["wayan"]}'


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["open", "nope", "--judul", "X"], "error: unknown SOP 'nope'"),
        ([*OPEN, "--peran", "juru-masak=budi"], "error: unknown role 'juru-masak' for SOP"),
        ([*OPEN[:-4], "--mulai", "01/12/2026"], "error: malformed date '01/12/2026'"),
        (["open", "karanganyar", "--kunci", "absensi"], "error: a request needs a title"),
        (["open", "karanganyar", "--judul", "X", "--kunci", "A B"], "error: malformed --kunci"),
        (["status", "tidak-ada"], "error: no request 'tidak-ada'"),
        (["issue", "close", "tidak-ada", "1", "--as", "x"], "error: no request 'tidak-ada'"),
        (
            [*OPEN, "--peran", "analis-sistem=sari;pd-pengampu=mallory"],
            "error: malformed username 'sari;pd-pengampu=mallory' for role 'analis-sistem'",
        ),
        (
            ["open", "karanganyar", "--judul", "X", "--kunci", "ab\n"],
            "error: malformed --kunci 'ab\\n'",
        ),
        (["open", "karanganyar", "--judul", "   "], "error: a request needs a title"),
    ],
)
def test_bad_input_is_one_line_exit_1_nothing_written(
    db: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad input: one clear line, exit code 1, no request written."""
    assert run(args) == 1
    err = capsys.readouterr().err
    assert err.startswith(message), err
    assert len(err.strip().splitlines()) == 1
    assert counts(db).get("issues", 0) == 0


def test_existing_key_with_other_sop_is_refused(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Reusing a key on another SOP is refused and the first request is untouched."""
    assert run(OPEN) == 0
    before = counts(db)
    capsys.readouterr()
    assert run(["open", "bali", "--judul", "Lain", "--kunci", "absensi"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == (
        "error: request 'absensi' already exists with SOP 'karanganyar'; choose another --kunci"
    )
    assert counts(db) == before


def test_corrupted_database_is_one_line_exit_1(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A corrupted tracker file: one line naming it, exit 1, the file left as it was."""
    db.write_bytes(b"garbage" * 500)
    assert run(OPEN) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {db}: cannot open the local tracker")
    assert len(err.strip().splitlines()) == 1
    assert db.read_bytes() == b"garbage" * 500


def test_locked_database_is_one_line_exit_1(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A database locked by another process: one line, exit 1, nothing half-written."""
    assert run(OPEN) == 0
    before = counts(db)
    capsys.readouterr()
    other = sqlite3.connect(db, isolation_level=None, timeout=0)
    other.execute("BEGIN EXCLUSIVE")
    try:
        assert run(["issue", "close", "absensi", "1", "--as", "andi"]) == 1
    finally:
        other.execute("ROLLBACK")
        other.close()
    err = capsys.readouterr().err
    assert "locked by another sop-sync process" in err
    assert len(err.strip().splitlines()) == 1
    assert counts(db) == before


def test_sync_reports_requests_checked(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`sync` on unchanged requests applies nothing and says how many it checked."""
    assert run(OPEN) == 0
    capsys.readouterr()
    assert run(["sync"]) == 0
    assert capsys.readouterr().out.strip() == "1 requests checked"


def test_demo_runs_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`demo` opens a request, walks steps and prints the status tree."""
    assert run(["demo", "--folder", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    assert "absensi · Aplikasi Absensi Pegawai · SOP karanganyar · 3/14 langkah selesai" in out
    assert "bukti: Diagram Alir Data (DFD) — ✔ ada (absensi-dfd.png)" in out


def test_check_reports_violation_and_fix_restores(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check` exits 1 on a step closed out of order; `--fix` reopens it and exits by what remains.

    After the fix nothing is closed against the SOP, so `--fix` itself exits 0.
    """
    assert run(OPEN) == 0
    assert run(["check", "absensi"]) == 0
    assert run(["issue", "close", "absensi", "5", "--as", "sari"]) == 0
    capsys.readouterr()
    assert run(["check", "absensi"]) == 1
    out = capsys.readouterr()
    assert "MELANGGAR" in out.out
    assert "corrective changes: run with --fix" in out.out
    assert out.err.strip() == "error: SOP violated in: absensi"
    assert run(["check", "absensi", "--fix"]) == 0
    fixed = capsys.readouterr().out
    assert "reopen absensi langkah 05" in fixed
    assert "absensi: fixed; no step is closed against the SOP" in fixed
    assert run(["check", "absensi"]) == 0
