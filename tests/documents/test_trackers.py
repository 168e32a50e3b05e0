"""``--lampirkan`` twice on the other trackers: one current file per format on GitLab and Jira.

The same use case as on the local tracker, through the GitLab emulator (uploads linked in a
note) and the Jira emulator (issue attachments): an unchanged document is found again by
its file name and not attached a second time.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sop_sync.app.documents import Produced, produce
from sop_sync.app.requests import converge
from sop_sync.app.sops import find_sop
from sop_sync.config import LocalSettings, Settings
from sop_sync.documents.files import is_generated
from sop_sync.model.changes import Comment, Ref
from sop_sync.render.tracker import TrackerTexts
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.sop.model import DocumentKind
from sop_sync.trackers.jira.connect import client
from tests.documents.seed import KEY, TODAY, UAT_NOTE, request, settings
from tests.trackers.conftest import BACKENDS
from tests.trackers.jira.backends import secret, seeded, tracker_on

pytestmark = pytest.mark.usefixtures("pdf_ok")
UAT = DocumentKind.BA_UAT


@pytest.mark.parametrize("backend", ["gitlab-free", "gitlab-premium", "jira-cloud", "jira-dc"])
def test_attaching_twice_attaches_once(backend: str, tmp_path: Path) -> None:
    """Two runs of ``dokumen berita-acara-uat --lampirkan``: one PDF and one Markdown."""
    config = Settings(tracker=LocalSettings(path=tmp_path / "x.db"), mappings=BUNDLED_MAPPINGS)
    sop = find_sop(BUNDLED_MAPPINGS, "karanganyar")
    people = {"analis-sistem": "sari", "pd-pengampu": "dewi", "seksi-psi": "andi"}
    wanted = dataclasses.replace(
        request(sop), people=tuple((role, (name,)) for role, name in people.items())
    )
    with BACKENDS[backend](tmp_path) as make:
        tracker = make()
        assert converge(tracker, sop, wanted, config, TrackerTexts()).ok
        tracker.apply(Comment(Ref(KEY, 10), UAT_NOTE))  # as the test's account: no Sudo
        for _ in range(2):
            produce(
                make(), config, settings(), DocumentKind.BA_UAT, KEY, ("pdf", "md"), TODAY,
                attach=True,
            )  # fmt: skip
        files = [a.filename for a in make().observe(KEY).steps[10].attachments]
    generated = [name for name in files if is_generated(name)]
    assert sorted(name.rsplit(".", 1)[1] for name in generated) == ["md", "pdf"]


@pytest.mark.parametrize(
    "backend", ["local", "gitlab-free", "gitlab-premium", "jira-cloud", "jira-dc"]
)
def test_a_changed_document_replaces_the_earlier_version(backend: str, tmp_path: Path) -> None:
    """`--lampirkan`, the UAT result written, `--lampirkan` again: one current file per format.

    The UAT table is commented on step 10 between the runs (on Jira: sent as wiki text and
    read back), so the second Berita Acara holds the scenarios.

    Local: the row and the file go; Jira: the attachment is deleted; GitLab: the upload is
    deleted (17.2+) and its link struck out of the note, so only the current version is linked.
    """
    config = Settings(tracker=LocalSettings(path=tmp_path / "x.db"), mappings=BUNDLED_MAPPINGS)
    sop = find_sop(BUNDLED_MAPPINGS, "karanganyar")
    people = {"analis-sistem": "sari", "pd-pengampu": "dewi", "seksi-psi": "andi"}
    wanted = dataclasses.replace(
        request(sop), people=tuple((role, (name,)) for role, name in people.items())
    )
    with BACKENDS[backend](tmp_path) as make:
        tracker = make()
        assert converge(tracker, sop, wanted, config, TrackerTexts()).ok
        formats = ("pdf", "md")
        first = produce(make(), config, settings(), UAT, KEY, formats, TODAY, attach=True)
        tracker.apply(Comment(Ref(KEY, 10), UAT_NOTE))
        second = produce(make(), config, settings(), UAT, KEY, formats, TODAY, attach=True)
        files = [a.filename for a in make().observe(KEY).steps[10].attachments]
    assert any(label.startswith("Skenario UAT") for label in first.missing)
    assert second.missing == ()
    assert "Format tanggal masih MM/DD" in markdown(second)
    assert first.attached is not None
    assert second.attached is not None
    assert len(second.detached) == 2
    generated = sorted(name for name in files if is_generated(name))
    assert generated == sorted(change.filename for change in second.attached.changes)


def markdown(made: Produced) -> str:
    """The Markdown file of a produced document, its whitespace collapsed."""
    [content] = [v for name, v in made.files.items() if name.endswith(".md")]
    return " ".join(content.decode("utf-8").split())


UAT_WIKI = """\
Hasil UAT hari ini:

h2. Skenario UAT

||No||Fitur||Skenario||Hasil||Catatan||
|1|Login|Pegawai masuk dengan {{NIP}} dan kata sandi|Sesuai| |
|2|Rekap|Unduh rekap bulanan [PDF|https://absensi.example.go.id/rekap]|Tidak sesuai|Format MM\\|DD|

h3. Kesimpulan
* diterima dengan catatan
"""
"""The UAT result as a person types it in Jira's wiki editor."""


@pytest.mark.parametrize("flavour", ["cloud", "dc"])
def test_a_uat_table_written_in_jira_wiki_reaches_the_berita_acara(
    flavour: str, tmp_path: Path
) -> None:
    """A wiki comment on the UAT step (`h2.`, `||` table, `h3.` and `*`): the BA UAT's table."""
    config = Settings(tracker=LocalSettings(path=tmp_path / "x.db"), mappings=BUNDLED_MAPPINGS)
    sop = find_sop(BUNDLED_MAPPINGS, "karanganyar")
    people = {"analis-sistem": "sari", "pd-pengampu": "dewi", "seksi-psi": "andi"}
    wanted = dataclasses.replace(
        request(sop), people=tuple((role, (name,)) for role, name in people.items())
    )
    with seeded(flavour) as fake:
        assert converge(tracker_on(fake), sop, wanted, config, TrackerTexts()).ok
        step = tracker_on(fake).observe(KEY).steps[10]
        sari = client(fake.url, secret(fake, "sari"), backoff=0.01)
        sari.add_comment(step.tracker_id, UAT_WIKI)
        made = produce(tracker_on(fake), config, settings(), UAT, KEY, ("md",), TODAY)
    text = markdown(made)
    assert made.missing == ()
    assert "| Login | Pegawai masuk dengan NIP dan kata sandi | Sesuai |" in text
    assert "Format MM\\|DD" in text or "Format MM|DD" in text
    assert "DITERIMA DENGAN CATATAN" in text
