"""What the README promises a user, end to end through the CLI on a real local tracker.

Each test here failed before the fix it documents (issue 9: "broken promises").
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from sop_sync.cli import run
from sop_sync.model.tracker import State
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.trackers.local.facade import LocalTracker
from tests.cli.test_requests import OPEN

BKD = [
    "open", "bkd-jateng", "--judul", "Sistem Informasi Kepegawaian", "--kunci", "simpeg",
    "--mulai", "2026-12-01", "--peran", "jfu=joko", "--peran", "kasubbid=siti",
    "--peran", "kabid=bambang",
]  # fmt: skip


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local tracker file in a temporary folder, chosen through the environment."""
    path = tmp_path / "tracker.db"
    monkeypatch.setenv("SOP_SYNC_DB", str(path))
    monkeypatch.setenv("SOP_SYNC_MAPPINGS", str(BUNDLED_MAPPINGS))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    return path


def _without_key(args: list[str]) -> list[str]:
    index = args.index("--kunci")
    return args[:index] + args[index + 2 :]


def test_open_again_without_a_key_finds_the_same_request(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Re-running `open` with the same SOP and title converges instead of opening `x-2`."""
    args = _without_key(OPEN)
    assert run(args) == 0
    assert run(args) == 0
    assert "aplikasi-absensi-pegawai: 0 changes applied" in capsys.readouterr().out
    assert [s.key for s in LocalTracker(db).requests()] == ["aplikasi-absensi-pegawai"]


def test_open_again_keeps_what_it_does_not_say(db: Path) -> None:
    """A second `open` without --mulai or --peran keeps the request's start and people."""
    assert run(OPEN) == 0
    assert run(["open", "karanganyar", "--judul", "Aplikasi Absensi Pegawai", "--kunci",
                "absensi"]) == 0  # fmt: skip
    [summary] = LocalTracker(db).requests()
    assert summary.data["mulai"] == "2026-12-01"
    assert '"analis-sistem": ["sari"]' in summary.data["peran"]


def test_moving_the_start_of_a_started_request_needs_jadwal_ulang(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another --mulai is refused once a step is done.

    With --jadwal-ulang, done steps keep their due date and open steps move.
    """
    assert run(OPEN) == 0
    before = LocalTracker(db).observe("absensi")
    assert run(["issue", "close", "absensi", "1", "--as", "andi"]) == 0
    moved = [*OPEN[:-4], "--mulai", "2026-12-08", *OPEN[-2:]]
    capsys.readouterr()
    assert run(moved) == 1
    assert capsys.readouterr().err.strip() == (
        "error: request 'absensi' started on 2026-12-01 and steps 1 are done; starting it on "
        "2026-12-08 moves the due date of every open step: add --jadwal-ulang to do that "
        "(done steps keep theirs)"
    )
    assert run([*moved, "--jadwal-ulang"]) == 0
    after = LocalTracker(db).observe("absensi")
    assert after.steps[1].state is State.CLOSED
    assert after.steps[1].due == before.steps[1].due
    assert after.steps[2].due is not None
    assert before.steps[2].due is not None
    assert after.steps[2].due > before.steps[2].due


def test_open_takes_a_mappings_folder(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`open --mappings` reads SOPs from the folder given, like `schedule` and `sop` do."""
    monkeypatch.delenv("SOP_SYNC_MAPPINGS")
    folder = tmp_path / "sop-dinas"
    folder.mkdir()
    shutil.copy(BUNDLED_MAPPINGS / "bali.yaml", folder / "bali.yaml")
    assert run(["open", "bali", "--judul", "Aplikasi", "--mappings", str(folder)]) == 0


def test_an_unknown_sop_says_where_sop_sync_looked(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`status` of a request whose SOP is not in the mappings folder says how to point there."""
    assert run(OPEN) == 0
    empty = tmp_path / "kosong"
    empty.mkdir()
    monkeypatch.setenv("SOP_SYNC_MAPPINGS", str(empty))
    capsys.readouterr()
    assert run(["status", "absensi"]) == 1
    err = capsys.readouterr().err
    assert f"unknown SOP 'karanganyar' in {empty}" in err
    assert "SOP_SYNC_MAPPINGS" in err
    assert "--mappings" in err


def test_status_and_check_name_a_skipped_step_alike(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A branch not taken is `dilewati` in `status` and `check`, and is not counted as done."""
    assert run(BKD) == 0
    assert run(["issue", "comment", "simpeg", "2", "/sop keputusan tidak", "--as", "joko"]) == 0
    assert run(["check", "simpeg", "--fix"]) == 0
    capsys.readouterr()
    assert run(["status", "simpeg"]) == 0
    tree = capsys.readouterr().out
    line = next(line for line in tree.splitlines() if "03 Menganalisis keterkaitan" in line)
    assert "dilewati" in line
    assert "selesai" not in line
    assert "0/12 langkah selesai (1 dilewati)" in tree
    assert run(["check", "simpeg"]) == 0
    table = capsys.readouterr().out
    assert "dilewati" in table


def test_answer_and_sign_off_become_labels(db: Path) -> None:
    """An answered decision carries `keputusan::tidak`; changing it swaps the label."""
    assert run(BKD) == 0
    assert run(["issue", "comment", "simpeg", "2", "/sop keputusan tidak", "--as", "joko"]) == 0
    assert run(["check", "simpeg", "--fix"]) == 0
    labels = LocalTracker(db).observe("simpeg").steps[2].labels
    assert "keputusan::tidak" in labels
    assert "keputusan::ya" not in labels
    assert run(["issue", "comment", "simpeg", "2", "/sop keputusan ya", "--as", "joko"]) == 0
    assert run(["check", "simpeg", "--fix"]) == 0
    labels = LocalTracker(db).observe("simpeg").steps[2].labels
    assert "keputusan::ya" in labels
    assert "keputusan::tidak" not in labels


def test_a_mistyped_command_is_answered_once(db: Path) -> None:
    """`/sop keputusn ya` gets one reply naming the known commands; a second check adds none."""
    assert run(BKD) == 0
    assert run(["issue", "comment", "simpeg", "2", "/sop keputusn ya", "--as", "joko"]) == 0
    assert run(["check", "simpeg", "--fix"]) == 0
    assert run(["check", "simpeg", "--fix"]) == 0
    notes = LocalTracker(db).observe("simpeg").steps[2].notes
    replies = [n for n in notes if n.author == "sop-sync"]
    assert len(replies) == 1
    assert "`/sop keputusn` tidak dikenal" in replies[0].body
    assert "`/sop keputusan ya`" in replies[0].body
    assert replies[0].in_reply_to == notes[0].id


def test_a_command_the_step_does_not_take_is_answered(db: Path) -> None:
    """`/sop koreksi` on a step without a koreksi is answered, not silently ignored."""
    assert run(BKD) == 0
    assert run(["issue", "comment", "simpeg", "1", "/sop koreksi ulangi", "--as", "joko"]) == 0
    assert run(["check", "simpeg", "--fix"]) == 0
    notes = LocalTracker(db).observe("simpeg").steps[1].notes
    assert [n.body for n in notes if n.author == "sop-sync"] == [
        "Perintah dari @joko diabaikan: langkah ini tidak memeriksa langkah lain, jadi tidak "
        "dapat mengoreksi."
    ]


def test_closing_a_step_is_a_role_holders_act(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A step closed by someone without its role is a violation.

    --fix reopens it, naming who may close it.
    """
    assert run([*OPEN, "--peran", "seksi-psi=andi"]) == 0
    assert run(["issue", "close", "absensi", "1", "--as", "mallory"]) == 0
    capsys.readouterr()
    assert run(["check", "absensi"]) == 1
    assert "ditutup oleh @mallory" in capsys.readouterr().out
    assert run(["check", "absensi", "--fix"]) == 0
    step = LocalTracker(db).observe("absensi").steps[1]
    assert step.state is State.OPEN
    assert "yang boleh menutup: Seksi Pengembangan Sistem Informasi" in step.notes[-1].body


def test_closing_rule_can_be_turned_off_per_sop(db: Path, tmp_path: Path) -> None:
    """`closing.not_for` lets anyone close the steps of the SOPs it names."""
    (tmp_path / "sop-sync.yaml").write_text("closing:\n  not_for: [karanganyar]\n")
    assert run([*OPEN, "--peran", "seksi-psi=andi"]) == 0
    assert run(["issue", "close", "absensi", "1", "--as", "mallory"]) == 0
    assert run(["check", "absensi"]) == 0


def test_schedule_uses_the_agency_calendar(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`schedule` honours closures in sop-sync.yaml, as `open` does: 1–2 Dec closed -> 3 Dec."""
    (tmp_path / "sop-sync.yaml").write_text("calendar:\n  closures: [2026-12-01, 2026-12-02]\n")
    assert run(["schedule", "karanganyar", "--mulai", "2026-12-01"]) == 0
    first = next(line for line in capsys.readouterr().out.splitlines() if "│  1 │" in line)
    assert "03-12-2026 07:30" in first


def test_a_deadline_for_the_whole_procedure(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`batas_waktu` shows on the epic and makes `status` say TERLAMBAT once it has passed."""
    folder = tmp_path / "sop"
    folder.mkdir()
    text = (BUNDLED_MAPPINGS / "bali.yaml").read_text(encoding="utf-8")
    (folder / "bali.yaml").write_text(text + "batas_waktu: 3 hari kerja\n", encoding="utf-8")
    monkeypatch.setenv("SOP_SYNC_MAPPINGS", str(folder))
    assert run(["open", "bali", "--judul", "Perizinan", "--kunci", "izin", "--mulai",
                "2020-01-06"]) == 0  # fmt: skip
    epic = LocalTracker(db).observe("izin").epic
    assert epic is not None
    assert "| Batas waktu SOP | Rabu, 8 Januari 2020 pukul 15.00 (3 hari kerja sejak mulai) |" in (
        epic.description
    )
    capsys.readouterr()
    assert run(["status", "izin"]) == 0
    assert "batas waktu SOP 08-01-2020 TERLAMBAT" in capsys.readouterr().out
    assert dt.date.today() > dt.date(2020, 1, 8)


def test_status_marks_late_steps_and_phases_in_working_days(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`status <kunci>` counts lateness in hari kerja, per step and per phase, as the report."""
    assert run([*OPEN[:-4], "--mulai", "2020-01-06", *OPEN[-2:]]) == 0
    capsys.readouterr()
    assert run(["status", "absensi"]) == 0
    tree = capsys.readouterr().out
    first = next(line for line in tree.splitlines() if "01 Identifikasi kebutuhan" in line)
    assert re.search(r"TERLAMBAT \d+ hari kerja", first)
    phase = next(line for line in tree.splitlines() if "fase Analisis Kebutuhan" in line)
    assert re.search(r"tenggat \d\d-\d\d-2020 · terlambat \d+ hari kerja \(belum selesai\)", phase)
