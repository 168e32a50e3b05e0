"""``sop-sync laporan`` end to end on a real local tracker whose clock the test sets.

The request ``arsip`` of the scenario is played through the tracker: opened, steps closed by
their holders at known moments, the decision and the koreksi written as comments and
enforced by ``check --fix`` (which closes the skipped branch and reopens step 4). The report
must then say what the value-level golden test says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import typer
import yaml

from sop_sync.app.enforce import check, fix
from sop_sync.app.requests import converge
from sop_sync.cli import output, reports
from sop_sync.config import LocalSettings, Settings
from sop_sync.model.changes import Change, Close, Comment, Ref
from sop_sync.render.tracker import TrackerTexts
from sop_sync.trackers.base import Connection
from sop_sync.trackers.local.facade import LocalTracker
from sop_sync.trackers.repository import TrustedHosts
from tests.reports.scenario import SOP, SOP_DATA, at
from tests.reports.scenario import arsip as arsip_request

APP = typer.Typer()
reports.register(APP)
APP.command("versi")(lambda: None)  # a second command: typer then keeps `laporan` by name


def laporan(*args: str) -> int:
    """Run ``sop-sync laporan`` with ``args`` (the lead registers it in the main app)."""
    return output.run(APP, ["laporan", *args])


@dataclass
class World:
    """A local tracker on a settable clock, the settings the CLI reads, people acting."""

    folder: Path
    now: list[dt.datetime] = field(default_factory=lambda: [at(21, 7)])

    @property
    def settings(self) -> Settings:
        """What the CLI reads from the environment."""
        return Settings(
            tracker=LocalSettings(path=self.folder / "tracker.db"),
            mappings=self.folder / "mappings",
        )

    def tracker(self) -> LocalTracker:
        """A tracker whose events carry the world's clock."""
        return LocalTracker(self.folder / "tracker.db", clock=lambda: self.now[0])

    def act(self, moment: dt.datetime, person: str, change: Change) -> None:
        """``person`` does ``change`` at ``moment``."""
        self.now[0] = moment
        tracker = self.tracker()
        try:
            tracker.acting_as(person).apply(change)
        finally:
            tracker.close()

    def enforce(self, moment: dt.datetime) -> None:
        """``check --fix`` at ``moment`` (sop-sync closes skipped branches, reopens steps)."""
        self.now[0] = moment
        tracker = self.tracker()
        try:
            request = arsip_request()[0]
            _, evaluation = check(Connection(tracker, TrustedHosts()), SOP, request)
            assert fix(tracker, evaluation, request.key).failures == []
        finally:
            tracker.close()


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    """The scenario's SOP in a mappings folder, an empty tracker, the CLI pointed at both."""
    (tmp_path / "mappings").mkdir()
    text = yaml.safe_dump(SOP_DATA, allow_unicode=True, sort_keys=False)
    (tmp_path / "mappings" / "uji-laporan.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("SOP_SYNC_DB", str(tmp_path / "tracker.db"))
    monkeypatch.setenv("SOP_SYNC_MAPPINGS", str(tmp_path / "mappings"))
    monkeypatch.chdir(tmp_path)
    return World(tmp_path)


def play_arsip(world: World) -> None:
    """The arsip request of the scenario, through the tracker (see its docstring)."""
    request = arsip_request()[0]
    request = type(request)(**{**request.__dict__, "answers": ((2, False),)})
    tracker = world.tracker()
    try:
        assert converge(tracker, SOP, request, world.settings, TrackerTexts()).ok
    finally:
        tracker.close()
    key = request.key
    world.act(at(21, 9), "analis", Close(Ref(key, 1)))
    world.act(at(21, 10, 55), "kasi", Comment(Ref(key, 2), "/sop keputusan tidak"))
    world.act(at(21, 11), "kasi", Close(Ref(key, 2)))
    world.enforce(at(21, 11))  # step 3 closed as skipped
    world.act(at(22, 14), "analis", Close(Ref(key, 4)))
    world.act(at(23, 8), "kasi", Comment(Ref(key, 5), "/sop koreksi rancangan belum lengkap"))
    world.enforce(at(23, 8))  # step 4 reopened
    world.act(at(28, 10), "analis", Close(Ref(key, 4)))
    world.act(at(28, 11), "kasi", Close(Ref(key, 5)))
    world.act(at(28, 14), "kasi", Close(Ref(key, 6)))


def test_markdown_report_of_a_played_request(world: World) -> None:
    """Step 4 took 2,7 hari kerja (1200 minutes) across Natal; the loop is counted once."""
    play_arsip(world)
    assert laporan("--format", "md", "--per", "2026-12-29", "--keluar", "laporan.md") == 0
    text = (world.folder / "laporan.md").read_text(encoding="utf-8")
    assert "Keadaan per **29-12-2026 23.59**" in text
    assert "| 4 | Menyusun rancangan | Analis Sistem | 2 hari kerja | 1 | 2,7 hari kerja |" in text
    assert "| 5 | Memeriksa rancangan | Kasi | 2 jam | 1 | 2 jam 30 menit |" in text
    assert "Koreksi: langkah 5 → langkah 4: 1×" in text
    assert "(1 dilewati)" in text
    assert "| Analisis | 21-12-2026 | 23-12-2026 | 28-12-2026 | terlambat 1 hari kerja |" in text


def test_html_report_filters_and_stdout(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    """``--keluar -`` prints the page; ``--pemohon`` matches part of the name, any case."""
    play_arsip(world)
    assert laporan("--per", "2026-12-29", "--pemohon", "kesehatan", "--keluar", "-") == 0
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>")
    assert "pemohon kesehatan" in page
    assert 'data-kunci="arsip"' in page
    assert laporan("--per", "2026-12-29", "--pemohon", "BKD", "--keluar", "-") == 0
    assert 'data-kunci="arsip"' not in capsys.readouterr().out


def test_unknown_sop_and_bad_date_are_errors(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown SOP id and a malformed --per stop with a message, exit code 1."""
    assert laporan("--sop", "tidak-ada") == 1
    assert laporan("--per", "29-12-2026") == 1
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_publishing_on_the_local_tracker_writes_the_file_once(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """No wiki here: ``--terbitkan`` writes laporan.md; the same report again changes nothing."""
    play_arsip(world)
    assert laporan("--per", "2026-12-29", "--terbitkan") == 0
    assert "published: laporan.md" in capsys.readouterr().out
    assert (world.folder / "laporan.md").read_text(encoding="utf-8").startswith("# Laporan")
    assert laporan("--per", "2026-12-29", "--terbitkan") == 0
    assert "unchanged: laporan.md" in capsys.readouterr().out
