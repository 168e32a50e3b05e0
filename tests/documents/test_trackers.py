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
from sop_sync.model.changes import Comment, Ref
from sop_sync.render.tracker import TrackerTexts
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.sop.model import DocumentKind
from tests.documents.seed import KEY, TODAY, UAT_NOTE, request, settings
from tests.trackers.conftest import BACKENDS

pytestmark = pytest.mark.usefixtures("pdf_ok")


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
