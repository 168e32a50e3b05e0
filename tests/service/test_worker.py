"""Workers on the local tracker and a real SQLite inbox: reconcile, retry, park, the CLI.

The service's worker runs the same reconcile as `check --fix`; these tests drive it in-process
(the end-to-end tests run it in a real `serve` process beside the emulators).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sop_sync.cli import run
from sop_sync.config import GitLabSettings, Settings, load_settings
from sop_sync.errors import SopSyncError
from sop_sync.model.changes import Close, Ref
from sop_sync.model.tracker import State
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.service import runner
from sop_sync.service.handle import Connect
from sop_sync.service.inbox.base import Delivery, Inbox
from sop_sync.service.jobs import request_job
from sop_sync.service.runner import connector, inbox_of
from sop_sync.service.worker import Worker, backoff
from sop_sync.trackers.base import Connection
from sop_sync.trackers.local.facade import LocalTracker
from tests.fakes.gitlab import FakeGitLab

OPEN = [
    "open", "karanganyar", "--judul", "Aplikasi Absensi", "--kunci", "absensi",
    "--pemohon", "BKD", "--mulai", "2026-12-01", "--peran", "analis-sistem=sari",
]  # fmt: skip


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A local tracker with request `absensi` opened, and an inbox beside it."""
    monkeypatch.setenv("SOP_SYNC_DB", str(tmp_path / "tracker.db"))
    monkeypatch.setenv("SOP_SYNC_MAPPINGS", str(BUNDLED_MAPPINGS))
    monkeypatch.setenv("SOP_SYNC_INBOX", str(tmp_path / "inbox.db"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sop-sync.yaml").write_text("service:\n  max_attempts: 2\n  retry_seconds: 0.01\n")
    assert run(OPEN) == 0
    return load_settings()


def close_early(settings: Settings) -> LocalTracker:
    """Sari closes step 5 before steps 1–4; the tracker to look at it."""
    tracker = LocalTracker(settings.tracker.path)  # type: ignore[union-attr]
    tracker.acting_as("sari").apply(Close(Ref("absensi", 5)))
    return tracker


def deliver(inbox: Inbox, job: str, n: int = 1) -> None:
    """``n`` GitLab-like deliveries naming ``job``."""
    inbox.accept([Delivery("gitlab", f"d{i}-{job}", "Issue Hook", job) for i in range(n)])


def test_a_request_job_reopens_the_early_close_once(settings: Settings) -> None:
    """Three deliveries, one reconcile: step 5 reopened with one comment; nothing left due."""
    tracker = close_early(settings)
    inbox = inbox_of(settings)
    deliver(inbox, request_job("absensi"), 3)
    worker = Worker(inbox, settings, connector(settings), name="w")
    assert worker.run_once()
    assert not worker.run_once()  # coalesced: nothing else due
    step = tracker.observe("absensi").steps[5]
    assert step.state is State.OPEN
    assert sum(n.author == "sop-sync" for n in step.notes) == 1
    assert inbox.stats().processed == 1


def test_an_unknown_request_is_finished_not_retried(settings: Settings) -> None:
    """A job for a request this tracker does not have is done, with nothing to do."""
    inbox = inbox_of(settings)
    deliver(inbox, request_job("tidak-ada"))
    assert Worker(inbox, settings, connector(settings), name="w").run_once()
    assert inbox.stats().pending == 0
    assert inbox.stats().parked == 0


def test_failures_back_off_then_park_and_retry_brings_them_back(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """A tracker that cannot be opened: retried once, parked, shown by `service status`."""
    inbox = inbox_of(settings)
    deliver(inbox, request_job("absensi"))

    def broken() -> Connection:
        raise OSError("tracker down for maintenance")

    connect: Connect = broken
    worker = Worker(inbox, settings, connect, name="w")
    assert worker.run_once()
    assert inbox.stats().pending == 1  # due again after the back-off
    time.sleep(0.05)
    assert worker.run_once()
    assert inbox.stats().parked == 1
    capsys.readouterr()
    assert run(["service", "status"]) == 0
    out = capsys.readouterr().out
    assert "PARKED request:absensi after 2 attempts" in out
    assert "tracker down for maintenance" in out
    assert run(["service", "retry"]) == 0
    assert "1 parked jobs due again" in capsys.readouterr().out
    assert inbox_of(settings).stats().pending == 1


def test_service_reconcile_fixes_every_open_request(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """`service reconcile` enqueues every open request and runs them here."""
    tracker = close_early(settings)
    capsys.readouterr()
    assert run(["service", "reconcile"]) == 0
    assert "1 open requests reconciled" in capsys.readouterr().out
    assert tracker.observe("absensi").steps[5].state is State.OPEN


def test_backoff_doubles_and_parks_after_max_attempts(settings: Settings) -> None:
    """retry_seconds 0.01: 0.01, then parked at the second failure (max_attempts 2)."""
    assert backoff(settings.service, 1) == pytest.approx(0.01)
    assert backoff(settings.service, 2) is None
    roomy = settings.service.model_copy(update={"max_attempts": 20, "retry_seconds": 5})
    assert [backoff(roomy, n) for n in (1, 2, 3)] == [5, 10, 20]
    assert backoff(roomy, 19) == 3600


def test_tracker_health_is_one_cheap_call_and_reconnects_after_a_failure(tmp_path: Path) -> None:
    """On GitLab the health probe opens a session once, then asks `/user`.

    At most once per 15 s; a refusal raises and the next probe connects anew.
    """
    with FakeGitLab(tier="free") as fake:
        fake.state.add_project("diskominfo/aplikasi-sop")
        settings = Settings(
            tracker=GitLabSettings(url=fake.url, project="diskominfo/aplikasi-sop"),
            mappings=BUNDLED_MAPPINGS,
        )
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SOP_SYNC_GITLAB_TOKEN", fake.token)
            health = runner.TrackerHealth(connector(settings))
            health()
            fake.reset_log()
            for _ in range(5):
                health()
            assert fake.requests == []  # remembered
            patch.setattr(runner, "HEALTH_CACHE_SECONDS", 0.0)
            health()
            assert [(e.method, e.path.removeprefix("/api/v4")) for e in fake.requests] == [
                ("GET", "/user")
            ]
            fake.inject(401, times=1, path_contains="/user")
            with pytest.raises(SopSyncError):
                health()
            health()  # a new connection, and GitLab answers again
            health.close()
