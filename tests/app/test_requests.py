"""Opening and reconciling requests on the real local tracker: idempotence and recovery."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sop_sync.app.requests import converge, pending_changes, sync_request
from sop_sync.app.sops import find_sop
from sop_sync.config import LocalSettings, Settings
from sop_sync.errors import TrackerError
from sop_sync.model.changes import Change, CreateIssue, EnsureLabel, Link, UpdateFields
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import Capabilities, ObservedRequest, RequestSummary
from sop_sync.render.tracker import TrackerTexts
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.sop.durations import parse_duration
from sop_sync.sop.model import Sop
from sop_sync.trackers.local.facade import LocalTracker

TEXTS = TrackerTexts()


def make_request(key: str = "absensi", sop_id: str = "karanganyar") -> RequestInput:
    """A request with two people assigned."""
    return RequestInput(
        key=key,
        sop_id=sop_id,
        title="Aplikasi Absensi Pegawai",
        start=dt.date(2026, 12, 1),
        requester="BKD",
        people=(("analis-sistem", ("sari",)), ("tim-pengembang", ("budi",))),
    )


def make_settings(folder: Path, mappings: Path = BUNDLED_MAPPINGS) -> Settings:
    """Settings for a local tracker in ``folder``."""
    return Settings(tracker=LocalSettings(path=folder / "tracker.db"), mappings=mappings)


@pytest.fixture
def tracker(tmp_path: Path) -> LocalTracker:
    """A fresh local tracker."""
    return LocalTracker(tmp_path / "tracker.db")


def test_open_twice_creates_one_set_and_second_run_writes_nothing(
    tracker: LocalTracker, tmp_path: Path
) -> None:
    """`open` twice: one epic, 14 step issues; the second run applies no change."""
    sop = find_sop(BUNDLED_MAPPINGS, "karanganyar")
    first = converge(tracker, sop, make_request(), make_settings(tmp_path), TEXTS)
    assert first.ok
    second = converge(tracker, sop, make_request(), make_settings(tmp_path), TEXTS)
    assert second.applied == []
    observed = tracker.observe("absensi")
    assert observed.epic is not None
    assert sorted(observed.steps) == list(range(1, 15))
    assert len(tracker.requests()) == 1


def test_first_open_applies_the_lower_bound_plus_one_epic_update(
    tracker: LocalTracker, tmp_path: Path
) -> None:
    """Opening writes each object once; the only extra write links the epic to its steps."""
    sop = find_sop(BUNDLED_MAPPINGS, "karanganyar")
    outcome = converge(tracker, sop, make_request(), make_settings(tmp_path), TEXTS)
    kinds = Counter(type(change).__name__ for change in outcome.applied)
    assert kinds["CreateIssue"] == 15
    assert kinds["Link"] == 13
    assert kinds["EnsureMilestone"] == 6
    assert kinds["UpdateFields"] == 1  # the epic's step list, once the steps exist
    assert set(kinds) == {"CreateIssue", "Link", "EnsureMilestone", "UpdateFields", "EnsureLabel"}


def test_second_request_does_not_recreate_shared_labels(
    tracker: LocalTracker, tmp_path: Path
) -> None:
    """Labels already in the tracker are not ensured again for the next request."""
    sop = find_sop(BUNDLED_MAPPINGS, "karanganyar")
    converge(tracker, sop, make_request("satu"), make_settings(tmp_path), TEXTS)
    second = converge(tracker, sop, make_request("dua"), make_settings(tmp_path), TEXTS)
    assert not [c for c in second.applied if isinstance(c, EnsureLabel)]


class FailingTracker:
    """A real local tracker whose writes start failing after ``budget`` changes."""

    def __init__(self, inner: LocalTracker, budget: int) -> None:
        self.inner = inner
        self.budget = budget

    @property
    def capabilities(self) -> Capabilities:
        """The wrapped tracker's capabilities."""
        return self.inner.capabilities

    def requests(self) -> list[RequestSummary]:
        """Delegated."""
        return self.inner.requests()

    def observe(self, key: str, *, history: bool = True) -> ObservedRequest:
        """Delegated."""
        return self.inner.observe(key, history=history)

    def apply(self, change: Change) -> None:
        """Apply while the budget lasts, then fail like an outage would."""
        if self.budget <= 0:
            raise TrackerError(f"injected outage during {change.describe()}")
        self.budget -= 1
        self.inner.apply(change)

    def close(self) -> None:
        """Delegated."""
        self.inner.close()


@pytest.mark.parametrize("budget", [0, 1, 7, 20, 35, 50])
def test_failed_run_is_reported_and_rerun_converges_without_duplicates(
    tracker: LocalTracker, tmp_path: Path, budget: int
) -> None:
    """A run failing after k changes reports failures; a re-run completes with no duplicates."""
    sop = find_sop(BUNDLED_MAPPINGS, "karanganyar")
    failing = FailingTracker(tracker, budget)
    first = converge(failing, sop, make_request(), make_settings(tmp_path), TEXTS)
    assert not first.ok
    assert len(first.applied) == budget
    second = converge(tracker, sop, make_request(), make_settings(tmp_path), TEXTS)
    assert second.ok
    assert pending_changes(tracker, sop, make_request(), make_settings(tmp_path), TEXTS) == []
    observed = tracker.observe("absensi")
    assert sorted(observed.steps) == list(range(1, 15))
    assert len(observed.links) == 13
    assert len(tracker.requests()) == 1


def _edit(sop: Sop, edit: str, number: int, value: int) -> Sop:
    """One random but valid edit of an SOP."""
    steps = list(sop.steps)
    index = (number - 1) % len(steps)
    step = steps[index]
    if edit == "waktu":
        steps[index] = step.model_copy(update={"time": parse_duration(f"{value} jam")})
    elif edit == "kegiatan":
        steps[index] = step.model_copy(update={"activity": f"{step.activity} (revisi {value})"})
    elif edit == "peran":
        roles = list(sop.roles)
        roles[index % len(roles)] = roles[index % len(roles)].model_copy(
            update={"name": f"Peran {value}"}
        )
        return sop.model_copy(update={"roles": tuple(roles)})
    elif edit == "langkah":
        last = steps[-1]
        new = last.model_copy(
            update={
                "number": last.number + 1,
                "activity": f"Langkah tambahan {value}",
                "next": None,
            }
        )
        steps.append(new)
        phases = list(sop.phases)
        phases[-1] = phases[-1].model_copy(update={"last": new.number})
        return sop.model_copy(update={"steps": tuple(steps), "phases": tuple(phases)})
    return sop.model_copy(update={"steps": tuple(steps)})


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sop_id=st.sampled_from(["karanganyar", "bkd-jateng", "bali"]),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["waktu", "kegiatan", "peran", "langkah"]),
            st.integers(1, 14),
            st.integers(1, 9),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_apply_then_plan_again_gives_no_change(
    sop_id: str, edits: list[tuple[str, int, int]]
) -> None:
    """After random edits of an SOP, applying the plan and planning again yields nothing."""
    folder = Path(tempfile.mkdtemp())
    try:
        tracker = LocalTracker(folder / "tracker.db")
        config = make_settings(folder)
        sop = find_sop(BUNDLED_MAPPINGS, sop_id)
        request = make_request(sop_id=sop_id)
        assert converge(tracker, sop, request, config, TEXTS).ok
        for edit in edits:
            sop = _edit(sop, *edit)
        assert converge(tracker, sop, request, config, TEXTS).ok
        assert pending_changes(tracker, sop, request, config, TEXTS) == []
        tracker.close()
    finally:
        shutil.rmtree(folder)


def test_sync_after_new_step_and_changed_time_touches_only_affected_objects(
    tmp_path: Path,
) -> None:
    """Adding step 15 and changing step 12's time updates exactly what they affect."""
    mappings = tmp_path / "mappings"
    shutil.copytree(BUNDLED_MAPPINGS, mappings)
    config = make_settings(tmp_path, mappings)
    assert isinstance(config.tracker, LocalSettings)
    tracker = LocalTracker(config.tracker.path)
    sop = find_sop(mappings, "karanganyar")
    assert converge(tracker, sop, make_request(), config, TEXTS).ok
    path = mappings / "karanganyar.yaml"
    text = path.read_text(encoding="utf-8")
    assert "waktu: 6 jam" in text
    text = text.replace("waktu: 6 jam", "waktu: 2 hari")
    text = text.replace("    sampai: 14\n", "    sampai: 15\n")
    text += (
        "  - no: 15\n"
        "    kegiatan: Serah terima aplikasi\n"
        "    pelaksana: [tim-pengembang]\n"
        "    waktu: 1 hari kerja\n"
    )
    path.write_text(text, encoding="utf-8")
    summary = tracker.requests()[0]
    outcome = sync_request(tracker, summary, config, TEXTS)
    assert outcome.ok
    created = [c.ref.step for c in outcome.applied if isinstance(c, CreateIssue)]
    assert created == [15]
    links = [(c.source.step, c.target.step) for c in outcome.applied if isinstance(c, Link)]
    assert links == [(14, 15)]
    updated = {
        (c.ref.step, tuple(field.name for field in c.fields))
        for c in outcome.applied
        if isinstance(c, UpdateFields)
    }
    assert updated == {
        (None, ("description", "due", "data")),  # epic: step list, dates, recorded links
        (None, ("description",)),  # epic again: links the new step 15
        (12, ("description", "due")),  # the changed time
        (13, ("description",)),  # later start of the ongoing steps
        (14, ("description",)),
    }
    labels = [c.label.name for c in outcome.applied if isinstance(c, EnsureLabel)]
    assert labels == ["langkah::15"]
    assert sync_request(tracker, summary, config, TEXTS).applied == []
