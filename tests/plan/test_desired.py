"""The desired state of a request: pure planning of every object it should have."""

from __future__ import annotations

import datetime as dt

from sop_sync.app.sops import find_sop
from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import Capabilities, Hierarchy
from sop_sync.plan.desired import DesiredRequest, desired_state, step_title
from sop_sync.render.tracker import TrackerTexts
from sop_sync.resources import BUNDLED_MAPPINGS
from sop_sync.schedule.calendar import WorkCalendar
from sop_sync.sop.loader import parse_sop
from tests.schedule.test_timeline import check_golden

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


def desired(
    request: RequestInput = REQUEST, sop_id: str = "karanganyar", caps: Capabilities = CAPS
) -> DesiredRequest:
    """The desired state of ``request`` on the bundled SOP."""
    sop = find_sop(BUNDLED_MAPPINGS, sop_id)
    return desired_state(sop, request, WorkCalendar(), caps, TrackerTexts())


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


def test_no_label_definitions_where_labels_are_bare_names() -> None:
    """A tracker whose labels have no colour (Jira) gets no label definitions to keep."""
    bare = Capabilities(
        hierarchy=Hierarchy.EPIC, blocking_links=True, scoped_labels=False,
        label_definitions=False,
    )  # fmt: skip
    state = desired(caps=bare)
    assert state.labels == ()
    assert "langkah::07" in state.steps[6].labels


def test_an_sop_without_phases_has_no_empty_phase_table() -> None:
    """The epic of an SOP without `fase` shows no "Jadwal per fase" table.

    Its footer names the SOP, not a file in mappings/ (the SOP may live elsewhere).
    """
    text = (BUNDLED_MAPPINGS / "bali.yaml").read_text(encoding="utf-8")
    head, _, rest = text.partition("\nfase:\n")
    body = rest[rest.index("\nlangkah:") :]
    sop = parse_sop(head + body, "bali.yaml")
    assert sop.phases == ()
    epic = desired_state(sop, REQUEST, WorkCalendar(), CAPS, TrackerTexts()).epic.description
    assert "Jadwal per fase" not in epic
    assert "mappings/" not in epic
    assert "SOP `bali`" in epic
