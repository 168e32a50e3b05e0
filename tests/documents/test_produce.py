"""``sop-sync dokumen`` end to end on the local tracker: numbers kept, attachments not piled up.

The seed request is opened on a real SQLite tracker; its sections are written into the epic's
description and the UAT table as a comment on step 10, as people would.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sop_sync.app.documents import Produced, produce
from sop_sync.app.requests import converge
from sop_sync.app.sops import find_sop
from sop_sync.config import LocalSettings, Settings
from sop_sync.documents.files import is_generated
from sop_sync.documents.settings import DocumentSettings
from sop_sync.errors import NotFoundError
from sop_sync.model.changes import Comment, Ref, SetDescription, UpdateFields
from sop_sync.render.tracker import TrackerTexts
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.sop.model import DocumentKind
from sop_sync.trackers.local.facade import LocalTracker
from tests.documents.seed import KEY, REQUEST_TEXT, TODAY, UAT_NOTE, request, settings

pytestmark = pytest.mark.usefixtures("pdf_ok")

UAT = DocumentKind.BA_UAT
HANDOVER = DocumentKind.BA_HANDOVER


@pytest.fixture
def opened(tmp_path: Path) -> tuple[LocalTracker, Settings]:
    """The seed request on Karanganyar, opened on a fresh local tracker, sections written."""
    config = Settings(tracker=LocalSettings(path=tmp_path / "t.db"), mappings=BUNDLED_MAPPINGS)
    tracker = LocalTracker(tmp_path / "t.db")
    sop = find_sop(BUNDLED_MAPPINGS, "karanganyar")
    assert converge(tracker, sop, request(sop), config, TrackerTexts()).ok
    tracker.apply(UpdateFields(Ref(KEY), (SetDescription(REQUEST_TEXT),)))
    tracker.acting_as("sari").apply(Comment(Ref(KEY, 10), UAT_NOTE))
    return tracker, config


def run(
    opened: tuple[LocalTracker, Settings],
    kind: DocumentKind = UAT,
    formats: tuple[str, ...] = ("docx", "pdf", "md"),
    today: dt.date = TODAY,
    *,
    attach: bool = True,
    strict: bool = False,
    documents: DocumentSettings | None = None,
) -> Produced:
    """``sop-sync dokumen <kind> absensi --lampirkan`` as the use case runs it."""
    tracker, config = opened
    return produce(
        tracker,
        config,
        documents or settings(),
        kind,
        KEY,
        formats,
        today,
        attach=attach,
        strict=strict,
    )


def generated(tracker: LocalTracker, step: int) -> list[str]:
    """The generated files attached to a step, in order."""
    issue = tracker.observe(KEY).steps[step]
    return [a.filename for a in issue.attachments if is_generated(a.filename)]


def test_the_number_is_given_once_and_kept(opened: tuple[LocalTracker, Settings]) -> None:
    """First run: 001/BA-UAT/XI/2026 kept in the epic's data; a month later, the same number."""
    first = run(opened, attach=False)
    assert first.new_number
    again = run(opened, today=dt.date(2026, 12, 28), attach=False)
    assert not again.new_number
    for made in (first, again):
        assert "".join(r.text for r in made.document.number) == "NOMOR: 001/BA-UAT/XI/2026"
    data = opened[0].observe(KEY).epic.data  # type: ignore[union-attr]
    assert data["nomor-berita-acara-uat"] == "001/BA-UAT/XI/2026"
    assert data["sop"] == "karanganyar"  # the request's own data untouched


def test_another_request_takes_the_next_number(
    opened: tuple[LocalTracker, Settings], tmp_path: Path
) -> None:
    """A second request's Berita Acara UAT in the same year is 002."""
    tracker, config = opened
    run(opened, attach=False)
    sop = find_sop(BUNDLED_MAPPINGS, "karanganyar")
    other = request(sop)
    other = type(other)(**{**other.__dict__, "key": "cuti", "title": "Aplikasi Cuti"})
    assert converge(tracker, sop, other, config, TrackerTexts()).ok
    made = produce(tracker, config, settings(), UAT, "cuti", ("md",), TODAY)
    assert "".join(r.text for r in made.document.number) == "NOMOR: 002/BA-UAT/XI/2026"


def test_attaching_twice_leaves_one_file_per_format(
    opened: tuple[LocalTracker, Settings],
) -> None:
    """`--lampirkan` twice on an unchanged document: the second run attaches nothing."""
    first = run(opened)
    assert first.attached is not None
    assert len(first.attached.changes) == 3
    second = run(opened)
    assert second.attached is not None
    assert second.attached.changes == ()
    assert len(second.attached.present) == 3
    names = generated(opened[0], 10)
    assert len(names) == 3
    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["docx", "md", "pdf"]


def test_a_changed_document_replaces_the_earlier_version(
    opened: tuple[LocalTracker, Settings],
) -> None:
    """A corrected UAT table: the new version attached, the earlier one detached (row, file)."""
    tracker, _ = opened
    first = run(opened, formats=("pdf", "md"))
    before = generated(tracker, 10)
    tracker.acting_as("sari").apply(
        Comment(Ref(KEY, 10), UAT_NOTE.replace("Tidak sesuai", "Sesuai"))
    )
    again = run(opened, formats=("pdf", "md"))
    assert again.attached is not None
    assert first.attached is not None
    assert len(again.attached.changes) == 2
    assert sorted(a.filename for a in again.attached.superseded) == sorted(before)
    assert sorted(d.filename for d in again.detached) == sorted(before)
    after = generated(tracker, 10)
    assert sorted(after) == sorted(c.filename for c in again.attached.changes)
    stored = sorted(p.name for p in tracker.store.files.iterdir())
    assert len(stored) == 2
    assert all(name.split("-", 1)[1] in after for name in stored)


def test_strict_attaches_nothing_while_data_is_missing(
    opened: tuple[LocalTracker, Settings],
) -> None:
    """No pegawai directory: the files are made, listed as missing, and not attached."""
    made = run(opened, strict=True, documents=DocumentSettings())
    assert made.missing
    assert made.held_back
    assert made.attached is None
    assert generated(opened[0], 10) == []


def test_an_sop_without_the_document_gives_no_number(
    opened: tuple[LocalTracker, Settings],
) -> None:
    """Karanganyar produces no KAK: an error, and no number taken from the register."""
    with pytest.raises(NotFoundError, match="produces no kak"):
        run(opened, DocumentKind.KAK)
    assert "nomor-kak" not in opened[0].observe(KEY).epic.data  # type: ignore[union-attr]


def test_unknown_request(opened: tuple[LocalTracker, Settings]) -> None:
    """A key the tracker does not have."""
    tracker, config = opened
    with pytest.raises(NotFoundError, match="no request 'x'"):
        produce(tracker, config, settings(), UAT, "x", ("md",), TODAY)


def test_a_sync_keeps_the_number(opened: tuple[LocalTracker, Settings]) -> None:
    """`sop-sync sync` after a number was given must not take it away."""
    tracker, config = opened
    run(opened, attach=False)
    sop = find_sop(BUNDLED_MAPPINGS, "karanganyar")
    converge(tracker, sop, request(sop), config, TrackerTexts())
    assert "nomor-berita-acara-uat" in tracker.observe(KEY).epic.data  # type: ignore[union-attr]
