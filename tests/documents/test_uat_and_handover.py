"""The UAT scenario table and conclusion, and the hand-over facts, as people write them."""

from __future__ import annotations

import pytest

from sop_sync.documents.handover import read_handover
from sop_sync.documents.sections import index
from sop_sync.documents.uat import Conclusion, Scenario, conclusion, passed, read_uat

TABLE = """\
## Skenario UAT

| No | Skenario | Fitur | Hasil | Keterangan |
|----|----------|-------|-------|------------|
| 1 | Masuk dengan NIP | Login | ✓ | |
| 2 | Unduh rekap | Rekap | gagal | format tanggal |
| 3 | Cetak | Laporan | mungkin | |
"""


def test_columns_found_by_their_header_in_any_order() -> None:
    """Fitur/Skenario/Hasil/Keterangan wherever they stand; No ignored."""
    found = read_uat(index([TABLE]))
    assert found.scenarios == (
        Scenario("Login", "Masuk dengan NIP", "✓", True, ""),
        Scenario("Rekap", "Unduh rekap", "gagal", False, "format tanggal"),
        Scenario("Laporan", "Cetak", "mungkin", None, ""),
    )
    assert found.conclusion is None


@pytest.mark.parametrize(
    ("written", "meaning"),
    [("Sesuai", True), ("ya", True), ("OK", True), ("Tidak sesuai", False), ("✗", False),
     ("belum sesuai", False), ("", None), ("mungkin", None)],
)  # fmt: skip
def test_results(written: str, meaning: bool | None) -> None:
    """Sesuai/ya/ok and tidak sesuai/gagal; anything else is not read as either."""
    assert passed(written) is meaning


@pytest.mark.parametrize(
    ("written", "meaning"),
    [
        ("diterima", Conclusion.ACCEPTED),
        ("Diterima dengan catatan.", Conclusion.ACCEPTED_WITH_NOTES),
        ("DITOLAK", Conclusion.REJECTED),
        ("tidak diterima", Conclusion.REJECTED),
        ("lanjut", None),
    ],
)
def test_conclusions(written: str, meaning: Conclusion | None) -> None:
    """The three conclusions a UAT Berita Acara states."""
    assert conclusion(written) is meaning


def test_conclusion_on_a_line_or_under_its_own_heading() -> None:
    """``Kesimpulan: ...`` after the table, or ``## Kesimpulan`` elsewhere."""
    on_line = read_uat(index([TABLE + "\nKesimpulan: diterima dengan catatan\n"]))
    assert on_line.conclusion is Conclusion.ACCEPTED_WITH_NOTES
    heading = read_uat(index([TABLE, "## Kesimpulan\n\nDitolak, ulangi pengujian.\n"]))
    assert heading.conclusion is Conclusion.REJECTED


def test_no_table_no_scenarios() -> None:
    """Nothing written yet: an empty result (the document shows the gap)."""
    assert read_uat(index(["## Catatan\n\nbelum\n"])).scenarios == ()


def test_handover_facts_with_defaults() -> None:
    """Written facts by their labels; the application and repository default to the request's."""
    text = "## Serah Terima\n\n- Versi: 1.2.0\n- Database: PostgreSQL 15\n- Tag: v1.2.0\n"
    found = read_handover(index([text]), "Absensi", "https://git.example.go.id/absensi")
    assert dict(found.facts) == {
        "Aplikasi": "Absensi",
        "Versi": "1.2.0",
        "Repositori Kode Sumber": "https://git.example.go.id/absensi",
        "Commit/Tag": "v1.2.0",
        "Basis Data": "PostgreSQL 15",
        "Manual": "",
        "Akun": "",
    }
