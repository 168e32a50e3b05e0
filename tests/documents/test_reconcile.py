"""Documents made by the reconcile (``check --fix``, the service), on every tracker.

A small SOP (``uji-dokumen``: step 2 produces the KAK) keeps the path short: closing steps 1
and 2 in order is within the rules, so the reconcile makes the KAK once; ``/sop dokumen``
on step 3 makes it again (replacing the earlier version) and is answered once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from sop_sync.app.reconcile import Reconciled, reconcile
from sop_sync.app.requests import converge
from sop_sync.app.sops import find_sop
from sop_sync.cli import enforce, issue, output, requests
from sop_sync.config import LocalSettings, Settings
from sop_sync.documents.files import is_generated
from sop_sync.model.changes import Close, Comment, Ref
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import RepoStatus
from sop_sync.render.tracker import TrackerTexts
from sop_sync.trackers.base import Connection
from sop_sync.trackers.local.facade import LocalTracker
from tests.documents.seed import START, settings
from tests.trackers.conftest import BACKENDS, Make

pytestmark = pytest.mark.usefixtures("pdf_ok")

KEY = "absensi"
SOP_YAML = """\
id: uji-dokumen
nama: Uji Dokumen
instansi: [Dinas Komunikasi dan Informatika]
pelaksana:
  - {id: jfu, nama: JFU}
  - {id: kabid, nama: Kepala Bidang}
fase:
  - {id: semua, nama: Semua, dari: 1, sampai: 3}
langkah:
  - {"no": 1, kegiatan: Menghimpun kebutuhan, pelaksana: [jfu], waktu: 1 hari kerja}
  - {"no": 2, kegiatan: Menyusun kerangka acuan kerja, pelaksana: [jfu], waktu: 1 hari kerja,
     dokumen: kak}
  - {"no": 3, kegiatan: Menetapkan kerangka acuan kerja, pelaksana: [kabid],
     waktu: 1 hari kerja}
"""


class NoRepositories:
    """The small SOP asks for no repository: nothing is ever inspected."""

    def inspect(self, url: str) -> RepoStatus:
        """Never called here."""
        raise AssertionError(url)


@pytest.fixture
def mappings(tmp_path: Path) -> Path:
    """A mappings folder with the small SOP."""
    folder = tmp_path / "sop"
    folder.mkdir()
    (folder / "uji-dokumen.yaml").write_text(SOP_YAML, encoding="utf-8")
    return folder


def _settings(tmp_path: Path, mappings: Path) -> Settings:
    return Settings(
        tracker=LocalSettings(path=tmp_path / "t.db"), mappings=mappings, documents=settings()
    )


def _request() -> RequestInput:
    return RequestInput(
        key=KEY,
        sop_id="uji-dokumen",
        title="Sistem Informasi Absensi Pegawai",
        start=START,
        requester="BKPSDM",
        people=(("jfu", ("sari",)), ("kabid", ("andi",))),
    )


@pytest.fixture(params=["local", "gitlab-free", "jira-cloud"])
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Make]:
    """Tracker instances on one store per backend."""
    with BACKENDS[request.param](tmp_path) as made:
        yield made


def _fix(make: Make, config: Settings) -> Reconciled:
    return reconcile(Connection(make(), NoRepositories()), config, KEY)


def _kak_files(make: Make, step: int) -> list[str]:
    return sorted(
        a.filename for a in make().observe(KEY).steps[step].attachments if is_generated(a.filename)
    )


def test_closing_the_producing_step_attaches_the_document_once(
    make: Make, tmp_path: Path, mappings: Path
) -> None:
    """Steps 1 and 2 closed: the KAK in three formats on step 2; a second run adds nothing."""
    config = _settings(tmp_path, mappings)
    sop = find_sop(mappings, "uji-dokumen")
    assert converge(make(), sop, _request(), config, TrackerTexts()).ok
    sari = make().acting_as("sari")
    sari.apply(Close(Ref(KEY, 1)))
    sari.apply(Close(Ref(KEY, 2)))
    first = _fix(make, config)
    [made] = first.documents
    assert made.why == "langkah 2 selesai"
    assert made.made is not None
    assert made.error is None
    assert "langkah 2" in made.describe()
    files = _kak_files(make, 2)
    assert sorted(name.rsplit(".", 1)[1] for name in files) == ["docx", "md", "pdf"]
    assert all(name.startswith("draf-kak_001-KAK-APL-XI-2026_") for name in files)
    assert _fix(make, config).documents == []
    assert _kak_files(make, 2) == files
    assert not first.final.violated  # a generated draft is no evidence, and none is needed


def test_sop_dokumen_is_answered_once_and_replaces_the_earlier_version(
    make: Make, tmp_path: Path, mappings: Path
) -> None:
    """`/sop dokumen kak` on step 3: attached to step 2 (one file per format), one reply."""
    config = _settings(tmp_path, mappings)
    sop = find_sop(mappings, "uji-dokumen")
    assert converge(make(), sop, _request(), config, TrackerTexts()).ok
    lean = config.model_copy(
        update={"documents": config.documents.model_copy(update={"lampiran": ["md"]})}
    )
    make().acting_as("andi").apply(Comment(Ref(KEY, 3), "/sop dokumen kak"))
    [made] = _fix(make, lean).documents
    assert made.why == "/sop dokumen dari @andi"
    [first] = _kak_files(make, 2)
    changed = settings()
    sari = changed.pegawai["sari"].model_copy(update={"jabatan": "Pranata Komputer Ahli Muda"})
    promoted = lean.documents.model_copy(update={"pegawai": {**changed.pegawai, "sari": sari}})
    make().acting_as("sari").apply(Comment(Ref(KEY, 3), "/sop dokumen kak"))
    [again] = _fix(make, lean.model_copy(update={"documents": promoted})).documents
    assert again.made is not None
    assert len(again.made.detached) == 1
    [current] = _kak_files(make, 2)
    assert current != first
    assert _fix(make, lean).documents == []
    replies = [n for n in make().observe(KEY).steps[3].notes if n.in_reply_to]
    assert len(replies) == 2
    assert replies[0].body.startswith("Dokumen `kak` 001/KAK-APL/XI/2026 dilampirkan pada")
    assert "Versi sebelumnya (1 berkas) dilepas." in replies[1].body


def test_an_unknown_kind_gets_a_reply_listing_the_known_ones(
    make: Make, tmp_path: Path, mappings: Path
) -> None:
    """`/sop dokumen surat-tugas`: nothing made, one reply naming the kinds."""
    config = _settings(tmp_path, mappings)
    sop = find_sop(mappings, "uji-dokumen")
    assert converge(make(), sop, _request(), config, TrackerTexts()).ok
    make().acting_as("sari").apply(Comment(Ref(KEY, 1), "/sop dokumen surat-tugas"))
    assert _fix(make, config).documents == []
    assert _fix(make, config).documents == []
    [answer] = [n for n in make().observe(KEY).steps[1].notes if n.in_reply_to]
    text = answer.body.replace("\\", "")  # Jira gives the text back with wiki escapes
    assert "jenis dokumen `surat-tugas` tidak dikenal" in text
    assert "`berita-acara-uat`" in text
    assert _kak_files(make, 2) == []


def cli(argv: list[str]) -> int:
    """The commands under test, as ``sop-sync`` registers them."""
    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
    for group in (requests, issue, enforce):
        group.register(app)
    return output.run(app, argv)


def test_check_fix_prints_the_documents_it_made(
    tmp_path: Path,
    mappings: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`sop-sync check --fix` names each document made, once."""
    path = tmp_path / "tracker.db"
    monkeypatch.setenv("SOP_SYNC_DB", str(path))
    monkeypatch.setenv("SOP_SYNC_MAPPINGS", str(mappings))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    opening = ["open", "uji-dokumen", "--judul", "Absensi", "--kunci", KEY, "--pemohon", "BKD",
               "--mulai", "2026-11-02", "--peran", "jfu=sari", "--peran", "kabid=andi"]  # fmt: skip
    assert cli(opening) == 0
    assert cli(["issue", "close", KEY, "1", "--as", "sari"]) == 0
    assert cli(["issue", "close", KEY, "2", "--as", "sari"]) == 0
    capsys.readouterr()
    assert cli(["check", KEY, "--fix"]) == 0
    out = capsys.readouterr().out
    assert f"{KEY}: dokumen kak 001/KAK-APL/XI/2026 (langkah 2 selesai) → langkah 2: " in out
    assert cli(["check", KEY, "--fix"]) == 0
    assert "dokumen kak" not in capsys.readouterr().out
    tracker = LocalTracker(path)
    try:
        files = [a.filename for a in tracker.observe(KEY).steps[2].attachments]
    finally:
        tracker.close()
    assert len(files) == 3
