"""Label names and colours: what a tracker accepts, families, and the status labels."""

from __future__ import annotations

import dataclasses
import re

import pytest

from sop_sync.model.changes import Label
from sop_sync.model.labels import (
    ANSWER_NO,
    ANSWER_YES,
    COLOURS,
    CORRECTED,
    REQUEST,
    SIGNED_OFF,
    SKIPPED,
    STATUS_LABELS,
    WAITING,
    family,
    label_name,
    make_label,
    owned,
)
from sop_sync.model.tracker import Capabilities, Hierarchy

GITLAB = Capabilities(hierarchy=Hierarchy.EPIC, blocking_links=True, scoped_labels=True)
JIRA = dataclasses.replace(GITLAB, label_spaces=False, label_definitions=False)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("peran:Kasi AI", "peran:Kasi AI"),
        (
            "peran:Bidang E-Gov, Persandian dan Statistik",
            "peran:Bidang E-Gov Persandian dan Statistik",
        ),
        ("peran:A,B", "peran:A B"),
        ("  fase::Analisis   Kebutuhan \n", "fase::Analisis Kebutuhan"),
    ],
)
def test_label_name_has_no_commas_and_single_spaces(name: str, expected: str) -> None:
    """Commas become spaces (GitLab splits label lists on them); whitespace runs collapse."""
    assert label_name(name, GITLAB) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("peran:Kabag Mutasi & PKP", "peran:Kabag-Mutasi-&-PKP"),
        ("peran:Bidang E-Gov, Persandian", "peran:Bidang-E-Gov-Persandian"),
        ("fase::Analisis  Kebutuhan", "fase::Analisis-Kebutuhan"),
        (SKIPPED, SKIPPED),
    ],
)
def test_label_name_without_spaces_where_the_tracker_takes_none(name: str, expected: str) -> None:
    """On a tracker without spaces in labels (Jira) each space becomes one '-'."""
    assert label_name(name, JIRA) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("permohonan", "permohonan"),
        ("sop::karanganyar", "sop::"),
        ("peran:Kasi AI", "peran:"),
        ("fase::Perencanaan", "fase::"),
        ("langkah::07", "langkah::"),
        (SKIPPED, "status::"),
        (ANSWER_YES, "keputusan::"),
        (SIGNED_OFF, "uat::"),
        ("bug", "permohonan"),
        ("peran", "permohonan"),
    ],
)
def test_family_is_the_prefix(name: str, expected: str) -> None:
    """A label's family is its known prefix; anything else falls back to `permohonan`."""
    assert family(name) == expected


def test_make_label_colours_by_family() -> None:
    """A role label takes the role colour, its name made acceptable first."""
    assert make_label("peran:Kasi, AI", "Pelaksana: Kasi AI", JIRA) == Label(
        "peran:Kasi-AI", "#1565C0", "Pelaksana: Kasi AI"
    )


def test_each_family_has_its_own_colour() -> None:
    """No two families share a colour, so a board reads at a glance."""
    assert len(set(COLOURS.values())) == len(COLOURS)


def test_colours_are_hex_rgb() -> None:
    """Every colour is `#RRGGBB`."""
    assert [c for c in COLOURS.values() if not re.fullmatch(r"#[0-9A-F]{6}", c)] == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (REQUEST, True),
        ("sop::egov", True),
        ("peran:Staf", True),
        ("fase::Perancangan", True),
        ("langkah::01", True),
        (SKIPPED, False),
        (WAITING, False),
        (ANSWER_NO, False),
        (SIGNED_OFF, False),
        ("permohonan-lain", False),
        ("prioritas::tinggi", False),
    ],
)
def test_owned_labels_are_the_structural_families(name: str, expected: bool) -> None:
    """sop-sync keeps structural labels in sync; the rules' and people's labels are not."""
    assert owned(name) is expected


def test_status_labels_are_exactly_the_rules_labels() -> None:
    """The labels the rules set are the ones described, each once."""
    assert list(STATUS_LABELS) == [SKIPPED, WAITING, CORRECTED, ANSWER_YES, ANSWER_NO, SIGNED_OFF]


@pytest.mark.parametrize("name", list(STATUS_LABELS))
def test_status_labels_need_no_change_on_any_tracker(name: str) -> None:
    """The rules compare names as written: they must come out of `label_name` unchanged."""
    assert label_name(name, GITLAB) == name
    assert label_name(name, JIRA) == name


@pytest.mark.parametrize("name", list(STATUS_LABELS))
def test_status_labels_are_not_structural(name: str) -> None:
    """Status labels belong to the rules' families, never to the structural ones."""
    assert family(name) in ("status::", "keputusan::", "uat::")
