"""The GitLab backend end to end on the emulator: opening, idempotence, faults, errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import gitlab
import pytest

from sop_sync.app.requests import converge, pending_changes
from sop_sync.app.sops import find_sop
from sop_sync.config import Settings
from sop_sync.errors import TrackerError
from sop_sync.model.changes import AddLabels, Ref
from sop_sync.model.request import RequestInput
from sop_sync.render.tracker import TrackerTexts
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.trackers.gitlab.facade import GitLabTracker
from tests.fakes.gitlab import FakeGitLab

PROJECT = "diskominfo/aplikasi-sop"
SETTINGS = Settings(mappings=BUNDLED_MAPPINGS)
REQUEST = RequestInput(
    key="absensi",
    sop_id="karanganyar",
    title="Aplikasi Absensi Pegawai",
    start=dt.date(2026, 12, 1),
    requester="BKD",
    people=(("analis-sistem", ("sari",)), ("tim-pengembang", ("budi",))),
)


@pytest.fixture(params=["free", "premium"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeGitLab]:
    """An emulator per tier, with the project and the people."""
    with FakeGitLab(tier=request.param) as running:
        running.state.add_project(PROJECT)
        for name in ("sari", "budi", "dewi"):
            running.state.add_user(name)
        yield running


def tracker(fake: FakeGitLab, hierarchy: str = "auto") -> GitLabTracker:
    """A new adapter instance (a new run) on the emulator."""
    client = gitlab.Gitlab(fake.url, private_token=fake.token, retry_transient_errors=True)
    return GitLabTracker.on_client(client, PROJECT, group="diskominfo", hierarchy=hierarchy)


def issues_of(fake: FakeGitLab) -> dict[int, dict[str, Any]]:
    """The project's issues in the emulator, by iid."""
    project = fake.state.project(PROJECT)
    assert project is not None
    return fake.state.issues[project["id"]]


def open_request(fake: FakeGitLab) -> None:
    """Open the sample request in a new run and check it converged."""
    sop = find_sop(BUNDLED_MAPPINGS, "karanganyar")
    outcome = converge(tracker(fake), sop, REQUEST, SETTINGS, TrackerTexts())
    assert outcome.ok, outcome.failures


def test_open_twice_second_run_sends_no_write(fake: FakeGitLab) -> None:
    """Opening again reads what exists and writes nothing."""
    open_request(fake)
    fake.reset_log()
    open_request(fake)
    assert [(e.method, e.path) for e in fake.log if e.method != "GET"] == []
    assert fake.count("GET") <= 6


def test_requests_steps_and_links_are_in_gitlab(fake: FakeGitLab) -> None:
    """The request, 14 step issues with markers and labels, and the ordering links exist."""
    open_request(fake)
    observed = tracker(fake).observe("absensi")
    assert observed.epic is not None
    assert sorted(observed.steps) == list(range(1, 15))
    assert len(observed.links) == 13
    step7 = observed.steps[7]
    assert step7.assignees == ("sari",)
    assert step7.milestone == "absensi · Perancangan"
    assert "peran:Analisis Sistem" in step7.labels
    assert "<!-- sop-sync:v1" not in step7.description
    if fake.tier == "premium":
        assert all(issue["epic"] for issue in issues_of(fake).values())
    else:
        assert all(link["link_type"] == "relates_to" for link in fake.state.links)


def test_faults_are_retried_and_the_run_converges(fake: FakeGitLab) -> None:
    """With 429 (Retry-After) and 502 injected, opening still succeeds; the log shows retries."""
    fake.inject(429, times=2, retry_after=0, path_contains="/labels")
    fake.inject(502, times=2, path_contains="/issues", method="POST")
    fake.inject(429, times=1, retry_after=0, path_contains="/milestones")
    open_request(fake)
    statuses = [entry.status for entry in fake.log]
    assert statuses.count(429) == 3
    assert statuses.count(502) == 2
    assert (
        pending_changes(
            tracker(fake),
            find_sop(BUNDLED_MAPPINGS, "karanganyar"),
            REQUEST,
            SETTINGS,
            TrackerTexts(),
        )
        == []
    )
    assert len(issues_of(fake)) == (14 if fake.tier == "premium" else 15)


def test_scoped_labels_stay_exclusive(fake: FakeGitLab) -> None:
    """Adding `status::x` removes another `status::` label: GitLab on Premium, sop-sync on Free."""
    open_request(fake)
    run = tracker(fake)
    run.observe("absensi")
    run.apply(AddLabels(Ref("absensi", 3), ("status::menunggu-bukti",)))
    run.apply(AddLabels(Ref("absensi", 3), ("status::dikoreksi",)))
    labels = tracker(fake).observe("absensi").steps[3].labels
    assert "status::dikoreksi" in labels
    assert "status::menunggu-bukti" not in labels


def test_wrong_token_is_one_clear_line() -> None:
    """A 401 names what was being done and what to check."""
    with FakeGitLab() as fake:
        fake.state.add_project(PROJECT)
        client = gitlab.Gitlab(fake.url, private_token="glpat-wrong")
        with pytest.raises(TrackerError) as caught:
            GitLabTracker.on_client(client, PROJECT)
    assert caught.value.message.startswith(f"GitLab: opening project '{PROJECT}': HTTP 401")
    assert "check SOP_SYNC_GITLAB_TOKEN" in caught.value.message


def test_missing_project_is_one_clear_line() -> None:
    """A 404 for the project says so."""
    with FakeGitLab() as fake:
        client = gitlab.Gitlab(fake.url, private_token=fake.token)
        with pytest.raises(TrackerError, match=r"opening project 'nope/nope': HTTP 404"):
            GitLabTracker.on_client(client, "nope/nope")


def test_epic_mode_on_free_suggests_issue_hierarchy() -> None:
    """Asking for epics on a Free instance explains and suggests `hierarchy: issue`."""
    with FakeGitLab(tier="free") as fake:
        fake.state.add_project(PROJECT)
        with pytest.raises(TrackerError, match=r"set `tracker.hierarchy: issue`"):
            tracker(fake, hierarchy="epic")


def test_rate_limit_exhausted_is_one_clear_line() -> None:
    """When 429 persists past python-gitlab's retries, the error says the limit is exhausted."""
    with FakeGitLab() as fake:
        fake.state.add_project(PROJECT)
        fake.inject(429, times=50, retry_after=0)
        client = gitlab.Gitlab(fake.url, private_token=fake.token, retry_transient_errors=True)
        with pytest.raises(TrackerError, match="rate limit is exhausted"):
            GitLabTracker.on_client(client, PROJECT)
