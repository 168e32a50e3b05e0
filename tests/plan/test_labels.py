"""The labels one SOP needs on one tracker: structural names, definitions, colours."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from sop_sync.model.changes import Label
from sop_sync.model.labels import COLOURS, REQUEST, STATUS_LABELS, family
from sop_sync.model.tracker import Capabilities, Hierarchy
from sop_sync.plan.labels import label_set
from tests.builders import seed

GITLAB = Capabilities(hierarchy=Hierarchy.EPIC, blocking_links=True, scoped_labels=True)
JIRA = dataclasses.replace(GITLAB, label_spaces=False, label_definitions=False)
SEEDS = ["bkd-jateng", "kemenkes-kepegawaian", "karanganyar", "bali", "egov"]
KARANGANYAR = seed("karanganyar")


def test_sop_label_names_the_sop() -> None:
    """One `sop::<id>` label per SOP."""
    assert label_set(KARANGANYAR, GITLAB).sop_label == "sop::karanganyar"


def test_role_labels_use_the_role_names() -> None:
    """`peran:<nama>` per role id, one colon (not scoped: a step may have several roles)."""
    assert label_set(KARANGANYAR, GITLAB).roles == {
        "analis-sistem": "peran:Analisis Sistem",
        "tim-pengembang": "peran:Programmer/Tim Pengembang",
        "seksi-psi": "peran:Seksi Pengembangan Sistem Informasi",
        "pd-pengampu": "peran:PD Pengampu Sistem",
        "seksi-egov": "peran:Seksi Peng. e-Gov. dan Komunikasi dan Persandian",
    }


def test_phase_labels_use_the_phase_names() -> None:
    """`fase::<nama>` per phase id."""
    assert label_set(seed("bali"), GITLAB).phases == {
        "permohonan": "fase::Permohonan dan Disposisi",
        "proses-bisnis": "fase::Pembahasan dan Analisis Proses Bisnis",
        "kesepakatan": "fase::Kesepakatan Lingkup dan Jadwal",
    }


def test_step_labels_are_two_digit_numbers() -> None:
    """`langkah::NN` per step, zero-padded so they sort."""
    steps = label_set(KARANGANYAR, GITLAB).steps
    assert (steps[1], steps[14]) == ("langkah::01", "langkah::14")
    assert list(steps) == list(range(1, 15))


def test_epic_carries_the_request_and_sop_labels() -> None:
    """The epic: `permohonan` and `sop::<id>`."""
    assert label_set(KARANGANYAR, GITLAB).for_epic() == {REQUEST, "sop::karanganyar"}


def test_step_carries_sop_step_roles_and_phase() -> None:
    """Step 10: the SOP, its number, both its roles and its phase."""
    labels = label_set(KARANGANYAR, GITLAB)
    assert labels.for_step(KARANGANYAR.step(10)) == {
        "sop::karanganyar",
        "langkah::10",
        "peran:Analisis Sistem",
        "peran:PD Pengampu Sistem",
        "fase::Pengujian",
    }


def test_phase_of_each_step() -> None:
    """Every step of Karanganyar lies in a phase, by phase id."""
    phase_of = label_set(KARANGANYAR, GITLAB).phase_of_step
    assert (phase_of[1], phase_of[9], phase_of[14]) == (
        "analisis-kebutuhan",
        "pembangunan",
        "implementasi",
    )


def test_definitions_list_every_label_once() -> None:
    """Request, SOP, roles, phases, steps and status labels: 1 + 1 + 5 + 6 + 14 + 6."""
    names = [label.name for label in label_set(KARANGANYAR, GITLAB).definitions]
    assert len(names) == 33
    assert Counter(names).most_common(1)[0][1] == 1


def test_request_label_definition() -> None:
    """`permohonan` is defined with its own colour and description."""
    assert label_set(KARANGANYAR, GITLAB).definitions[0] == Label(
        REQUEST, "#6A1B9A", "Permohonan aplikasi (epic sop-sync)"
    )


def test_status_labels_are_defined_once_with_their_descriptions() -> None:
    """Every status label the rules set is among the definitions, once, described."""
    definitions = label_set(KARANGANYAR, GITLAB).definitions
    status = [label for label in definitions if label.name in STATUS_LABELS]
    assert [(label.name, label.description) for label in status] == list(STATUS_LABELS.items())


@pytest.mark.parametrize("sop_id", SEEDS)
def test_definitions_are_coloured_by_family(sop_id: str) -> None:
    """Every definition takes its family's colour."""
    for label in label_set(seed(sop_id), GITLAB).definitions:
        assert label.color == COLOURS[family(label.name)], label.name


@pytest.mark.parametrize("sop_id", SEEDS)
def test_no_label_has_a_comma(sop_id: str) -> None:
    """GitLab sends label lists comma-separated: no name may hold one."""
    assert not [
        label.name for label in label_set(seed(sop_id), GITLAB).definitions if "," in label.name
    ]


def test_role_name_with_a_comma_loses_it() -> None:
    """E-Gov's "Bidang E-Gov, Persandian dan Statistik" becomes a comma-free label."""
    assert label_set(seed("egov"), GITLAB).roles["bidang-egov"] == (
        "peran:Bidang E-Gov Persandian dan Statistik"
    )


def test_description_keeps_the_name_as_written() -> None:
    """The description still shows the role name with its comma."""
    definitions = label_set(seed("egov"), GITLAB).definitions
    [role] = [d for d in definitions if d.name == "peran:Bidang E-Gov Persandian dan Statistik"]
    assert role.description == "Pelaksana: Bidang E-Gov, Persandian dan Statistik"


@pytest.mark.parametrize("sop_id", SEEDS)
def test_no_label_has_a_space_where_the_tracker_takes_none(sop_id: str) -> None:
    """With `label_spaces=False` (Jira) no name holds a space."""
    labels = label_set(seed(sop_id), JIRA)
    assert not [label.name for label in labels.definitions if " " in label.name]


def test_spaces_become_dashes_in_every_structural_name() -> None:
    """Role, phase and step-issue labels agree with the definitions on such a tracker."""
    labels = label_set(KARANGANYAR, JIRA)
    assert labels.roles["pd-pengampu"] == "peran:PD-Pengampu-Sistem"
    assert labels.phases["implementasi"] == "fase::Pelatihan-Implementasi-dan-Evaluasi"
    defined = {label.name for label in labels.definitions}
    assert labels.for_step(KARANGANYAR.step(12)) <= defined


def test_owns_structural_labels_only() -> None:
    """The label set owns its structural families, not the rules' nor people's labels."""
    labels = label_set(KARANGANYAR, GITLAB)
    owned = {name for name in (label.name for label in labels.definitions) if labels.owns(name)}
    assert owned == {label.name for label in labels.definitions} - set(STATUS_LABELS)
    assert not labels.owns("prioritas::tinggi")
