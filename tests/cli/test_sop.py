"""The command line: each command's output and exit code, errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sop_sync.cli import run
from sop_sync.resources import BUNDLED_MAPPINGS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich tables laid out on a wide terminal so cells are not cut."""
    monkeypatch.setenv("COLUMNS", "200")


def test_sop_list_names_all_five(capsys: pytest.CaptureFixture[str]) -> None:
    """`sop list` shows each bundled SOP with its step count."""
    assert run(["sop", "list", "--mappings", str(BUNDLED_MAPPINGS)]) == 0
    out = capsys.readouterr().out
    for sop_id, steps in [("bali", 7), ("bkd-jateng", 13), ("karanganyar", 14), ("egov", 14)]:
        assert any(line.split()[:2] == [sop_id, str(steps)] for line in out.splitlines())


def test_sop_show_renders_identity_and_procedure(capsys: pytest.CaptureFixture[str]) -> None:
    """`sop show` prints the identity block and every step."""
    assert run(["sop", "show", "bali", "--mappings", str(BUNDLED_MAPPINGS)]) == 0
    out = capsys.readouterr().out
    assert "050/313/SOP/IAI/D.KOMINFOS/2021" in out
    assert "Nama SOP" in out
    assert "1- 2 Jam" in out


def test_sop_validate_folder_passes(capsys: pytest.CaptureFixture[str]) -> None:
    """`sop validate mappings/` passes for all five seed SOPs."""
    assert run(["sop", "validate", str(BUNDLED_MAPPINGS)]) == 0
    assert capsys.readouterr().out.count("ok  ") == 5


def test_sop_flow_prints_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    """`sop flow` prints a Mermaid flowchart with Ya/Tidak edges for seed 000."""
    assert run(["sop", "flow", "bkd-jateng", "--mappings", str(BUNDLED_MAPPINGS)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart TB\n")
    assert "s2 -->|Ya| s3" in out
    assert "s2 -->|Tidak| s4" in out


def test_plan_with_decision(capsys: pytest.CaptureFixture[str]) -> None:
    """`plan --keputusan 2=tidak` shows step 4, not step 3, and the total in working days."""
    args = ["plan", "bkd-jateng", "--mulai", "2026-12-01", "--keputusan", "2=tidak"]
    assert run([*args, "--mappings", str(BUNDLED_MAPPINGS)]) == 0
    out = capsys.readouterr().out
    rows = [line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│")]
    numbers = [row for row in rows if row]
    assert "4" in numbers
    assert "3" not in numbers
    assert "Total: 16 hari kerja" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "nope"], "error: unknown SOP 'nope' in"),
        (["plan", "bali", "--mulai", "1-12-2026"], "error: malformed date '1-12-2026'"),
        (["plan", "bali", "--keputusan", "2=mungkin"], "error: malformed --keputusan"),
        (
            ["plan", "bali", "--keputusan", "3=ya"],
            "error: --keputusan: step 3 of SOP 'bali' is not a decision step "
            "(it has no decision step)",
        ),
        (
            ["schedule", "bkd-jateng", "--keputusan", "99=tidak"],
            "error: --keputusan: SOP 'bkd-jateng' has no step 99 (its decision steps: 2, 8)",
        ),
        (
            ["schedule", "bali", "--mulai", "2026-02-30"],
            "error: no such date '2026-02-30': day is out of range for month",
        ),
        (["sop", "show", "nope"], "error: unknown SOP 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad input gives one clear line on stderr and exit code 1."""
    assert run([*args, "--mappings", str(BUNDLED_MAPPINGS)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert len(err.strip().splitlines()) == 1


def test_unknown_option_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An option the command does not have exits 2 (the parser's usage error)."""
    assert run(["plan", "bali", "--tidak-ada"]) == 2
    assert "No such option" in capsys.readouterr().err


def test_console_script_runs() -> None:
    """The installed `sop-sync` entry point runs as a process and exits 0."""
    result = subprocess.run(
        [sys.executable, "-m", "sop_sync", "sop", "list"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "karanganyar" in result.stdout


def test_sop_show_is_readable_on_a_narrow_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """At 80 columns (or piped) the procedure is a row per step: no column is cut to `Keg…`."""
    monkeypatch.setenv("COLUMNS", "80")
    assert run(["sop", "show", "bali", "--mappings", str(BUNDLED_MAPPINGS)]) == 0
    out = capsys.readouterr().out
    assert "Keg…" not in out
    assert "┃ Kegiatan" in out
    assert "Pelaksana" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    flat = " ".join(" ".join(line.strip("│ ").split()) for line in out.splitlines())
    assert "Kasubag TU melalui Sekretaris" in flat


def test_sop_show_lists_reconstruction_notes(capsys: pytest.CaptureFixture[str]) -> None:
    """`catatan` (how a row was reconstructed) is shown with its step."""
    assert run(["sop", "show", "bkd-jateng", "--mappings", str(BUNDLED_MAPPINGS)]) == 0
    out = capsys.readouterr().out
    assert out.count("Catatan:") == 13  # every row of seed 000 was reconstructed
    assert "Catatan: Tanda pelaksana hilang" in out


def test_a_role_without_a_column_is_not_a_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A `kolom: false` performer is named with its steps, not drawn as a column."""
    text = (BUNDLED_MAPPINGS / "bali.yaml").read_text(encoding="utf-8")
    text = text.replace("    nama: PD\n", "    nama: PD\n    kolom: false\n", 1)
    (tmp_path / "bali.yaml").write_text(text, encoding="utf-8")
    assert run(["sop", "show", "bali", "--mappings", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if "Kegiatan" in line)
    assert "PD" not in header.split("Kegiatan")[1].split("Kelengkapan")[0]
    assert "Pelaksana lain: PD" in out
