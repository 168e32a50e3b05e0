"""Loading SOP files: every broken variant names file, line and key path, exit code 1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sop_sync.cli import run
from sop_sync.errors import SopFileError
from sop_sync.sop.durations import Unit
from sop_sync.sop.loader import format_key_path, load_sop

VALID = """\
id: contoh
nama: Contoh SOP
instansi:
  - Dinas Contoh
pelaksana:
  - id: analis
    nama: Analis Sistem
  - id: kasi
    nama: Kasi
fase:
  - id: awal
    nama: Awal
    dari: 1
    sampai: 2
  - id: akhir
    nama: Akhir
    dari: 3
    sampai: 4
langkah:
  - no: 1
    kegiatan: Identifikasi kebutuhan
    pelaksana: [analis]
    waktu: 2 jam
  - no: 2
    kegiatan: Periksa kebutuhan
    pelaksana: [kasi]
    waktu: 1 hari kerja
    keputusan:
      pertanyaan: Kebutuhan lengkap?
      ya: 3
      tidak: 4
  - no: 3
    kegiatan: Rancang sistem
    pelaksana: [analis]
    waktu: 3 hari
    koreksi:
      ke: 1
  - no: 4
    kegiatan: Tutup
    pelaksana: [kasi]
    waktu: 30 menit
"""


def write(tmp_path: Path, text: str) -> Path:
    """Write ``text`` as ``contoh.yaml`` and return its path."""
    path = tmp_path / "contoh.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> list[str]:
    """The problems reported for ``text``, with the temp folder cut from file names."""
    with pytest.raises(SopFileError) as caught:
        load_sop(write(tmp_path, text))
    return [p.replace(str(tmp_path) + "/", "") for p in caught.value.problems]


def test_baseline_loads(tmp_path: Path) -> None:
    """The baseline loads with its four steps and parsed times."""
    sop = load_sop(write(tmp_path, VALID))
    assert [s.number for s in sop.steps] == [1, 2, 3, 4]
    assert sop.step(3).time.maximum == 3


BROKEN = [
    pytest.param(
        VALID.replace("    waktu: 2 jam\n", "    waktu: [2 jam\n"),
        "contoh.yaml:24: YAML syntax error: expected ',' or ']', but got ':'",
        id="yaml-syntax",
    ),
    pytest.param(
        VALID.replace("    waktu: 2 jam\n", "    waktu: 2 jam\n    durasi: 2 jam\n"),
        "contoh.yaml:24 (langkah[0].durasi): unknown key 'durasi'",
        id="unknown-key",
    ),
    pytest.param(
        VALID.replace("  - no: 3\n", "  - no: tiga\n"),
        "contoh.yaml:32 (langkah[2].no): should be a whole number, got 'tiga'",
        id="wrong-type",
    ),
    pytest.param(
        VALID.replace(
            "    pelaksana: [analis]\n    waktu: 3 hari", "    pelaksana: [pd]\n    waktu: 3 hari"
        ),
        "contoh.yaml:34 (langkah[2].pelaksana[0]): unknown role 'pd' (roles: analis, kasi)",
        id="unknown-role",
    ),
    pytest.param(
        VALID + "  - no: 3\n    kegiatan: Lagi\n    pelaksana: [kasi]\n",
        "contoh.yaml:42 (langkah[4].no): step number 3 is used twice (also langkah[2])",
        id="duplicate-step-number",
    ),
    pytest.param(
        VALID.replace("      tidak: 4\n", "      tidak: 9\n"),
        "contoh.yaml:31 (langkah[1].keputusan.tidak): step 9 does not exist",
        id="branch-to-missing-step",
    ),
    pytest.param(
        VALID.replace("      ke: 1\n", "      ke: 7\n"),
        "contoh.yaml:37 (langkah[2].koreksi.ke): step 7 does not exist",
        id="correction-to-missing-step",
    ),
    pytest.param(
        VALID.replace("      ya: 3\n      tidak: 4\n", "      ya: 4\n      tidak: 4\n"),
        "contoh.yaml:32 (langkah[2]): step 3 can never be reached from step 1",
        id="unreachable-step",
    ),
    pytest.param(
        VALID.replace("    koreksi:\n      ke: 1\n", "    lanjut: 1\n"),
        "contoh.yaml:36 (langkah[2].lanjut): goes back to step 1: a loop must be declared as "
        "'koreksi: {ke: 1}'",
        id="undeclared-loop",
    ),
    pytest.param(
        VALID.replace("    waktu: 30 menit\n", "    waktu: sebentar\n"),
        "contoh.yaml:41 (langkah[3].waktu): cannot read the time 'sebentar'; write it like "
        "'2 jam', '1-2 jam', '1,5 jam', '30 menit', '3 hari kerja', '7 hari kalender', "
        "'1 minggu', 'Tentatif' or 'Selama sistem informasi digunakan'",
        id="unreadable-time",
    ),
    pytest.param(
        VALID.replace("    kegiatan: Tutup\n", ""),
        "contoh.yaml:38 (langkah[3].kegiatan): missing key 'kegiatan'",
        id="missing-key",
    ),
    pytest.param(
        VALID.replace(
            "  - no: 2\n    kegiatan: Periksa", "  - no: 2\n    no: 5\n    kegiatan: Periksa"
        ),
        "contoh.yaml:25 (langkah[1].no): key 'no' appears twice",
        id="duplicate-key",
    ),
    pytest.param(
        VALID.replace("    dari: 3\n", "    dari: 4\n"),
        "contoh.yaml:32 (langkah[2].no): step 3 is in no phase ('fase')",
        id="step-in-no-phase",
    ),
    pytest.param(
        VALID.replace("  - id: analis\n", "  - id: Analis Sistem\n").replace("[analis]", "[kasi]"),
        "contoh.yaml:6 (pelaksana[0].id): should be an id of lower-case letters, digits and '-' "
        "(like 'analis-sistem'), got 'Analis Sistem'",
        id="role-id-in-words",
    ),
    pytest.param(
        VALID.replace(
            "    pelaksana: [analis]\n    waktu: 2 jam", "    pelaksana: []\n    waktu: 2 jam"
        ),
        "contoh.yaml:22 (langkah[0].pelaksana): needs at least one item",
        id="no-performer",
    ),
    pytest.param(
        VALID.replace("    waktu: 30 menit\n", "    waktu: 30 menit\n    lanjut: sesai\n"),
        "contoh.yaml:42 (langkah[3].lanjut): should be a step number or 'selesai', got 'sesai'",
        id="misspelt-end",
    ),
    pytest.param(
        VALID + "batas_waktu: Tentatif\n",
        "contoh.yaml:42 (batas_waktu): batas_waktu needs a fixed time such as '28 hari kerja'",
        id="deadline-not-fixed",
    ),
]


@pytest.mark.parametrize(("text", "message"), BROKEN)
def test_broken_file_names_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    """Each broken variant gives exactly one message naming file, line and key path."""
    assert problems_of(tmp_path, text) == [message]


@pytest.mark.parametrize(("text", "message"), BROKEN)
def test_validate_command_prints_message_and_exits_1(
    tmp_path: Path, text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sop-sync sop validate FILE` prints the message (no traceback) and exits 1."""
    path = write(tmp_path, text)
    assert run(["sop", "validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"error: {tmp_path}/{message}" in " ".join(err.split("\n"))
    assert "Traceback" not in err


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    """Independent problems in one file are reported together, in file order."""
    text = VALID.replace("    waktu: 2 jam\n", "    waktu: 2 jem\n").replace(
        "    waktu: 30 menit\n", "    wakt: 30 menit\n"
    )
    assert [p.split(" ")[0] for p in problems_of(tmp_path, text)] == [
        "contoh.yaml:23",
        "contoh.yaml:41",
    ]


def test_id_must_match_file_name(tmp_path: Path) -> None:
    """The id is how commands find the file, so it must equal the file stem."""
    assert problems_of(tmp_path, VALID.replace("id: contoh", "id: lain")) == [
        "contoh.yaml:1 (id): the id 'lain' must match the file name 'contoh'"
    ]


def test_yaml_key_no_is_not_a_boolean(tmp_path: Path) -> None:
    """`no:` is a step number, not YAML 1.1's False."""
    assert load_sop(write(tmp_path, VALID)).steps[0].number == 1


def test_key_path_format() -> None:
    """Key paths read like the YAML: list indexes in brackets, keys after dots."""
    assert format_key_path(("langkah", 3, "waktu")) == "langkah[3].waktu"
    assert format_key_path(("fase",)) == "fase"


def test_deadline_and_columnless_role_load(tmp_path: Path) -> None:
    """`batas_waktu` reads as a duration; a role with `kolom: false` is still a role."""
    text = VALID.replace("    nama: Kasi\n", "    nama: Kasi\n    kolom: false\n")
    sop = load_sop(write(tmp_path, text + "batas_waktu: 1 minggu\n"))
    assert sop.deadline is not None
    assert (sop.deadline.maximum, sop.deadline.unit) == (5, Unit.HARI_KERJA)
    assert not sop.role("kasi").column
    assert sop.role("analis").column


HOSTILE = [
    pytest.param(
        VALID.replace("nama: Contoh SOP", 'nama: "   "'),
        "contoh.yaml:2 (nama): should not be blank",
        id="blank-sop-name",
    ),
    pytest.param(
        VALID.replace("    nama: Kasi\n", '    nama: "  "\n'),
        "contoh.yaml:9 (pelaksana[1].nama): should not be blank",
        id="blank-role-name",
    ),
    pytest.param(
        VALID.replace("    kegiatan: Tutup\n", '    kegiatan: "\\t \\n"\n'),
        "contoh.yaml:39 (langkah[3].kegiatan): should not be blank",
        id="blank-activity",
    ),
    pytest.param(
        VALID.replace("      pertanyaan: Kebutuhan lengkap?\n", "      pertanyaan: ' '\n"),
        "contoh.yaml:29 (langkah[1].keputusan.pertanyaan): should not be blank",
        id="blank-question",
    ),
    pytest.param(
        VALID.replace("    nama: Akhir\n", "    nama: ''\n"),
        "contoh.yaml:16 (fase[1].nama): should not be blank",
        id="empty-phase-name",
    ),
    pytest.param(
        VALID.replace("    waktu: 2 jam\n", "    waktu: 100000000000000000000 hari\n"),
        "contoh.yaml:23 (langkah[0].waktu): the time '100000000000000000000 hari' is longer "
        "than 40 years (at most 10400 hari kerja)",
        id="time-of-10^20-days",
    ),
    pytest.param(
        VALID + "batas_waktu: 100000000000000000000 hari\n",
        "contoh.yaml:42 (batas_waktu): the time '100000000000000000000 hari' is longer than "
        "40 years (at most 10400 hari kerja)",
        id="deadline-of-10^20-days",
    ),
    pytest.param(
        VALID.replace("  - no: 4\n", "  - no: 99999999999999999999\n"),
        "contoh.yaml:38 (langkah[3].no): the number 99999999999999999999 is too large "
        "(more than 18 digits)",
        id="step-number-of-20-digits",
    ),
]


@pytest.mark.parametrize(("text", "message"), HOSTILE)
def test_hostile_values_are_one_problem(tmp_path: Path, text: str, message: str) -> None:
    """Blank names and times or numbers too large: one message naming file, line and key."""
    assert problems_of(tmp_path, text) == [message]


def test_names_are_read_without_surrounding_spaces(tmp_path: Path) -> None:
    """A name written with spaces around it (or a block scalar's line break) is trimmed."""
    text = VALID.replace("nama: Contoh SOP", 'nama: "  Contoh SOP "').replace(
        "    kegiatan: Tutup\n", "    kegiatan: |\n      Tutup\n"
    )
    sop = load_sop(write(tmp_path, text))
    assert (sop.name, sop.steps[3].activity) == ("Contoh SOP", "Tutup")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "{path}:1: is a folder, not a file"),
        (lambda p: p.write_bytes(b"id: c\nnama: caf\xe9\n"), "{path}:2: the file is not UTF-8 "
         "text (byte 0xe9); save it as UTF-8"),
    ],
    ids=["folder", "latin-1"],
)  # fmt: skip
def test_unreadable_sop_file_is_one_line(
    tmp_path: Path, make: Callable[[Path], object], message: str
) -> None:
    """A folder named like an SOP file, or a file in another encoding: one line."""
    path = tmp_path / "contoh.yaml"
    make(path)
    with pytest.raises(SopFileError) as caught:
        load_sop(path)
    assert caught.value.problems == [message.format(path=path)]
