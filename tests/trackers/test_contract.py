"""The tracker contract: every protocol operation and every Change type, on every backend."""

from __future__ import annotations

import datetime as dt

import pytest

from sop_sync.app.apply import Outcome, apply_changes
from sop_sync.errors import TrackerError
from sop_sync.model.changes import (
    AddLabels,
    Attach,
    Change,
    Close,
    Comment,
    CreateIssue,
    Detach,
    EnsureLabel,
    EnsureMilestone,
    FieldUpdate,
    Label,
    Link,
    Milestone,
    Ref,
    RemoveLabels,
    Reopen,
    SetData,
    SetDescription,
    SetDue,
    SetMilestone,
    SetTitle,
    UpdateFields,
)
from sop_sync.model.labels import label_name
from sop_sync.model.request import LINKS_KEY
from sop_sync.model.tracker import State
from tests.trackers.conftest import Make
from tests.trackers.conftest import PersonalTracker as Tracker

KEY = "uji"
EPIC = Ref(KEY)
DATA = (("sop", "bali"), ("judul", "Aplikasi Uji"), ("mulai", "2026-12-01"))
M1 = Milestone("uji · Permohonan", dt.date(2026, 12, 1), dt.date(2026, 12, 2), "Fase 1")
M2 = Milestone("uji · Kesepakatan", dt.date(2026, 12, 3), None, "Fase 2")
ROLE = "peran::Kasi AI"


def role(tracker: Tracker) -> str:
    """The role label as the plan names it for this tracker (Jira: no spaces, ``label_spaces``)."""
    return label_name(ROLE, tracker.capabilities)


def seed(tracker: Tracker) -> None:
    """An epic, two step issues, labels and milestones.

    Step issues carry ``sop::<id>`` as every plan gives them: trackers may find them by it.
    """
    for label in (
        Label("permohonan", "#6A1B9A", "Permohonan"),
        Label(role(tracker), "#1565C0", "Pelaksana"),
        Label("langkah::01", "#757575", ""),
        Label("langkah::02", "#757575", ""),
    ):
        tracker.apply(EnsureLabel(label))
    tracker.apply(EnsureMilestone(M1))
    tracker.apply(EnsureMilestone(M2))
    tracker.apply(
        CreateIssue(EPIC, "Permohonan: Uji", "Deskripsi epic", ("permohonan",), data=DATA)
    )
    tracker.apply(
        CreateIssue(
            Ref(KEY, 1),
            "[uji] 01 · Usulan",
            "Langkah satu",
            ("sop::bali", role(tracker), "langkah::01"),
            assignees=("sari",),
            due=dt.date(2026, 12, 1),
            milestone=M1.title,
        )
    )
    tracker.apply(
        CreateIssue(
            Ref(KEY, 2),
            "[uji] 02 · Disposisi",
            "Langkah dua",
            ("sop::bali", "langkah::02"),
            milestone=M2.title,
        )
    )


def test_unknown_request_is_empty(tracker: Tracker, reread: Make) -> None:
    """Observing a key nobody opened gives an empty request, not an error."""
    observed = reread().observe("tidak-ada")
    assert observed.epic is None
    assert observed.steps == {}
    assert observed.links == frozenset()
    assert reread().requests() == []


def test_create_and_observe_back(tracker: Tracker, reread: Make) -> None:
    """Created issues read back with every field, label, assignee, due date and milestone."""
    seed(tracker)
    observed = reread().observe(KEY)
    assert observed.epic is not None
    assert observed.epic.title == "Permohonan: Uji"
    assert observed.epic.labels == {"permohonan"}
    assert observed.epic.data == dict(DATA)
    step = observed.steps[1]
    assert (step.title, step.description, step.state) == (
        "[uji] 01 · Usulan",
        "Langkah satu",
        State.OPEN,
    )
    assert step.labels == {"sop::bali", role(tracker), "langkah::01"}
    assert step.assignees == ("sari",)
    assert step.due == dt.date(2026, 12, 1)
    assert step.milestone == M1.title
    assert observed.steps[2].due is None
    assert observed.milestones == {M1.title: M1, M2.title: M2}
    if tracker.capabilities.label_definitions:  # Jira's labels are bare names
        assert observed.labels[ROLE] == Label(ROLE, "#1565C0", "Pelaksana")


def test_requests_lists_epics_with_their_data(tracker: Tracker, reread: Make) -> None:
    """Every request is listed from its epic's marker."""
    seed(tracker)
    [summary] = reread().requests()
    assert (summary.key, summary.sop_id, summary.title, summary.state) == (
        KEY, "bali", "Permohonan: Uji", State.OPEN,
    )  # fmt: skip
    assert summary.data == dict(DATA)


@pytest.mark.parametrize("ref", [EPIC, Ref(KEY, 1)], ids=["epic", "step"])
def test_create_twice_is_refused(tracker: Tracker, reread: Make, ref: Ref) -> None:
    """A second issue for the same marker is refused: duplicates are impossible."""
    seed(tracker)
    with pytest.raises(TrackerError):
        tracker.apply(CreateIssue(ref, "dup", "", ()))
    observed = reread().observe(KEY)
    assert len(observed.steps) == 2
    assert observed.epic is not None
    assert observed.epic.title == "Permohonan: Uji"
    assert observed.steps[1].title == "[uji] 01 · Usulan"
    assert len(reread().requests()) == 1


@pytest.mark.parametrize(
    ("update", "attribute"),
    [
        (SetTitle("[uji] 01 · Usulan baru"), "title"),
        (SetDescription("Teks baru"), "description"),
        (SetDue(dt.date(2026, 12, 9)), "due"),
        (SetDue(None), "due"),
        (SetMilestone(M2.title), "milestone"),
        (SetMilestone(None), "milestone"),
    ],
)
def test_update_each_field(
    tracker: Tracker, reread: Make, update: FieldUpdate, attribute: str
) -> None:
    """UpdateFields sets (or clears) one field and nothing else."""
    seed(tracker)
    before = reread().observe(KEY).steps[1]
    tracker.apply(UpdateFields(Ref(KEY, 1), (update,)))
    after = reread().observe(KEY).steps[1]
    assert getattr(after, attribute) == update.value
    assert after.labels == before.labels
    assert after.assignees == before.assignees


def test_update_epic_data(tracker: Tracker, reread: Make) -> None:
    """The epic's request data can be rewritten."""
    seed(tracker)
    new = (*DATA, ("keputusan", "2=tidak"))
    tracker.apply(UpdateFields(EPIC, (SetData(new),)))
    assert reread().requests()[0].data == dict(new)


def test_labels_add_and_remove(tracker: Tracker, reread: Make) -> None:
    """Labels are added (new ones defined on the fly) and removed."""
    seed(tracker)
    tracker.apply(AddLabels(Ref(KEY, 1), ("status::menunggu-bukti",)))
    assert "status::menunggu-bukti" in reread().observe(KEY).steps[1].labels
    tracker.apply(RemoveLabels(Ref(KEY, 1), ("status::menunggu-bukti", "langkah::01")))
    assert reread().observe(KEY).steps[1].labels == {"sop::bali", role(tracker)}


def test_close_and_reopen_record_events_once(tracker: Tracker, reread: Make) -> None:
    """Close and reopen change state and history; repeating one is a no-op.

    The history of closes and reopens is promised for a closed step (who closed it is what
    the rules judge); a tracker may leave it out for an open one (GitLab reads state events
    only for closed issues), so the reopen is read back once the step is closed again.
    """
    seed(tracker)
    tracker.acting_as("andi").apply(Close(Ref(KEY, 1)))
    tracker.acting_as("andi").apply(Close(Ref(KEY, 1)))
    step = reread().observe(KEY).steps[1]
    assert step.state is State.CLOSED
    assert [(e.actor, e.action) for e in step.events if e.action == "closed"] == [
        ("andi", "closed")
    ]
    tracker.acting_as("dewi").apply(Reopen(Ref(KEY, 1)))
    tracker.acting_as("dewi").apply(Reopen(Ref(KEY, 1)))
    assert reread().observe(KEY).steps[1].state is State.OPEN
    tracker.acting_as("sari").apply(Close(Ref(KEY, 1)))
    step = reread().observe(KEY).steps[1]
    assert [(e.actor, e.action) for e in step.events if e.action != "created"] == [
        ("andi", "closed"), ("dewi", "reopened"), ("sari", "closed")
    ]  # fmt: skip


def test_reopen_of_an_open_issue_changes_nothing(tracker: Tracker, reread: Make) -> None:
    """Reopening an issue that is open is a no-op without a history entry."""
    seed(tracker)
    tracker.acting_as("dewi").apply(Reopen(Ref(KEY, 2)))
    assert reread().observe(KEY).steps[2].state is State.OPEN
    tracker.acting_as("andi").apply(Close(Ref(KEY, 2)))
    step = reread().observe(KEY).steps[2]
    assert [(e.actor, e.action) for e in step.events if e.action != "created"] == [
        ("andi", "closed")
    ]


def test_comment_keeps_author_and_time(tracker: Tracker, reread: Make) -> None:
    """Notes carry the author the tracker recorded and a time, in order."""
    seed(tracker)
    tracker.acting_as("sari").apply(Comment(Ref(KEY, 2), "Pertama"))
    tracker.acting_as("dewi").apply(Comment(Ref(KEY, 2), "/sop setuju"))
    notes = reread().observe(KEY).steps[2].notes
    assert [(n.author, n.body) for n in notes] == [("sari", "Pertama"), ("dewi", "/sop setuju")]
    assert all(isinstance(n.created_at, dt.datetime) for n in notes)


def test_attach_and_observe_attachment(tracker: Tracker, reread: Make) -> None:
    """An attached file is listed with its name and uploader."""
    seed(tracker)
    tracker.acting_as("sari").apply(Attach(Ref(KEY, 1), "rancangan-dfd.png", b"\x89PNG..."))
    [attachment] = reread().observe(KEY).steps[1].attachments
    assert attachment.filename == "rancangan-dfd.png"
    assert attachment.uploaded_by == "sari"
    assert attachment.url


def test_detach_removes_one_attachment_and_is_idempotent(tracker: Tracker, reread: Make) -> None:
    """Detaching an earlier version leaves the other file; detaching it again changes nothing.

    The attachment is named by the id the tracker gave when it was observed (local: its row;
    Jira: the attachment id; GitLab: the upload's URL, whose link in the note is struck out).
    """
    seed(tracker)
    person = tracker.acting_as("sari")
    person.apply(Attach(Ref(KEY, 1), "draf-kak_001_0000aaaa.pdf", b"%PDF-1 lama"))
    person.apply(Attach(Ref(KEY, 1), "draf-kak_001_1111bbbb.pdf", b"%PDF-1 baru"))
    old, new = reread().observe(KEY).steps[1].attachments
    assert old.filename == "draf-kak_001_0000aaaa.pdf"
    tracker.apply(Detach(Ref(KEY, 1), old.id, old.filename))
    assert [a.filename for a in reread().observe(KEY).steps[1].attachments] == [new.filename]
    tracker.apply(Detach(Ref(KEY, 1), old.id, old.filename))  # gone already: no error
    [left] = reread().observe(KEY).steps[1].attachments
    assert (left.filename, left.uploaded_by) == (new.filename, "sari")


def test_link_is_observed_once(tracker: Tracker, reread: Make) -> None:
    """Ordering links read back as step-number pairs; linking again adds nothing.

    A run sees the links it made; a later run sees those the plan recorded in the epic's data
    (``tautan``), as the plan does after linking: trackers whose links cannot be listed in bulk
    (GitLab) read them from there rather than one issue at a time.
    """
    seed(tracker)
    tracker.apply(Link(Ref(KEY, 1), Ref(KEY, 2)))
    tracker.apply(Link(Ref(KEY, 1), Ref(KEY, 2)))
    assert tracker.observe(KEY).links == {(1, 2)}
    tracker.apply(UpdateFields(EPIC, (SetData((*DATA, (LINKS_KEY, "1>2"))),)))
    assert reread().observe(KEY).links == {(1, 2)}


def test_labels_and_milestones_are_upserts(tracker: Tracker, reread: Make) -> None:
    """Ensuring an existing label or milestone updates it in place."""
    seed(tracker)
    tracker.apply(EnsureLabel(Label("permohonan", "#000000", "baru")))
    moved = Milestone(M1.title, dt.date(2026, 12, 2), dt.date(2026, 12, 4), "geser")
    tracker.apply(EnsureMilestone(moved))
    observed = reread().observe(KEY)
    if tracker.capabilities.label_definitions:  # Jira's labels are bare names
        assert observed.labels["permohonan"] == Label("permohonan", "#000000", "baru")
    assert observed.milestones[M1.title] == moved


def test_milestones_observed_are_the_requests_own(tracker: Tracker, reread: Make) -> None:
    """A request sees the milestones its issues use and those titled for it, no others."""
    seed(tracker)
    spare = Milestone("uji · Serah Terima", dt.date(2027, 1, 4), dt.date(2027, 1, 8), "Fase 3")
    tracker.apply(EnsureMilestone(spare))
    tracker.apply(EnsureMilestone(Milestone("lain · Permohonan", None, None)))
    assert reread().observe(KEY).milestones == {M1.title: M1, M2.title: M2, spare.title: spare}
    assert reread().observe("lain").milestones == {
        "lain · Permohonan": Milestone("lain · Permohonan", None, None)
    }


@pytest.mark.parametrize(
    "change",
    [
        Close(Ref(KEY, 9)),
        Reopen(Ref(KEY, 9)),
        Comment(Ref(KEY, 9), "x"),
        AddLabels(Ref(KEY, 9), ("a",)),
        RemoveLabels(Ref(KEY, 9), ("a",)),
        UpdateFields(Ref(KEY, 9), (SetTitle("x"),)),
        Link(Ref(KEY, 1), Ref(KEY, 9)),
        Attach(Ref(KEY, 9), "a.txt", b"a"),
        Detach(Ref(KEY, 9), "1", "a.txt"),
    ],
    ids=lambda c: type(c).__name__,
)
def test_missing_ref_is_a_tracker_error(tracker: Tracker, reread: Make, change: object) -> None:
    """Acting on an issue that does not exist is a TrackerError naming it."""
    seed(tracker)
    with pytest.raises(TrackerError, match="uji langkah 09"):
        tracker.apply(change)  # type: ignore[arg-type]


def test_apply_changes_collects_failures_and_continues(tracker: Tracker, reread: Make) -> None:
    """The apply loop reports each failed change and still applies the rest."""
    seed(tracker)
    changes: list[Change] = [Close(Ref(KEY, 9)), Close(Ref(KEY, 1)), Comment(Ref(KEY, 8), "x")]
    outcome = apply_changes(tracker, changes, Outcome(KEY))
    assert [type(change).__name__ for change, _ in outcome.failures] == ["Close", "Comment"]
    assert reread().observe(KEY).steps[1].state is State.CLOSED


def test_history_records_actors(tracker: Tracker, reread: Make) -> None:
    """The event history says who created, commented and closed (in order).

    Who labelled is not part of it: no rule reads it (GitLab does not read label events).
    """
    seed(tracker)
    tracker.acting_as("andi").apply(AddLabels(Ref(KEY, 1), ("keputusan::ya",)))
    tracker.acting_as("sari").apply(Comment(Ref(KEY, 1), "ok"))
    tracker.acting_as("andi").apply(Close(Ref(KEY, 1)))
    step = reread().observe(KEY).steps[1]
    assert "keputusan::ya" in step.labels
    events = [(e.actor, e.action) for e in step.events if e.action != "labeled"]
    assert events[0][1] == "created"
    assert events[1:] == [("sari", "commented"), ("andi", "closed")]


def test_attachment_name_with_spaces_and_parentheses_is_kept(
    tracker: Tracker, reread: Make
) -> None:
    """A file name a person gave reads back as given (GitLab stores a cleaned copy of it)."""
    seed(tracker)
    tracker.acting_as("sari").apply(Attach(Ref(KEY, 1), "Laporan UAT (final).pdf", b"%PDF"))
    [attachment] = reread().observe(KEY).steps[1].attachments
    assert attachment.filename == "Laporan UAT (final).pdf"
    assert attachment.uploaded_by == "sari"


def test_a_request_reads_the_same_alone_and_among_others(tracker: Tracker, reread: Make) -> None:
    """The first request a run reads, and one read after another, look the same.

    GitLab reads the first request of a run on its own (its issues and milestones only) and
    the next ones from the SOP's listing; neither may differ from the other.
    """
    seed(tracker)
    other = Ref("lain")
    tracker.apply(CreateIssue(other, "Permohonan: Lain", "", ("permohonan",), data=DATA))
    tracker.apply(CreateIssue(Ref("lain", 1), "[lain] 01 · Usulan", "", ("sop::bali",)))
    tracker.acting_as("andi").apply(Comment(Ref(KEY, 1), "Catatan"))
    tracker.acting_as("andi").apply(Close(Ref(KEY, 2)))
    alone = reread().observe(KEY)
    later = reread()
    later.observe("lain")
    among = later.observe(KEY)
    assert alone.steps == among.steps
    assert alone.milestones == among.milestones
    assert alone.epic == among.epic
    assert [n.body for n in among.steps[1].notes if not n.system] == ["Catatan"]
    assert [e.actor for e in among.steps[2].events if e.action == "closed"] == ["andi"]
