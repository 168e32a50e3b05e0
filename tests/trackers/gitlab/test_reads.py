"""Reads that scale (issue 9, part 5): what a run reads on GitLab, counted on the emulator.

``check <kunci>`` reads only that request's issues and milestones and only the history the
rules use, side by side; a run over many requests lists each SOP's issues once and no
milestones at all.
"""

from __future__ import annotations

import math
import time
import urllib.parse

import gitlab
import pytest

from sop_sync.app.enforce import check
from sop_sync.app.requests import open_requests, request_of, sync_request
from sop_sync.model.changes import Attach, Close, Comment, Ref
from sop_sync.render.tracker import TrackerTexts
from sop_sync.trackers.base import Connection
from sop_sync.trackers.gitlab.code_host import GitLabRepositories
from tests.fakes.gitlab import FakeGitLab
from tests.fakes.gitlab.server import Logged
from tests.trackers.gitlab.conftest import (
    GROUP,
    PROJECT,
    SETTINGS,
    SOP,
    emulator,
    open_request,
    project_id,
    run,
)

BULK = "labels=" + urllib.parse.quote("sop::karanganyar", safe="")


def in_progress(fake: FakeGitLab, key: str = "absensi") -> None:
    """Work done on a request: comments on steps 1-3, an attachment on 2, steps 1-2 closed."""
    person = run(fake).acting_as("sari")
    for number in (1, 2, 3):
        person.apply(Comment(Ref(key, number), "Sudah dikerjakan."))
    person.apply(Attach(Ref(key, 2), "Notulen rapat.pdf", b"%PDF"))
    for number in (1, 2):
        person.apply(Close(Ref(key, number)))


def check_once(fake: FakeGitLab, key: str = "absensi") -> list[Logged]:
    """What `sop-sync check <kunci>` asks GitLab, in a new run."""
    fake.reset_log()
    tracker = run(fake)
    [summary] = open_requests(tracker, key)
    check(Connection(tracker, GitLabRepositories(tracker.session)), SOP, request_of(summary))
    return fake.requests


def kinds(log: list[Logged]) -> list[str]:
    """The last path segment of each GET (its collection)."""
    return [entry.path.rstrip("/").rsplit("/", 1)[-1] for entry in log if entry.method == "GET"]


@pytest.mark.parametrize("tier", ["free", "premium"])
def test_check_of_one_request_reads_only_that_request(tier: str) -> None:
    """Its own issues and milestones, notes where there are some, closers of closed steps."""
    with emulator(tier) as fake:
        for key in ("lain-1", "lain-2", "absensi"):
            open_request(fake, key)
        in_progress(fake)
        log = check_once(fake)
        assert not [e for e in log if BULK in e.query]  # not every issue of the SOP
        found = kinds(log)
        assert found.count("notes") == 3
        assert found.count("resource_state_events") == 2
        assert "resource_label_events" not in found
        assert found.count("links") == (1 if tier == "free" else 0)  # the parent's, on Free
        [milestones] = [e for e in log if e.path.endswith("/milestones")]
        assert "search=absensi" in milestones.query
        assert all(e.method == "GET" for e in log)
        assert len(log) <= 15, [(e.path, e.query) for e in log]


def test_a_just_opened_request_is_checked_in_a_handful_of_calls() -> None:
    """No notes where none were written, no state events for open steps: six calls.

    The project, the epics (the probe), the parent issues (listed alongside the probe with
    `hierarchy: auto`), the labels; then the epic's issues and the request's milestones.
    """
    with emulator("premium") as fake:
        open_request(fake)
        assert sorted(kinds(check_once(fake))) == [
            "diskominfo%2Faplikasi-sop", "epics", "issues", "issues", "labels", "milestones"
        ]  # fmt: skip


def test_history_is_read_side_by_side() -> None:
    """With 100 ms per request, reading a busy request takes two round trips, not 22."""
    with emulator("premium") as fake:
        open_request(fake)
        person = run(fake).acting_as("sari")
        for number in range(1, 11):
            person.apply(Comment(Ref("absensi", number), "Selesai."))
            person.apply(Close(Ref("absensi", number)))
        tracker = run(fake)  # the session opens before the clock starts
        fake.latency = 0.1
        fake.reset_log()
        started = time.perf_counter()
        observed = tracker.observe("absensi")
        elapsed = time.perf_counter() - started
        assert [
            [x.body for x in observed.steps[n].notes if not x.system] for n in range(1, 11)
        ] == [["Selesai."]] * 10
        assert len(fake.requests) == 22  # epic issues, milestones, then 2 x 10 side by side
        assert elapsed < 0.8, f"{elapsed:.2f} s for {len(fake.requests)} requests"


@pytest.mark.parametrize("tier", ["free", "premium"])
def test_a_step_missing_from_its_epic_is_still_found(tier: str) -> None:
    """A step taken out of its epic (or its parent link lost): the SOP's listing finds it."""
    with emulator(tier) as fake:
        open_request(fake)
        gl = gitlab.Gitlab(fake.url, private_token=fake.token)
        issue = gl.projects.get(PROJECT).issues.get(5)
        if tier == "premium":
            epic = gl.groups.get(GROUP).epics.get(1, lazy=True)
            epic.issues.delete(fake.state.issues[project_id(fake)][5]["epic_issue_id"])
        else:
            parent = next(i for i in fake.state.issues[project_id(fake)].values() if i["iid"] == 1)
            link = next(x for x in issue.links.list(get_all=True) if x.iid == parent["iid"])
            issue.links.delete(link.issue_link_id)
        fake.reset_log()
        observed = run(fake).observe("absensi")
        assert sorted(observed.steps) == list(range(1, 15))
        assert [e for e in fake.requests if BULK in e.query]  # it fell back to the listing


def test_only_the_first_request_is_read_on_its_own() -> None:
    """A second request in the same run uses the SOP's listing, once for all the rest."""
    with emulator("premium") as fake:
        for key in ("a-1", "a-2", "a-3"):
            open_request(fake, key)
        fake.reset_log()
        tracker = run(fake)
        for key in ("a-1", "a-2", "a-3"):
            assert sorted(tracker.observe(key).steps) == list(range(1, 15))
        assert len([e for e in fake.requests if BULK in e.query]) == 1
        # the parent issues (probe), epic 1's issues, then the SOP's listing
        assert kinds(fake.requests).count("issues") == 3


@pytest.mark.parametrize("tier", ["free", "premium"])
def test_sync_of_unchanged_requests_lists_no_milestones(tier: str) -> None:
    """Milestones come with the issues using them: a sync of unchanged requests lists none."""
    with emulator(tier) as fake:
        for n in range(3):
            open_request(fake, f"req-{n}")
        issues = len(fake.state.issues[project_id(fake)])
        fake.reset_log()
        tracker = run(fake)
        applied = [sync_request(tracker, s, SETTINGS, TrackerTexts()) for s in tracker.requests()]
        assert all(outcome.applied == [] for outcome in applied)
        found = kinds(fake.requests)
        assert "milestones" not in found
        pages = math.ceil(issues / 100)
        requests_pages = 1
        probe = 1  # Free: the epics probe (refused); Premium: the parent issues alongside it
        assert len(found) - 1 == requests_pages + probe + 1 + pages  # -1: the project
