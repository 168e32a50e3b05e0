"""``--lampirkan`` twice on the other trackers: one current file per format on GitLab and Jira.

The same use case as on the local tracker, through the GitLab emulator (uploads linked in a
note) and the Jira emulator (issue attachments): an unchanged document is found again by
its file name and not attached a second time.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sop_sync.app.documents import produce
from sop_sync.app.requests import converge
from sop_sync.app.sops import find_sop
from sop_sync.config import LocalSettings, Settings
from sop_sync.documents.files import is_generated
from sop_sync.documents.settings import DocumentSettings
from sop_sync.model.changes import Comment, Ref
from sop_sync.render.tracker import TrackerTexts
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.sop.model import DocumentKind
from tests.documents.seed import KEY, TODAY, UAT_NOTE, request, settings
from tests.trackers.conftest import BACKENDS

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


def promoted() -> DocumentSettings:
    """The seed settings with Sari's new jabatan: the Berita Acara changes."""
    seeded = settings()
    sari = seeded.pegawai["sari"].model_copy(update={"jabatan": "Pranata Komputer Ahli Muda"})
    return seeded.model_copy(update={"pegawai": {**seeded.pegawai, "sari": sari}})


@pytest.mark.parametrize(
    "backend", ["local", "gitlab-free", "gitlab-premium", "jira-cloud", "jira-dc"]
)
def test_a_changed_document_replaces_the_earlier_version(backend: str, tmp_path: Path) -> None:
    """`--lampirkan`, Sari promoted, `--lampirkan` again: one current file per format.

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
        second = produce(make(), config, promoted(), UAT, KEY, formats, TODAY, attach=True)
        files = [a.filename for a in make().observe(KEY).steps[10].attachments]
    assert first.attached is not None
    assert second.attached is not None
    assert len(second.detached) == 2
    generated = sorted(name for name in files if is_generated(name))
    assert generated == sorted(change.filename for change in second.attached.changes)
