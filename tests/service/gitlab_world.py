"""A GitLab emulator with requests opened, the people acting on them, and a service beside it.

Shared by the service's end-to-end, kill and scale-out tests.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import gitlab
import pytest

from sop_sync.cli import run as cli
from sop_sync.model.changes import Change
from sop_sync.model.tracker import Issue, State
from sop_sync.trackers.gitlab.facade import GitLabTracker
from tests.fakes.gitlab import FakeGitLab
from tests.service.serving import service_env

PROJECT = "diskominfo/aplikasi-sop"
GROUP = "diskominfo"
KEY = "absensi"
CODE = "diskominfo/aplikasi"
"""The application's public repository (MIT): the open-repository evidence, and its MRs."""
PEOPLE = {
    "analis-sistem": "sari",
    "tim-pengembang": "budi",
    "seksi-psi": "dewi",
    "pd-pengampu": "wayan",
    "seksi-egov": "eko",
}
"""One holder per role of the Karanganyar SOP."""


class People:
    """The people who act on the requests (through the API, with Sudo, as in GitLab's UI)."""

    def __init__(self, fake: FakeGitLab) -> None:
        self.fake = fake
        self.client = gitlab.Gitlab(fake.url, private_token=fake.token)

    def tracker(self) -> GitLabTracker:
        """A fresh adapter (nothing cached)."""
        return GitLabTracker.on_client(self.client, PROJECT, group=GROUP)

    def act(self, change: Change, actor: str) -> None:
        """``actor`` does it in GitLab."""
        self.tracker().acting_as(actor).apply(change)

    def steps(self, key: str = KEY) -> dict[int, Issue]:
        """The request's step issues now, with their notes and history."""
        return self.tracker().observe(key).steps

    def state(self, step: int, key: str = KEY) -> State:
        """A step's state now."""
        return self.steps(key)[step].state

    def notes(self, step: int, key: str = KEY) -> list[str]:
        """A step's comments now."""
        return [note.body for note in self.steps(key)[step].notes]


def tracker_env(fake: FakeGitLab) -> dict[str, str]:
    """The settings of a sop-sync run on the emulator's project."""
    return {
        "SOP_SYNC_TRACKER": "gitlab",
        "SOP_SYNC_GITLAB_URL": fake.url,
        "SOP_SYNC_GITLAB_PROJECT": PROJECT,
        "SOP_SYNC_GITLAB_GROUP": GROUP,
        "SOP_SYNC_GITLAB_TOKEN": fake.token,
    }


@contextlib.contextmanager
def gitlab_world(
    folder: Path, tier: str = "premium"
) -> Iterator[tuple[FakeGitLab, dict[str, str]]]:
    """The emulator with the project and the people; the environment of the service."""
    with FakeGitLab(tier=tier) as fake:
        fake.state.add_project(PROJECT)
        fake.state.add_project(CODE, visibility="public", license_key="mit")
        for name in PEOPLE.values():
            fake.state.add_user(name)
        yield fake, service_env(folder, tracker_env(fake))


def sop_sync_cli(env: dict[str, str], *args: str) -> None:
    """Run a sop-sync command in this process with the service's environment; it must pass."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        assert cli(list(args)) == 0, args


def set_up(
    env: dict[str, str],
    hook: str,
    keys: tuple[str, ...] = (KEY,),
    people: dict[str, str] = PEOPLE,
) -> None:
    """Set up the projects with the webhook to ``hook``, then open the requests ``keys``.

    `gitlab setup` runs on the tracker's project and on the code project (:data:`CODE`, the
    requests' repository, where their merge requests are).
    """
    for project in (PROJECT, CODE):
        sop_sync_cli(env, "gitlab", "setup", project, "--group", GROUP, "--webhook-url", hook)
    peran = [f"--peran={role}={name}" for role, name in people.items()]
    repo = f"{env['SOP_SYNC_GITLAB_URL']}/{CODE}"
    for key in keys:
        sop_sync_cli(
            env, "open", "karanganyar", "--judul", f"Aplikasi {key}", "--kunci", key,
            "--pemohon", "BKD", "--mulai", "2026-12-01", "--repo", repo, *peran,
        )  # fmt: skip
