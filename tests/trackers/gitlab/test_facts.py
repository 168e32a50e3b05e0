"""GitLab facts the emulator once hid, and how the adapter meets each (issue 9, part 4).

Epics take group labels only; ``Sudo`` needs an administrator's token; uploads are stored
under cleaned names; scoped labels are exclusive on epics too; epics and issues have their
own id sequences. Each test failed before the emulator behaved as GitLab and the adapter
followed.
"""

from __future__ import annotations

import gitlab
import pytest

from sop_sync.app.requests import converge
from sop_sync.errors import TrackerError
from sop_sync.model.changes import AddLabels, Attach, Comment, Ref
from sop_sync.model.labels import COLOURS, REQUEST
from sop_sync.render.tracker import TrackerTexts
from sop_sync.rules.evidence import evidence_status
from sop_sync.sop.model import Evidence, EvidenceKind
from sop_sync.trackers.gitlab.setup import setup_project
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

SOP_LABEL = "sop::karanganyar"

# --- epics take group labels only -----------------------------------------------------------


def test_epic_labels_are_group_labels_in_sop_syncs_colours() -> None:
    """On Premium `permohonan` and `sop::<id>` are group labels made by sop-sync, not by GitLab.

    Before, they were project labels; GitLab then made group labels of its own (default
    colour) for the epic, and every run tried to "fix" the colour again.
    """
    with emulator("premium") as fake:
        open_request(fake)
        group = fake.state.group_labels[group_id(fake)]
        assert group[REQUEST]["color"].upper() == COLOURS[REQUEST]
        assert group[SOP_LABEL]["color"].upper() == COLOURS["sop::"]
        project = fake.state.labels[project_id(fake)]
        assert REQUEST not in project
        assert "peran:Analisis Sistem" in project  # the steps' own labels stay in the project
        [epic] = fake.state.epics[group_id(fake)].values()
        assert epic["labels"] == [REQUEST, SOP_LABEL]


def test_a_project_label_of_the_same_name_is_tolerated() -> None:
    """An older run's project label `permohonan` stays; the group one is made; runs converge."""
    with emulator("premium") as fake:
        project = gitlab.Gitlab(fake.url, private_token=fake.token).projects.get(PROJECT)
        project.labels.create({"name": REQUEST, "color": COLOURS[REQUEST]})
        open_request(fake)
        fake.reset_log()
        open_request(fake)
        assert [(e.method, e.path) for e in fake.log if e.method != "GET"] == []
        assert len(fake.state.epics[group_id(fake)]) == 1
        assert REQUEST in fake.state.labels[project_id(fake)]
        assert REQUEST in fake.state.group_labels[group_id(fake)]


def test_without_group_rights_no_epic_is_made_and_none_twice() -> None:
    """A token that may not make group labels gets a clear refusal, never a label-less epic.

    GitLab would drop the labels silently; the epic would never be found again and every run
    would open another one.
    """
    with emulator("premium", manage_group_labels=False) as fake:
        for _ in range(2):
            outcome = converge(run(fake), SOP, request("absensi"), SETTINGS, TrackerTexts())
            assert not outcome.ok
            assert any("must first exist as labels of the group" in e for _, e in outcome.failures)
        assert fake.state.epics[group_id(fake)] == {}


def test_setup_makes_epic_labels_in_the_group_and_is_idempotent() -> None:
    """`gitlab setup` on Premium: an epic's labels in the group, the rest in the project; twice."""
    with emulator("premium") as fake:
        project = gitlab.Gitlab(fake.url, private_token=fake.token).projects.get(PROJECT)
        project.labels.create({"name": REQUEST, "color": "#000000"})  # an older run's
        done = setup_project(run(fake).session, [SOP])
        assert f"group label {REQUEST}" in done
        assert f"group label {SOP_LABEL}" in done
        assert "label langkah::01" in done
        fake.reset_log()
        assert setup_project(run(fake).session, [SOP]) == []
        assert fake.count() == fake.count("GET")


# --- Sudo needs an administrator -------------------------------------------------------------


def test_acting_as_a_person_needs_an_admin_token() -> None:
    """sop-sync's own work needs no administrator; acting as a person does, and says so."""
    with emulator("free", admin=False) as fake:
        open_request(fake)
        person = run(fake).acting_as("sari")
        with pytest.raises(TrackerError, match="Must be admin to use sudo") as refused:
            person.apply(Comment(Ref("absensi", 1), "Sudah"))
        assert "administrator's token" in refused.value.message


# --- uploads get cleaned names -----------------------------------------------------------------


@pytest.mark.parametrize("tier", ["free", "premium"])
def test_an_attachment_keeps_the_name_it_was_given(tier: str) -> None:
    """GitLab stores `Laporan UAT (final).pdf` as `Laporan_UAT__final_.pdf`; evidence still matches.

    The note's link text keeps the name given, and reading prefers it when it is the name the
    stored one was cleaned from.
    """
    with emulator(tier) as fake:
        open_request(fake)
        run(fake).acting_as("sari").apply(
            Attach(Ref("absensi", 10), "Laporan UAT (final).pdf", b"%PDF-1.7")
        )
        step = run(fake).observe("absensi").steps[10]
        [attachment] = step.attachments
        assert attachment.filename == "Laporan UAT (final).pdf"
        assert attachment.url.endswith("/Laporan_UAT__final_.pdf")
        assert attachment.uploaded_by == "sari"
        sop_step = SOP.step(10)
        named = Evidence.model_validate(
            {"jenis": EvidenceKind.ATTACHMENT.value, "nama": "Laporan", "pola": ["laporan uat (*"]}
        )
        for item in (*sop_step.evidence[:1], named):
            found = evidence_status(step, sop_step, item, request("absensi"))
            assert (found.present, found.found) == (True, "Laporan UAT (final).pdf")


# --- scoped labels and ids ---------------------------------------------------------------------


@pytest.mark.parametrize("tier", ["free", "premium"])
def test_scoped_labels_stay_exclusive_on_the_request_itself(tier: str) -> None:
    """Premium: GitLab keeps one label per scope on epics too; Free: sop-sync removes it."""
    with emulator(tier) as fake:
        open_request(fake)
        writer = run(fake)
        writer.apply(AddLabels(Ref("absensi"), ("status::menunggu",)))
        writer.apply(AddLabels(Ref("absensi"), ("status::selesai",)))
        epic = run(fake).observe("absensi").epic
        assert epic is not None
        assert {n for n in epic.labels if n.startswith("status::")} == {"status::selesai"}


def test_steps_and_notes_find_their_own_epic_when_ids_overlap() -> None:
    """Epic ids and issue ids come from separate sequences: equal numbers, never mixed up."""
    with emulator("premium") as fake:
        open_request(fake, "absensi")
        open_request(fake, "cuti")
        epics = {e["iid"]: e for e in fake.state.epics[group_id(fake)].values()}
        issues = fake.state.issues[project_id(fake)].values()
        assert {e["id"] for e in epics.values()} & {i["id"] for i in issues}  # they overlap
        observed = {key: run(fake).observe(key) for key in ("absensi", "cuti")}
        for key, seen in observed.items():
            assert seen.epic is not None
            own = epics[int(seen.epic.tracker_id)]
            for step in seen.steps.values():
                issue = fake.state.issues[project_id(fake)][int(step.tracker_id)]
                assert issue["epic"]["id"] == own["id"], (key, step.ref)
        run(fake).apply(Comment(Ref("cuti"), "Catatan permohonan"))
        cuti = int(observed["cuti"].epic.tracker_id)  # type: ignore[union-attr]
        notes = fake.state.notes[("epic", group_id(fake), cuti)]
        assert [n["body"] for n in notes] == ["Catatan permohonan"]
        on_issues = [n["body"] for k, ns in fake.state.notes.items() if k[0] == "issue" for n in ns]
        assert "Catatan permohonan" not in on_issues  # not on the issue that shares its id


def test_group_path_is_used_for_group_labels() -> None:
    """The group the settings name is where an epic's labels are made (not the project)."""
    with emulator("premium") as fake:
        open_request(fake)
        assert fake.state.groups[GROUP]["id"] == group_id(fake)
        assert set(fake.state.group_labels[group_id(fake)]) == {REQUEST, SOP_LABEL}
