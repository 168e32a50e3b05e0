"""Detach on GitLab: the upload deleted where GitLab can (17.2+), its link struck out always."""

from __future__ import annotations

from sop_sync.model.changes import Attach, Detach, Ref
from tests.fakes.gitlab.server import Fault
from tests.trackers.gitlab.conftest import emulator, open_request, project_id, run

STEP = Ref("absensi", 10)


def _attach_two() -> tuple[str, str]:
    return "draf-berita-acara-uat_001_0000aaaa.pdf", "draf-berita-acara-uat_001_1111bbbb.pdf"


def test_the_upload_is_deleted_and_the_link_struck_out() -> None:
    """GitLab 17.5 (the emulator's): DELETE the upload, then edit the note that linked it."""
    with emulator("free") as fake:
        open_request(fake)
        old, new = _attach_two()
        run(fake).apply(Attach(STEP, old, b"%PDF lama"))
        run(fake).apply(Attach(STEP, new, b"%PDF baru"))
        first = run(fake).observe("absensi").steps[10].attachments[0]
        run(fake).apply(Detach(STEP, first.id, first.filename))
        assert [a.filename for a in run(fake).observe("absensi").steps[10].attachments] == [new]
        assert [u["filename"] for u in fake.state.uploads] == [new]
        bodies = [
            n["body"]
            for key, notes in fake.state.notes.items()
            if key[1] == project_id(fake)
            for n in notes
            if n["body"].startswith("Lampiran")
        ]
        assert f"~~{old}~~ (versi lama, dilepas)" in bodies[0]
        assert "/uploads/" not in bodies[0]
        assert "/uploads/" in bodies[1]


def test_before_17_2_the_link_is_struck_out_and_the_file_stays() -> None:
    """No upload deletion (older GitLab answers 404; a Developer 403): only the link goes."""
    with emulator("free") as fake:
        open_request(fake)
        old, new = _attach_two()
        run(fake).apply(Attach(STEP, old, b"%PDF lama"))
        run(fake).apply(Attach(STEP, new, b"%PDF baru"))
        first = run(fake).observe("absensi").steps[10].attachments[0]
        fake.faults.append(Fault(404, 1, method="DELETE", path_contains="/uploads/"))
        run(fake).apply(Detach(STEP, first.id, first.filename))
        assert [a.filename for a in run(fake).observe("absensi").steps[10].attachments] == [new]
        assert sorted(u["filename"] for u in fake.state.uploads) == sorted([old, new])
