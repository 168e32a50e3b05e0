"""Desired state and diff: pure planning of a request against observed values."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from sop_sync.calendar import WorkCalendar
from sop_sync.changes import CreateIssue, EnsureLabel, EnsureMilestone, Link, Ref
from sop_sync.plan import DesiredRequest, desired_state, diff, empty_observed, step_title
from sop_sync.request import RequestInput, derive_key
from sop_sync.safe_text import neutralise
from sop_sync.sop.registry import BUNDLED_MAPPINGS, find_sop
from sop_sync.texts import JinjaTexts
from sop_sync.values import Capabilities, Hierarchy, Issue, ObservedRequest, State
from tests.test_schedule import check_golden

CAPS = Capabilities(hierarchy=Hierarchy.EPIC, blocking_links=True, scoped_labels=True)
REQUEST = RequestInput(
    key="absensi",
    sop_id="karanganyar",
    title="Aplikasi Absensi Pegawai",
    start=dt.date(2026, 12, 1),
    requester="Badan Kepegawaian Daerah",
    people=(("analis-sistem", ("sari",)), ("pd-pengampu", ("dewi",))),
    repo="https://git.example.go.id/bkd/absensi",
)


def desired(request: RequestInput = REQUEST, sop_id: str = "karanganyar") -> DesiredRequest:
    """The desired state of ``request`` on the bundled SOP."""
    sop = find_sop(BUNDLED_MAPPINGS, sop_id)
    return desired_state(sop, request, WorkCalendar(), CAPS, JinjaTexts())


def as_observed(state: DesiredRequest) -> ObservedRequest:
    """What a tracker holding exactly ``state`` would report."""

    def issue(want: object) -> Issue:
        from sop_sync.plan import DesiredIssue

        assert isinstance(want, DesiredIssue)
        return Issue(
            ref=want.ref,
            tracker_id="1",
            web_url="",
            title=want.title,
            description=want.description,
            state=State.OPEN,
            labels=want.labels,
            assignees=want.assignees,
            due=want.due,
            milestone=want.milestone,
            data=dict(want.data),
        )

    return ObservedRequest(
        key=state.key,
        epic=issue(state.epic),
        steps={i.ref.step: issue(i) for i in state.steps if i.ref.step is not None},
        labels={label.name: label for label in state.labels},
        milestones={m.title: m for m in state.milestones},
        links=frozenset(state.links),
    )


def test_fresh_request_creates_everything_once() -> None:
    """A new request: every label, one milestone per phase, the epic, 14 steps, the links."""
    state = desired()
    kinds = Counter(type(change).__name__ for change in diff(state, empty_observed("absensi")))
    assert kinds["CreateIssue"] == 15
    assert kinds["EnsureMilestone"] == 6
    assert kinds["Link"] == 13
    assert kinds["EnsureLabel"] == len(state.labels)
    assert set(kinds) == {"CreateIssue", "EnsureMilestone", "Link", "EnsureLabel"}


def test_order_is_labels_milestones_epic_steps_links() -> None:
    """Objects are created before anything refers to them."""
    changes = diff(desired(), empty_observed("absensi"))
    order = [type(c) for c in changes]
    last_label = max(i for i, t in enumerate(order) if t is EnsureLabel)
    first_milestone = order.index(EnsureMilestone)
    first_issue = order.index(CreateIssue)
    first_link = order.index(Link)
    assert last_label < first_milestone < first_issue < first_link
    first = changes[first_issue]
    assert isinstance(first, CreateIssue)
    assert first.ref == Ref("absensi")


def test_matching_state_gives_no_change() -> None:
    """When the tracker holds exactly the desired state, the diff is empty."""
    state = desired()
    assert diff(state, as_observed(state)) == []


def test_changed_time_updates_only_that_step_and_later_dues() -> None:
    """Starting later moves dues and milestones, and nothing else."""
    before = desired()
    after = desired(RequestInput(**{**REQUEST.__dict__, "start": dt.date(2026, 12, 2)}))
    changes = diff(after, as_observed(before))
    assert {type(c).__name__ for c in changes} <= {"UpdateFields", "EnsureMilestone"}
    assert changes


def test_step_issue_fields() -> None:
    """A step issue: title with key and number, role/phase/step labels, due date, milestone."""
    step7 = desired().steps[6]
    assert (
        step7.title
        == "[absensi] 07 · Pembuatan Data Flow Diagram (DFD) dan Entity Relationship Diagram (ERD)"
    )
    assert "peran:Analisis Sistem" in step7.labels
    assert "langkah::07" in step7.labels
    assert "sop::karanganyar" in step7.labels
    assert step7.assignees == ("sari",)
    assert step7.due == dt.date(2026, 12, 8)
    assert step7.milestone == "absensi · Perancangan"


def test_step_text_golden() -> None:
    """The Indonesian text of a step with evidence and of the epic match their golden files."""
    state = desired()
    check_golden("step-karanganyar-10.md", state.steps[9].description)
    check_golden("epic-karanganyar.md", state.epic.description)


def test_title_is_cut_to_the_tracker_limit() -> None:
    """Long step titles end with an ellipsis within the limit."""
    sop = find_sop(BUNDLED_MAPPINGS, "bali")
    title = step_title(REQUEST, sop.steps[0], 40)
    assert len(title) == 40
    assert title.endswith("…")


def test_user_text_is_neutralised() -> None:
    """HTML, Markdown links and @mentions from people cannot escape into tracker text."""
    text = neutralise("Halo @all <script>x</script> [klik](http://evil) & `kode`")
    assert "@all" not in text
    assert "<script>" not in text
    assert "[klik](" not in text
    assert "&amp;" in text


@pytest.mark.parametrize(
    ("title", "taken", "key"),
    [
        ("Aplikasi Absensi Pegawai", set(), "aplikasi-absensi-pegawai"),
        ("Aplikasi Absensi Pegawai", {"aplikasi-absensi-pegawai"}, "aplikasi-absensi-pegawai-2"),
        (
            "Sistem Informasi Manajemen Kepegawaian Daerah Terpadu",
            set(),
            "sistem-informasi-manajemen",
        ),
        ("Ébène!!", set(), "ebene"),
        ("!!!", set(), "permohonan"),
    ],
)
def test_derive_key(title: str, taken: set[str], key: str) -> None:
    """Keys are short ASCII slugs of the title, made unique."""
    assert derive_key(title, taken) == key


def test_request_data_round_trips() -> None:
    """A request written into the epic's marker reads back the same."""
    with_answers = RequestInput(**{**REQUEST.__dict__, "answers": ((2, False),)})
    assert RequestInput.from_data("absensi", dict(with_answers.as_data())) == with_answers
