"""The request value: keys, the data kept in the epic's marker, the links it records."""

from __future__ import annotations

import datetime as dt

import pytest

from sop_sync.errors import InputError
from sop_sync.model.request import (
    RequestInput,
    derive_key,
    format_links,
    names_per_role,
    parse_date,
    parse_links,
)

REQUEST = RequestInput(
    key="absensi",
    sop_id="karanganyar",
    title="Aplikasi Absensi Pegawai",
    start=dt.date(2026, 12, 1),
    requester="Badan Kepegawaian Daerah",
    people=(("analis-sistem", ("sari",)), ("tim-pengembang", ("budi", "citra"))),
    repo="https://git.example.go.id/bkd/absensi",
)


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


def test_people_for_a_role() -> None:
    """The usernames of a role, in order; nobody for a role without people."""
    assert REQUEST.people_for("tim-pengembang") == ("budi", "citra")
    assert REQUEST.people_for("pd-pengampu") == ()


def test_links_round_trip_and_ignore_malformed_items() -> None:
    """``1>2,2>3`` is the links' text form; broken items are skipped, not fatal."""
    assert format_links(((1, 2), (2, 3))) == "1>2,2>3"
    assert parse_links("1>2,2>3") == {(1, 2), (2, 3)}
    assert parse_links("1>2,x>3,,4>") == {(1, 2)}


def test_parse_date_gives_a_clear_error() -> None:
    """A malformed date names the value and the expected form."""
    assert parse_date("2026-12-01") == dt.date(2026, 12, 1)
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        parse_date("1 Desember 2026")


def test_a_single_name_stands_for_a_list() -> None:
    """In YAML, ``role: name`` is read as ``role: [name]``."""
    assert names_per_role({"a": "sari", "b": ["budi"]}) == {"a": ["sari"], "b": ["budi"]}


def test_role_holders_are_encoded_so_a_name_cannot_grant_a_role() -> None:
    """`sari;pd-pengampu=mallory` is refused as a username; it can never become a PD holder."""
    with pytest.raises(InputError, match="malformed username 'sari;pd-pengampu=mallory'"):
        RequestInput(
            key="k",
            sop_id="s",
            title="t",
            start=dt.date(2026, 12, 1),
            people=(("analis-sistem", ("sari;pd-pengampu=mallory",)),),
        )


def test_role_holders_round_trip_through_the_marker_as_json() -> None:
    """People are kept as JSON in the marker, and read back exactly."""
    data = dict(REQUEST.as_data())
    assert data["peran"] == '{"analis-sistem": ["sari"], "tim-pengembang": ["budi", "citra"]}'
    assert RequestInput.from_data("absensi", data).people == REQUEST.people


def test_markers_of_older_versions_are_still_read() -> None:
    """The `role=a,b;role2=c` form older markers carry reads as before."""
    data = {**dict(REQUEST.as_data()), "peran": "analis-sistem=sari;tim-pengembang=budi,citra"}
    assert RequestInput.from_data("absensi", data).people == REQUEST.people


@pytest.mark.parametrize("role", ["Analis", "analis sistem", "", "a" * 41])
def test_role_ids_are_checked(role: str) -> None:
    """A role id is a slug, as in the SOP file."""
    with pytest.raises(InputError, match="malformed role id"):
        RequestInput("k", "s", "t", dt.date(2026, 12, 1), people=((role, ("sari",)),))


@pytest.mark.parametrize("name", ["sari", "budi.santoso", "557058:f58131cb-b67d", "a_b@dinas"])
def test_usernames_of_every_tracker_are_accepted(name: str) -> None:
    """GitLab usernames, Jira Data Center names and Jira Cloud account ids are all valid."""
    request = RequestInput("k", "s", "t", dt.date(2026, 12, 1), people=(("analis", (name,)),))
    assert request.people_for("analis") == (name,)
