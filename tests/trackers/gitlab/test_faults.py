"""A flaky GitLab: no second object after a lost answer, bounded give-up, duplicates reported.

Real python-gitlab over HTTP against the emulator's faults: a 502 or a reset after GitLab
carried the request out, ``Retry-After`` in seconds and as an HTTP date, a refused port and a
host that accepts connections and never answers.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gitlab
import pytest

from sop_sync.app.requests import converge
from sop_sync.cli import run as cli
from sop_sync.config import GitLabSettings, load_settings
from sop_sync.errors import TrackerError, TrackerUnavailableError
from sop_sync.model.changes import Comment, Ref
from sop_sync.render.tracker import TrackerTexts
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.trackers.gitlab.connect import patience
from sop_sync.trackers.gitlab.facade import GitLabTracker
from sop_sync.trackers.gitlab.marker import split
from sop_sync.trackers.gitlab.patience import Patience, retry_after
from sop_sync.trackers.gitlab.session import GitLabSession
from tests.fakes.gitlab import FakeGitLab
from tests.fakes.gitlab.server import refused_url, silent_host
from tests.trackers.gitlab.conftest import (
    GROUP,
    PROJECT,
    SETTINGS,
    SOP,
    emulator,
    group_id,
    open_request,
    project_id,
    request,
    run,
)

SHORT = Patience(connect_timeout=1, read_timeout=1, budget=2)
"""A budget small enough for a test (the default is 60 s)."""


def session_on(url: str, token: str, given: Patience = SHORT) -> GitLabSession:
    """A session as a user configures the client (python-gitlab retries on): sop-sync's own."""
    client = gitlab.Gitlab(url, private_token=token, retry_transient_errors=True)
    return GitLabSession(client, PROJECT, group=GROUP, patience=given)


def open_with(fake: FakeGitLab, given: Patience) -> None:
    """Open the request in a new run with the timeouts and budget ``given``."""
    tracker = GitLabTracker(session_on(fake.url, fake.token, given))
    outcome = converge(tracker, SOP, request("absensi"), SETTINGS, TrackerTexts())
    assert outcome.ok, outcome.failures


def finished(seconds: float, action: Callable[[], Any]) -> tuple[float, BaseException | None]:
    """Run ``action`` in a thread; it must end within ``seconds``: (time taken, its error)."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        started = time.monotonic()
        try:
            action()
        except BaseException as error:
            outcome["error"] = error
        outcome["took"] = time.monotonic() - started

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s"
    return outcome["took"], outcome.get("error")


def objects(fake: FakeGitLab) -> dict[str, int]:
    """How many objects of each kind the emulator holds."""
    s = fake.state
    pid = project_id(fake)
    return {
        "issues": len(s.issues.get(pid, {})),
        "epics": sum(len(e) for e in s.epics.values()),
        "labels": len(s.labels.get(pid, {})) + sum(len(g) for g in s.group_labels.values()),
        "milestones": len(s.milestones.get(pid, {})),
        "links": len(s.links),
        "notes": sum(len(n) for n in s.notes.values()),
    }


CLEAN: dict[str, dict[str, int]] = {}


def clean(tier: str) -> dict[str, int]:
    """The objects one request makes on a GitLab without faults."""
    if tier not in CLEAN:
        with emulator(tier) as fake:
            open_request(fake)
            CLEAN[tier] = objects(fake)
    return CLEAN[tier]


# --- creates: never a second object -------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "path", "times"),
    [
        ("premium", "/epics", 1),
        ("free", "/issues", 1),  # the parent issue: the first issue made
        ("premium", "/issues", 3),  # step issues
        ("free", "/issues", 4),  # parent and step issues
        ("free", "/labels", 2),
        ("free", "/milestones", 2),
        ("free", "/links", 2),
    ],
)
@pytest.mark.parametrize("kind", ["502", "reset"])
def test_a_create_whose_answer_is_lost_makes_no_second_object(
    tier: str, path: str, times: int, kind: str
) -> None:
    """GitLab made the object and the answer was lost: the run finds it, makes no other."""
    with emulator(tier) as fake:
        fake.inject(
            502, times, method="POST", path_contains=path, after=True, reset=kind == "reset"
        )
        open_request(fake)
        assert fake.faults[-1].times == 0  # every fault met
        assert objects(fake) == clean(tier)


@pytest.mark.parametrize("tier", ["free", "premium"])
def test_a_502_before_the_create_makes_the_object_once(tier: str) -> None:
    """GitLab did nothing (502 before): the create is sent again, once, after looking."""
    with emulator(tier) as fake:
        fake.inject(502, 2, method="POST", path_contains="/issues")
        open_request(fake)
        assert objects(fake) == clean(tier)


def test_a_read_timeout_after_the_create_makes_no_second_issue() -> None:
    """GitLab made the issue but answered after the read timeout: found, not made again."""
    with emulator("free") as fake:
        fake.inject(502, 1, method="POST", path_contains="/issues", after=True, hang=1.5)
        open_with(fake, Patience(read_timeout=0.5, budget=10))
        assert objects(fake) == clean("free")


@pytest.mark.parametrize("reply", [False, True])
def test_a_comment_whose_answer_is_lost_is_posted_once(reply: bool) -> None:
    """A note GitLab saved before the 502 is recognised by its exact body and author."""
    with emulator("free") as fake:
        open_request(fake)
        tracker = GitLabTracker(session_on(fake.url, fake.token))
        fake.inject(502, 1, method="POST", path_contains="/notes", after=True)
        tracker.apply(Comment(Ref("absensi", 1), "Mohon dilengkapi.", "7" if reply else None))
        notes = fake.state.notes[("issue", project_id(fake), _iid(fake, 1))]
        [note] = [n for n in notes if not n["system"]]
        assert note["body"].startswith("Mohon dilengkapi.")


def _iid(fake: FakeGitLab, step: int) -> int:
    """The iid of the (oldest) issue of step ``step``."""
    issues = fake.state.issues[project_id(fake)].values()
    steps = [(split(i["description"])[1], int(i["iid"])) for i in issues]
    return min(iid for marker, iid in steps if marker is not None and marker.step == step)


# --- bounded time -------------------------------------------------------------------------


def test_a_retry_after_beyond_the_budget_gives_up_at_once_in_one_line() -> None:
    """503 with ``Retry-After: 3600``: one line at once, never an hour's sleep."""
    with emulator("free") as fake:
        fake.inject(503, 1, retry_after=3600, path_contains="/labels")
        took, error = finished(10, lambda: run(fake))
    assert took < 2
    assert isinstance(error, TrackerUnavailableError)
    assert error.message == (
        "GitLab: listing labels: HTTP 503: GitLab asked to wait 3600 s (Retry-After); giving up"
    )


def test_a_retry_after_given_as_an_http_date_is_waited_for() -> None:
    """429 with ``Retry-After: <HTTP date>`` (RFC 9110 §10.2.3): waited for, then served."""
    with emulator("free") as fake:
        when = email.utils.formatdate(time.time() + 2, usegmt=True)
        fake.inject(429, 1, retry_after=when, path_contains="/labels")
        took, error = finished(10, lambda: run(fake))
    assert error is None
    assert 0.5 < took < 5


def test_a_429_with_retry_after_is_waited_for_whatever_the_method() -> None:
    """429 comes before GitLab does anything: a POST is sent again after the wait, once."""
    with emulator("free") as fake:
        fake.inject(429, 1, retry_after=1, method="POST", path_contains="/issues")
        took, error = finished(30, lambda: open_request(fake))
        assert error is None
        assert took >= 1
        assert objects(fake) == clean("free")


def test_a_refused_connection_gives_up_within_the_budget() -> None:
    """Nothing listens: tries until the budget (2 s here) is spent, then one line."""
    url = refused_url()
    took, error = finished(15, lambda: session_on(url, "x"))
    assert isinstance(error, TrackerUnavailableError)
    assert took < SHORT.budget + 0.5
    assert error.message.startswith(f"GitLab: opening project '{PROJECT}': cannot reach {url}")
    assert f"cannot reach {url}: connection refused; gave up after" in error.message
    assert error.message.endswith("(retry budget 2 s)")


def test_a_silent_host_gives_up_within_the_budget() -> None:
    """A host that accepts and never answers: read timeouts, cut to the budget (2 s)."""
    with silent_host() as url:
        given = Patience(connect_timeout=5, read_timeout=30, budget=2)
        took, error = finished(15, lambda: session_on(url, "x", given))
    assert isinstance(error, TrackerUnavailableError)
    assert took < given.budget + 0.5
    assert "no answer within the read timeout" in error.message


def test_the_budget_is_shared_by_a_create_and_its_look_up() -> None:
    """A create whose answer never comes and a silent look-up end within one budget."""
    with emulator("free") as fake:
        session = session_on(fake.url, fake.token)
        fake.inject(502, 5, method="POST", path_contains="/notes", after=True, hang=5)
        fake.inject(502, 50, method="GET", path_contains="/notes", hang=5)
        open_request(fake)
        tracker = GitLabTracker(session)
        took, error = finished(15, lambda: tracker.apply(Comment(Ref("absensi", 1), "x")))
    assert isinstance(error, TrackerError)
    assert took < SHORT.budget + 1


def test_the_budget_and_timeouts_are_settings_with_environment_overrides() -> None:
    """``tracker.retry_budget_seconds`` (60) and the timeouts; SOP_SYNC_GITLAB_RETRY_BUDGET."""
    assert patience(GitLabSettings()) == Patience(connect_timeout=5, read_timeout=20, budget=60)
    env = {"SOP_SYNC_GITLAB_RETRY_BUDGET": "5", "SOP_SYNC_GITLAB_TIMEOUT": "3"}
    settings = load_settings(None, env, tracker_kind="gitlab")
    assert isinstance(settings.tracker, GitLabSettings)
    assert patience(settings.tracker) == Patience(connect_timeout=5, read_timeout=3, budget=5)


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    """RFC 9110 §10.2.3: delay-seconds or an HTTP-date; anything else is not understood."""
    now = 1_800_000_000.0
    assert retry_after("120", now) == 120
    assert retry_after(email.utils.formatdate(now + 30, usegmt=True), now) == 30
    assert retry_after(email.utils.formatdate(now - 30, usegmt=True), now) == 0
    assert retry_after("soon", now) is None
    assert retry_after(None, now) is None


# --- duplicates reported -------------------------------------------------------------------


def _copy(fake: FakeGitLab, premium: bool) -> tuple[str, str]:
    """Make a second request object and a second step 1 issue, as a retried POST would."""
    gl = gitlab.Gitlab(fake.url, private_token=fake.token)
    project = gl.projects.get(PROJECT)
    manager: Any
    if premium:
        manager = gl.groups.get(GROUP, lazy=True).epics
        [iid] = fake.state.epics[group_id(fake)]
    else:
        manager = project.issues
        issues = fake.state.issues[project_id(fake)].values()
        iid = next(i["iid"] for i in issues if "permohonan" in i["labels"])
    urls = []
    for source, iid_of in ((manager, iid), (project.issues, _iid(fake, 1))):
        made = source.get(iid_of)
        fields = {"title": made.title, "description": made.description}
        if source is project.issues and premium:
            fields["epic_id"] = manager.get(iid).id  # as sop-sync creates steps on Premium
        copy = source.create({**fields, "labels": ",".join(made.labels)})
        if source is project.issues and not premium:  # Free: linked to the parent issue
            link = {"target_project_id": project.id, "target_issue_iid": copy.iid}
            project.issues.get(iid, lazy=True).links.create(link)
        urls.append(str(made.web_url))
    return urls[0], urls[1]


@pytest.mark.parametrize("tier", ["free", "premium"])
def test_duplicates_are_reported_and_the_oldest_is_used(tier: str) -> None:
    """Two objects with one marker: the observation names both; the oldest is the one used."""
    with emulator(tier) as fake:
        open_request(fake)
        epic_url, step_url = _copy(fake, tier == "premium")
        observed = run(fake).observe("absensi")
        assert observed.epic is not None
        assert observed.epic.web_url == epic_url
        assert observed.steps[1].web_url == step_url
        request, step = observed.duplicates
        assert (request.ref, request.used) == (Ref("absensi"), epic_url)
        assert (step.ref, step.used) == (Ref("absensi", 1), step_url)
        assert len(request.others) == len(step.others) == 1
        assert request.others[0] != epic_url
        assert "(used: the oldest)" in request.describe()


def test_status_and_check_print_the_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``status`` (one request and all) and ``check`` print one line per duplicate, exit 0."""
    with emulator("free") as fake:
        open_request(fake)
        epic_url, step_url = _copy(fake, premium=False)
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("SOP_SYNC_MAPPINGS", str(BUNDLED_MAPPINGS))
        monkeypatch.setenv("SOP_SYNC_GITLAB_URL", fake.url)
        monkeypatch.setenv("SOP_SYNC_GITLAB_TOKEN", fake.token)
        monkeypatch.setenv("SOP_SYNC_GITLAB_PROJECT", PROJECT)
        monkeypatch.setenv("COLUMNS", "300")
        for args in (["status", "absensi"], ["status"], ["check", "absensi"]):
            assert cli([*args, "--tracker", "gitlab"]) == 0, args
            lines = [x for x in capsys.readouterr().out.splitlines() if x.startswith("warning")]
            assert len(lines) == 2, (args, lines)
            assert lines[0].startswith(f"warning: duplicate: permohonan absensi is on 2 objects: "
                                       f"{epic_url} (used: the oldest) and ")  # fmt: skip
            assert f"absensi langkah 01 is on 2 objects: {step_url} (used" in lines[1]
