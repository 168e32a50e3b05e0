"""The request template's fields block read into what `sop-sync open` takes."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from sop_sync.app.sops import find_sop
from sop_sync.documents.kak import SECTIONS
from sop_sync.documents.sections import index
from sop_sync.resources import BUNDLED_MAPPINGS, request_template
from sop_sync.rules.intake import Intake, TemplateError, read_template

SOP = find_sop(BUNDLED_MAPPINGS, "karanganyar")
TEMPLATE = request_template().read_text(encoding="utf-8")


def filled(**values: str) -> str:
    """The shipped template with the fields block filled in (``field=value``)."""
    text = TEMPLATE
    for label, value in values.items():
        line = re.compile(rf"^- \*\*{label}:\*\*.*$", re.MULTILINE)
        text = line.sub(lambda _: f"- **{label}:** {value}", text, count=1)  # noqa: B023
    return text


GOOD = filled(
    Judul="Aplikasi Absensi Pegawai",
    Pemohon="Badan Kepegawaian Daerah",
    Mulai="2026-12-01",
    Peran="analis-sistem=@sari",
    Repositori="https://git.example.go.id/bkd/absensi",
)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of ``text`` holding ``needle``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def problems(text: str) -> list[str]:
    """What reading ``text`` complains about, as answered in the tracker."""
    with pytest.raises(TemplateError) as raised:
        read_template(text, SOP)
    return [problem.describe() for problem in raised.value.problems]


def test_the_filled_template_gives_the_request() -> None:
    """Every field of the shipped template is read; usernames lose their `@`."""
    assert read_template(GOOD, SOP) == Intake(
        title="Aplikasi Absensi Pegawai",
        requester="Badan Kepegawaian Daerah",
        start=dt.date(2026, 12, 1),
        people=(("analis-sistem", ("sari",)),),
        repo="https://git.example.go.id/bkd/absensi",
    )


def test_the_template_carries_every_section_the_kak_reads() -> None:
    """The KAK finds its sections under the template's headings (same spelling as kak.py)."""
    found = index([TEMPLATE])
    for name in (
        "Latar Belakang", "Maksud dan Tujuan", "Sasaran", "Ruang Lingkup", "Sumber Dana",
        "Perkiraan Biaya", "Produk yang Dihasilkan",
    ):  # fmt: skip
        assert any(" ".join(h.casefold().split()) in found for h in SECTIONS[name]), name


def test_the_untouched_template_names_the_empty_title_line() -> None:
    """Only the title is required; the placeholder `analis-sistem=@` names nobody yet."""
    assert problems(TEMPLATE) == [
        f"baris {line_of(TEMPLATE, '**Judul:**')}: Judul belum diisi (`- **Judul:** nama aplikasi`)"
    ]


def test_several_people_roles_by_name_and_a_nested_list() -> None:
    """`Peran` repeats, takes names separated by commas or spaces, and may hold a list."""
    text = (
        "## Data Permohonan\n\n- **Judul:** Absensi\n"
        "- **Peran:** Tim Pengembang = @budi, citra\n"
        "- **Peran:**\n  - analis-sistem: @sari @dewi\n  - tim-pengembang=@budi\n"
    )
    assert read_template(text, SOP).people == (
        ("tim-pengembang", ("budi", "citra")),
        ("analis-sistem", ("sari", "dewi")),
    )


def test_other_ways_of_writing_a_field() -> None:
    """`**Judul**: x`, `Judul: x`, Jira's `*Judul:* x`; `<url>` and `[text](url)` links."""
    text = (
        "- **Judul**: Absensi\n- Pemohon: BKD\n- *Mulai:* 2027-01-04\n"
        "- **Repositori:** [kode](https://git.example.go.id/a)\n- **Kunci:** absensi\n"
        "\n## Latar Belakang\n\n- **Catatan:** bukan kolom: di bawah judul lain\n"
    )
    intake = read_template(text, SOP)
    assert (intake.title, intake.requester, intake.start) == ("Absensi", "BKD", dt.date(2027, 1, 4))
    assert (intake.repo, intake.key) == ("https://git.example.go.id/a", "absensi")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("Mulai", "31-13-2026", 'tanggal "31-13-2026" tidak dikenal (pakai YYYY-MM-DD)'),
        ("Mulai", "2026-02-30", 'tanggal "2026-02-30" tidak ada di kalender'),
        ("Peran", "analis=@sari", 'peran "analis" tidak ada di SOP karanganyar'),
        ("Peran", "analis-sistem", "tulis peran sebagai `id-peran=@nama`"),
        ("Peran", "analis-sistem=@sa ri!", 'nama "ri!" tidak sah'),
        ("Repositori", "git.example.go.id/x", 'repositori "git.example.go.id/x" bukan alamat'),
    ],
)
def test_a_malformed_field_names_its_line(field: str, value: str, message: str) -> None:
    """The answer says which line is wrong and how to write it."""
    text = filled(Judul="Absensi", **{field: value})
    [problem] = problems(text)
    assert problem.startswith(f"baris {line_of(text, f'**{field}:**')}: {message}")


def test_unknown_and_repeated_fields_and_every_problem_at_once() -> None:
    """All problems come together, in line order."""
    text = "## Data Permohonan\n\n- **Judul:** A\n- **Warna:** merah\n- **Judul:** B\n- tanpa\n"
    assert problems(text) == [
        'baris 4: kolom "Warna" tidak dikenal (kolom: Judul, Pemohon, Mulai, Peran, '
        "Repositori, Kunci)",
        "baris 5: judul sudah ditulis di baris 3",
        "baris 6: tulis kolom sebagai `- **Kolom:** isi` (kolom: Judul, Pemohon, Mulai, Peran, "
        "Repositori, Kunci)",
    ]


def test_a_text_without_fields_says_to_use_the_template() -> None:
    """An issue not written with the template gets one problem, without a line."""
    assert problems("Tolong buatkan aplikasi.\n\n/sop buka karanganyar\n") == [
        "bagian `## Data Permohonan` dengan kolom `- **Judul:** ...` tidak ditemukan "
        "(pakai templat isu Permohonan Aplikasi)"
    ]


def test_fields_in_code_comments_and_quotes_do_not_count() -> None:
    """Examples in the help comment, code or a quote are never read as fields."""
    text = (
        "<!--\n- **Judul:** contoh\n-->\n\n```\n- **Mulai:** 1999-01-01\n```\n\n"
        "> - **Pemohon:** kutipan\n\n- **Judul:** Sungguhan\n"
    )
    intake = read_template(text, SOP)
    assert (intake.title, intake.start, intake.requester) == ("Sungguhan", None, None)


def test_hostile_text_is_cut_and_echoed_safely() -> None:
    """Line endings of every kind count; a huge text is read only so far; values are escaped."""
    text = "## Data Permohonan\r\n\r\n- **Judul:** A\r- **Peran:** <b>@all</b>=@x\n" + "x" * 10**6
    [problem] = problems(text)
    assert problem.startswith("baris 4: peran ")
    assert "<b>" not in problem
    assert "\\<b\\>" in problem
    title = "x" * 300
    assert problems(f"- **Judul:** {title}\n") == ["baris 1: Judul lebih dari 200 karakter"]
