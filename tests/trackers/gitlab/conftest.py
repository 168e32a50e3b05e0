"""Helpers for the GitLab adapter's tests: an emulator with the project, runs on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import gitlab

from sop_sync.app.requests import converge
from sop_sync.app.sops import find_sop
from sop_sync.config import Settings
from sop_sync.model.request import RequestInput
from sop_sync.render.tracker import TrackerTexts
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.sop.model import Sop
from sop_sync.trackers.gitlab.facade import GitLabTracker
from tests.fakes.gitlab import FakeGitLab

PROJECT = "diskominfo/aplikasi-sop"
GROUP = "diskominfo"
SETTINGS = Settings(mappings=BUNDLED_MAPPINGS)
SOP: Sop = find_sop(BUNDLED_MAPPINGS, "karanganyar")
PEOPLE = ("sari", "budi", "dewi")


def request(key: str) -> RequestInput:
    """A request on the Karanganyar SOP (14 steps, 6 phases)."""
    return RequestInput(
        key=key,
        sop_id="karanganyar",
        title=f"Aplikasi {key}",
        start=dt.date(2026, 12, 1),
        requester="BKD",
        people=(("analis-sistem", ("sari",)), ("tim-pengembang", ("budi",))),
    )


@contextmanager
def emulator(tier: str, **options: Any) -> Iterator[FakeGitLab]:
    """A running emulator with the project (in its group) and the people."""
    with FakeGitLab(tier=tier, **options) as fake:
        fake.state.add_project(PROJECT)
        for name in PEOPLE:
            fake.state.add_user(name)
        yield fake


def run(fake: FakeGitLab, token: str | None = None, **options: Any) -> GitLabTracker:
    """A new run (a new adapter, nothing cached) on the emulator."""
    client = gitlab.Gitlab(fake.url, private_token=token or fake.token, retry_transient_errors=True)
    return GitLabTracker.on_client(client, PROJECT, group=GROUP, **options)


def open_request(fake: FakeGitLab, key: str = "absensi", **options: Any) -> None:
    """Open (or converge) a request in a new run; it must succeed."""
    outcome = converge(run(fake, **options), SOP, request(key), SETTINGS, TrackerTexts())
    assert outcome.ok, outcome.failures


def project_id(fake: FakeGitLab) -> int:
    """The project's id in the emulator."""
    project = fake.state.project(PROJECT)
    assert project is not None
    return int(project["id"])


def group_id(fake: FakeGitLab) -> int:
    """The group's id in the emulator."""
    return int(fake.state.groups[GROUP]["id"])
