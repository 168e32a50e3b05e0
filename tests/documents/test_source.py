"""The KAK of a request opened with `/sop buka` reads the template the analyst filled in.

On the GitLab and Jira emulators, through the real clients: an issue written with the request
template (its KAK sections filled in), `/sop buka bkd-jateng`, then the KAK made by the use
case with the connection's discussions. The template's sections fill the KAK; a section the
epic has too is the epic's; a source issue that cannot be read is reported, not fatal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from sop_sync.app.documents import Produced, produce
from sop_sync.app.intake import SOURCE_KEY, open_from_issue
from sop_sync.model.changes import Ref, SetData, UpdateFields
from sop_sync.sop.model import DocumentKind
from sop_sync.trackers.base import Connection
from tests.app.test_intake import SETTINGS, SITES, Site, template
from tests.documents.seed import TODAY, settings

KAK = DocumentKind.KAK
BACKGROUND = "Rekap kehadiran pegawai masih dihitung tangan setiap akhir bulan."
FUNDING = "APBD Provinsi Jawa Tengah Tahun Anggaran 2027"
CORRECTED = "APBD Perubahan 2027"


def filled(**sections: str) -> str:
    """The request template for Bkd Jateng, its fields and the named sections written."""
    text = template(
        Judul="Aplikasi Absensi Pegawai", Pemohon="BKD", Mulai="2026-12-01", Peran="jfu=@sari"
    )
    for heading, body in sections.items():
        pattern = re.compile(rf"(^## {heading}\n\n)<!--.*?-->", re.MULTILINE)
        text = pattern.sub(lambda m: m[1] + body, text, count=1)  # noqa: B023
    return text


@pytest.fixture(params=["gitlab-free", "jira-cloud"])
def site(request: pytest.FixtureRequest) -> Iterator[Site]:
    """GitLab and Jira, each with its own template issue."""
    with SITES[request.param]() as running:
        yield running


def opened(site: Site) -> tuple[str, str]:
    """A template issue with Latar Belakang and Sumber Dana written, opened: (ref, key)."""
    ref = site.write_issue(filled(**{"Latar Belakang": BACKGROUND, "Sumber Dana": FUNDING}))
    note = site.write_comment(ref, "/sop buka bkd-jateng")
    connection = site.connect()
    try:
        result = open_from_issue(connection, SETTINGS, ref, note)
    finally:
        connection.close()
    assert result.status == "opened", result.problems
    assert result.key is not None
    return ref, result.key


def kak(connection: Connection, key: str) -> tuple[Produced, str]:
    """`sop-sync dokumen kak <key> --format md` as the use case runs it: (made, Markdown)."""
    made = produce(
        connection.tracker, SETTINGS, settings(), KAK, key, ("md",), TODAY,
        discussions=connection.discussions,
    )  # fmt: skip
    [content] = made.files.values()
    return made, " ".join(content.decode("utf-8").split())


def test_the_kak_reads_the_sections_of_the_template(site: Site) -> None:
    """Latar Belakang and Sumber Dana come from the source issue; the rest is still missing."""
    _, key = opened(site)
    connection = site.connect()
    try:
        made, text = kak(connection, key)
    finally:
        connection.close()
    assert BACKGROUND in text
    assert FUNDING in text
    assert "Latar Belakang" not in made.missing
    assert "Sumber Dana" not in made.missing
    assert "Sasaran" in made.missing  # left as the template's help text: still a gap
    assert "Boleh dikosongkan" not in text  # the help text is never content
    assert made.source_problem is None


@pytest.mark.parametrize("tracker", ["gitlab-free", "gitlab-premium", "jira-cloud"])
def test_the_epics_own_section_wins(tracker: str) -> None:
    """A Sumber Dana a person comments on the epic later corrects the template's.

    On GitLab Free the epic is the parent issue; on Premium a group epic, whose notes only
    the documents read (``Discussions.request_comments``); on Jira the observation has them.
    """
    with SITES[tracker]() as site:
        _, key = opened(site)
        connection = site.connect()
        try:
            epic = connection.tracker.observe(key, history=False).epic
            assert epic is not None
            site.comment_request(epic.tracker_id, f"## Sumber Dana\n\n{CORRECTED}")
            made, text = kak(connection, key)
        finally:
            connection.close()
    assert CORRECTED in text
    assert FUNDING not in text
    assert "Sumber Dana" not in made.missing
    assert BACKGROUND in text  # the template's other sections still count


@pytest.mark.parametrize("tier", ["free", "premium"])
def test_on_gitlab_the_epics_comment_fills_a_missing_section(tier: str) -> None:
    """Without a `sumber` (as a request synced from the CLI): a comment on the epic fills it."""
    with SITES[f"gitlab-{tier}"]() as site:
        _, key = opened(site)
        connection = site.connect()
        try:
            epic = connection.tracker.observe(key, history=False).epic
            assert epic is not None
            data = {k: v for k, v in epic.data.items() if k != SOURCE_KEY}
            connection.tracker.apply(UpdateFields(Ref(key), (SetData(tuple(data.items())),)))
            before, _ = kak(connection, key)
            site.comment_request(epic.tracker_id, "## Sumber Dana\n\nAPBD 2027")
            made, text = kak(connection, key)
        finally:
            connection.close()
    assert "Sumber Dana" in before.missing
    assert "APBD 2027" in text
    assert "Sumber Dana" not in made.missing


def test_without_discussions_the_template_is_not_read(site: Site) -> None:
    """The use case called without the connection's discussions reads the epic only."""
    _, key = opened(site)
    connection = site.connect()
    try:
        made = produce(connection.tracker, SETTINGS, settings(), KAK, key, ("md",), TODAY)
    finally:
        connection.close()
    assert "Latar Belakang" in made.missing


def test_a_source_issue_that_cannot_be_read_is_reported(site: Site) -> None:
    """`sumber` naming an issue that is not there: the KAK is made, the problem named."""
    _, key = opened(site)
    connection = site.connect()
    try:
        epic = connection.tracker.observe(key, history=False).epic
        assert epic is not None
        gone = "1#999" if "#" in epic.data[SOURCE_KEY] else "APL-999"
        data = {**epic.data, SOURCE_KEY: gone}
        connection.tracker.apply(UpdateFields(Ref(key), (SetData(tuple(data.items())),)))
        made, _ = kak(connection, key)
    finally:
        connection.close()
    assert made.source_problem is not None
    assert gone in made.source_problem
    assert "Latar Belakang" in made.missing
