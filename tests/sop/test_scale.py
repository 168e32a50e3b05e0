"""SOP validation stays near-linear in the number of steps, and the lookups stay exact.

A generated SOP of 8,000 steps (decisions, corrections, approvals, phases of 100 steps) must
load and pass every check in well under 5 s; before the lookups were indexed it took 25 s.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sop_sync.cli import run
from sop_sync.errors import SopFileError
from sop_sync.sop.flow import default_next, path, reachable
from sop_sync.sop.loader import load_sop, parse_sop
from sop_sync.sop.model import END
from tests.sop.test_loader import VALID

ROLES = ("analis", "pengembang", "penguji", "kepala", "pd")


def generated_sop(steps: int, sop_id: str = "besar") -> str:
    """An SOP of ``steps`` steps: every 10th a decision, every 25th a correction, phases of 100."""
    lines = [f"id: {sop_id}", "nama: SOP besar", "instansi:", "  - Dinas Uji", "pelaksana:"]
    for role in ROLES:
        lines += [f"  - id: {role}", f"    nama: Peran {role}"]
    lines.append("fase:")
    for first in range(1, steps + 1, 100):
        last = min(first + 99, steps)
        lines += [
            f"  - id: fase-{first}",
            f"    nama: Fase {first}",
            f"    dari: {first}",
            f"    sampai: {last}",
        ]
    lines.append("langkah:")
    for number in range(1, steps + 1):
        lines += [
            f"  - no: {number}",
            f"    kegiatan: Kegiatan nomor {number}",
            f"    pelaksana: [{ROLES[number % len(ROLES)]}]",
            "    waktu: 1-2 jam",
            f"    output: Hasil {number}",
        ]
        if number % 10 == 0 and number + 2 <= steps:
            lines += [
                "    keputusan:",
                f"      pertanyaan: Lanjut ke {number + 1}?",
                f"      ya: {number + 1}",
                f"      tidak: {number + 2}",
            ]
        if number % 25 == 0 and number > 3:
            lines += ["    koreksi:", f"      ke: {number - 3}"]
        if number % 7 == 0:
            lines += [
                "    bukti:",
                "      - jenis: persetujuan",
                "        nama: Persetujuan",
                "        peran: kepala",
            ]
    return "\n".join(lines) + "\n"


def test_8000_steps_validate_in_well_under_5_seconds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sop validate` of 8,000 generated steps: a regression guard with a generous limit."""
    file = tmp_path / "besar.yaml"
    file.write_text(generated_sop(8000), encoding="utf-8")
    began = time.perf_counter()
    code = run(["sop", "validate", str(file)])
    took = time.perf_counter() - began
    out = capsys.readouterr().out
    with capsys.disabled():
        print(f"\nsop validate, 8,000 steps: {took:.2f} s")  # noqa: T201 - the figure to report
    assert code == 0, out
    assert "8000 langkah" in out
    assert took < 5, f"{took:.1f} s"


def test_lookups_follow_a_copied_sop(tmp_path: Path) -> None:
    """Indexed lookups see the steps and roles of a copy, not those of the original."""
    file = tmp_path / "contoh.yaml"
    file.write_text(VALID, encoding="utf-8")
    sop = load_sop(file)
    assert sop.step(3).activity == "Rancang sistem"
    assert sop.role("kasi").name == "Kasi"
    first = sop.steps[0]
    renumbered = first.model_copy(update={"number": 9, "activity": "Baru"})
    copy = sop.model_copy(update={"steps": (*sop.steps, renumbered)})
    assert copy.step(9).activity == "Baru"
    assert default_next(copy, copy.step(4)) == 9
    assert default_next(sop, sop.step(4)) == END
    with pytest.raises(KeyError):
        sop.step(9)
    role = sop.roles[1].model_copy(update={"id": "kabid"})
    other = sop.model_copy(update={"roles": (sop.roles[0], role)})
    assert other.role("kabid").name == "Kasi"
    with pytest.raises(KeyError):
        other.role("kasi")
    assert copy == sop.model_copy(update={"steps": (*sop.steps, renumbered)})


def test_default_next_skips_gaps_and_follows_numbers_not_rows(tmp_path: Path) -> None:
    """The next row is the next higher number, whatever the order the rows are written in."""
    text = (
        VALID.replace("  - no: 3\n", "  - no: 30\n")
        .replace("ya: 3\n", "ya: 30\n")
        .replace("dari: 3\n", "dari: 4\n")
        .replace("sampai: 4\n", "sampai: 30\n")
    )
    file = tmp_path / "contoh.yaml"
    file.write_text(text, encoding="utf-8")
    sop = load_sop(file)
    assert default_next(sop, sop.step(1)) == 2
    assert default_next(sop, sop.step(4)) == 30
    assert default_next(sop, sop.step(30)) == END
    assert path(sop) == (1, 2, 30)
    assert reachable(sop) == {1, 2, 30, 4}


def test_phase_of_is_the_first_phase_listed(tmp_path: Path) -> None:
    """Each step's phase is found by its number; a number no phase covers has none."""
    file = tmp_path / "contoh.yaml"
    file.write_text(VALID, encoding="utf-8")
    sop = load_sop(file)
    assert [getattr(sop.phase_of(n), "id", None) for n in (1, 2, 3, 4, 5)] == [
        "awal",
        "awal",
        "akhir",
        "akhir",
        None,
    ]


@pytest.mark.parametrize(
    ("phases", "message"),
    [
        (
            "  - {id: a, nama: A, dari: 1, sampai: 3}\n  - {id: b, nama: B, dari: 3, sampai: 4}\n",
            "contoh.yaml:12 (fase[1]): step 3 is already in phase 'a'",
        ),
        (
            "  - {id: a, nama: A, dari: 2, sampai: 3}\n  - {id: b, nama: B, dari: 1, sampai: 4}\n",
            "contoh.yaml:12 (fase[1]): step 2 is already in phase 'a' "
            "(2 of its steps are in earlier phases)",
        ),
    ],
)
def test_overlapping_phases_are_one_problem_per_phase(
    tmp_path: Path, phases: str, message: str
) -> None:
    """A phase over steps an earlier phase holds: named once, at the phase, with the count."""
    start, end = VALID.index("fase:\n") + len("fase:\n"), VALID.index("langkah:")
    file = tmp_path / "contoh.yaml"
    file.write_text(VALID[:start] + phases + VALID[end:], encoding="utf-8")
    with pytest.raises(SopFileError) as caught:
        load_sop(file)
    assert [p.replace(f"{tmp_path}/", "") for p in caught.value.problems] == [message]


def test_many_overlapping_phases_are_checked_in_linear_time() -> None:
    """2,000 phases each over all 2,000 steps: one problem per phase, in well under a second."""
    phases = "".join(f"  - {{id: f{n}, nama: F{n}, dari: 1, sampai: 2000}}\n" for n in range(2000))
    text = generated_sop(2000)
    start, end = text.index("fase:\n") + len("fase:\n"), text.index("langkah:")
    began = time.perf_counter()
    with pytest.raises(SopFileError) as caught:
        parse_sop(text[:start] + phases + text[end:], "besar.yaml")
    took = time.perf_counter() - began
    assert len(caught.value.problems) == 1999
    assert caught.value.problems[0].endswith(
        "(fase[1]): step 1 is already in phase 'f0' (2000 of its steps are in earlier phases)"
    )
    assert took < 3, f"{took:.1f} s"
