"""``sop-sync dokumen`` through the CLI: files, the list of what is missing, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from sop_sync.cli import documents, output, requests
from sop_sync.model.changes import Comment, Ref
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.trackers.local.facade import LocalTracker
from tests.documents.seed import UAT_NOTE

pytestmark = pytest.mark.usefixtures("pdf_ok")

OPEN = [
    "open", "karanganyar", "--judul", "Sistem Informasi Absensi Pegawai", "--kunci", "absensi",
    "--pemohon", "BKPSDM", "--mulai", "2026-11-02", "--peran", "analis-sistem=sari",
    "--peran", "pd-pengampu=dewi",
]  # fmt: skip


def cli(argv: list[str]) -> int:
    """The commands under test, as ``sop-sync`` registers them."""
    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
    for group in (requests, documents):
        group.register(app)
    return output.run(app, argv)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The seed request opened on a local tracker in a temporary folder, the UAT written."""
    path = tmp_path / "tracker.db"
    monkeypatch.setenv("SOP_SYNC_DB", str(path))
    monkeypatch.setenv("SOP_SYNC_MAPPINGS", str(BUNDLED_MAPPINGS))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    assert cli(OPEN) == 0
    tracker = LocalTracker(path)
    tracker.acting_as("sari").apply(Comment(Ref("absensi", 10), UAT_NOTE))
    tracker.close()
    return path


def attached(db: Path) -> list[str]:
    """The files on the UAT step."""
    tracker = LocalTracker(db)
    try:
        return [a.filename for a in tracker.observe("absensi").steps[10].attachments]
    finally:
        tracker.close()


def test_writes_the_files_and_lists_what_is_missing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 0: the three files in --keluar, the number given, every gap listed."""
    code = cli(["dokumen", "berita-acara-uat", "absensi", "--keluar", "keluar"])
    out = capsys.readouterr().out
    assert code == 0
    names = sorted(p.name for p in (tmp_path / "keluar").iterdir())
    assert names == [
        "draf-berita-acara-uat_001-BA-UAT-XI-2026.docx",
        "draf-berita-acara-uat_001-BA-UAT-XI-2026.md",
        "draf-berita-acara-uat_001-BA-UAT-XI-2026.pdf",
    ]
    assert "NOMOR: 001/BA-UAT/XI/2026 (given now, kept in the request)" in out
    assert "- data pegawai sari (documents.pegawai)" in out
    assert "- tempat (documents.tempat)" in out


def test_strict_exits_1_and_attaches_nothing(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--ketat with gaps: exit 1, files still written, nothing attached."""
    code = cli(
        ["dokumen", "berita-acara-uat", "absensi", "--format", "md", "--lampirkan", "--ketat"]
    )
    captured = capsys.readouterr()
    assert code == 1
    assert "not attached: data is missing (--ketat)" in captured.out
    assert "isian belum diisi (--ketat)" in captured.err
    assert attached(db) == []


def test_attaching_twice_attaches_once(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--lampirkan twice: one file per format on the UAT step, the second run says so."""
    argv = ["dokumen", "berita-acara-uat", "absensi", "--format", "pdf", "--format", "md"]
    assert cli([*argv, "--lampirkan"]) == 0
    assert "attached to step 10:" in capsys.readouterr().out
    assert cli([*argv, "--lampirkan"]) == 0
    assert "already attached (same bytes):" in capsys.readouterr().out
    assert len(attached(db)) == 2


def test_unknown_document_is_a_usage_error(db: Path) -> None:
    """A document no SOP can name: exit 2, as for any bad argument."""
    assert cli(["dokumen", "surat-tugas", "absensi"]) == 2


def test_an_sop_without_the_document(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Karanganyar has no KAK step: exit 1 and what it produces instead."""
    assert cli(["dokumen", "kak", "absensi"]) == 1
    assert "produces no kak" in capsys.readouterr().err


def test_documents_settings_from_sop_sync_yaml(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The pegawai directory and kop in sop-sync.yaml fill the document."""
    (tmp_path / "sop-sync.yaml").write_text(
        "documents:\n"
        "  tempat: Ruang Rapat\n"
        "  kop: {pemerintah: Pemerintah Kabupaten Karanganyar, kota: Karanganyar}\n"
        "  pegawai:\n"
        "    sari: {nama: Sari, nip: '198705122010012003', pangkat: Penata (III/c)}\n"
        "    dewi: {nama: Dewi, nip: '197511302000032001', pangkat: Pembina (IV/a)}\n",
        encoding="utf-8",
    )
    assert cli(["dokumen", "berita-acara-uat", "absensi", "--format", "md", "--ketat"]) == 0
    text = next((tmp_path).glob("draf-berita-acara-uat_*.md")).read_text(encoding="utf-8")
    assert "19870512 201001 2 003" in text
