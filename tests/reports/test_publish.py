"""``--terbitkan`` on GitLab: one wiki page, created once, updated in place, never duplicated.

Against the GitLab emulator (tests/fakes/gitlab/wikis.py, after doc/api/wikis.md) with the
real python-gitlab client.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import gitlab
import pytest

from sop_sync.config import GitLabSettings, Settings
from sop_sync.reports.writers.publish import page_title, publish, publish_wiki, slug_of
from tests.fakes.gitlab import FakeGitLab
from tests.fakes.gitlab.wikis import pages

PROJECT = "diskominfo/aplikasi-sop"


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    """An emulator with the project."""
    with FakeGitLab() as started:
        started.state.add_project(PROJECT)
        yield started


def writes(fake: FakeGitLab) -> list[tuple[str, str]]:
    """The requests that changed something: method and path."""
    return [(e.method, e.path) for e in fake.log if e.method != "GET"]


def test_page_is_created_then_left_alone_then_updated(fake: FakeGitLab) -> None:
    """First publish creates the page; the same text writes nothing; new text updates it."""
    project = gitlab.Gitlab(fake.url, private_token=fake.token).projects.get(PROJECT)
    assert publish_wiki(project.wikis, "Laporan SOP", "# satu\n")
    assert [m for m, _ in writes(fake)] == ["POST"]
    fake.log.clear()
    assert not publish_wiki(project.wikis, "Laporan SOP", "# satu\n")
    assert writes(fake) == []
    assert publish_wiki(project.wikis, "Laporan SOP", "# dua\n")
    assert [m for m, _ in writes(fake)] == ["PUT"]
    stored = pages(fake.state, fake.state.project(PROJECT) or {})
    assert list(stored) == ["Laporan-SOP"]
    assert stored["Laporan-SOP"]["content"] == "# dua\n"


def test_publish_through_the_settings(
    fake: FakeGitLab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a GitLab tracker configured, the report goes to the wiki, not to the file."""
    monkeypatch.setenv("SOP_SYNC_GITLAB_TOKEN", fake.token)
    settings = Settings(tracker=GitLabSettings(url=fake.url, project=PROJECT))
    title = page_title("bali", 'BKD <b>"x"</b> / a')
    done = publish(settings, title, "# laporan\n", tmp_path / "laporan.md")
    assert done.changed
    assert done.where.endswith(f"/-/wikis/{slug_of(title)}")
    assert not (tmp_path / "laporan.md").exists()
    again = publish(settings, title, "# laporan\n", tmp_path / "laporan.md")
    assert not again.changed


def test_page_title_keeps_only_letters_digits_and_spaces() -> None:
    """Filters join the title; a slash would make a folder, markup is dropped."""
    assert page_title(None, None) == "Laporan SOP"
    assert page_title("bali", 'BKD <b>"x"</b> / a') == "Laporan SOP bali BKD b x b a"
    assert slug_of("Laporan SOP bali") == "Laporan-SOP-bali"
