"""YAML files read with the line of every key, and validation errors mapped back to lines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from sop_sync.config import load_settings
from sop_sync.errors import ConfigError, SopFileError, SopSyncError
from sop_sync.yamlfile import format_key_path, problems_at, read_yaml, validate


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Strict):
    """A row with a number keyed `no`, like an SOP step."""

    no: int
    name: str


class Document(_Strict):
    """A small document: rows and a count."""

    items: tuple[Item, ...]
    count: int = 0


class Cat(_Strict):
    """One member of a tagged union."""

    kind: Literal["cat"] = "cat"
    lives: int = 9


class Dog(_Strict):
    """The other member."""

    kind: Literal["dog"] = "dog"
    good: bool = True


class Pets(_Strict):
    """A section typed by its ``kind`` (pydantic puts the tag into error locations)."""

    pet: Annotated[Cat | Dog, Field(discriminator="kind")]


def problems(text: str, model: type[BaseModel] = Document) -> list[str]:
    """The problems reading and validating ``text`` as ``f.yaml`` reports."""
    data, lines = read_yaml(text, "f.yaml")
    with pytest.raises(SopFileError) as caught:
        validate(model, data, "f.yaml", lines)
    return caught.value.problems


# --- reading -----------------------------------------------------------------------------


def test_read_returns_the_data_and_the_line_of_every_key_path() -> None:
    """Every key and list item keeps its line (1-based)."""
    data, lines = read_yaml("a: 1\nb:\n  - x\n  - c: 2\n", "f.yaml")
    assert data == {"a": 1, "b": ["x", {"c": 2}]}
    assert lines == {(): 1, ("a",): 1, ("b",): 2, ("b", 0): 3, ("b", 1): 4, ("b", 1, "c"): 4}


@pytest.mark.parametrize("key", ["no", "yes", "on", "off", "y", "n"])
def test_keys_are_read_as_written_not_as_booleans(key: str) -> None:
    """YAML 1.1 would read the key `no` as False; keys stay the text written."""
    data, _ = read_yaml(f"{key}: 1\n", "f.yaml")
    assert data == {key: 1}


def test_unquoted_no_key_validates_as_a_step_number_field() -> None:
    """`- no: 1` in a list of rows fills the field named `no`."""
    data, lines = read_yaml("items:\n  - no: 1\n    name: a\n", "f.yaml")
    assert validate(Document, data, "f.yaml", lines) == Document(items=(Item(no=1, name="a"),))


def test_duplicate_key_names_its_line_and_path() -> None:
    """A key written twice in one mapping is an error at the second one."""
    with pytest.raises(SopFileError) as caught:
        read_yaml("a: 1\nb:\n  c: 2\n  c: 3\n", "f.yaml")
    assert caught.value.problems == ["f.yaml:4 (b.c): key 'c' appears twice"]


def test_same_key_in_different_mappings_is_no_duplicate() -> None:
    """`c` under `a` and `c` under `b` are different keys."""
    data, _ = read_yaml("a:\n  c: 1\nb:\n  c: 2\n", "f.yaml")
    assert data == {"a": {"c": 1}, "b": {"c": 2}}


def test_each_duplicate_is_reported_at_its_own_line() -> None:
    """A key written three times: the second and the third are named at their own lines."""
    with pytest.raises(SopFileError) as caught:
        read_yaml("a: 1\na: 2\na: 3\n", "f.yaml")
    assert caught.value.problems == [
        "f.yaml:2 (a): key 'a' appears twice",
        "f.yaml:3 (a): key 'a' appears twice",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [1, 2\nb: 3\n", "f.yaml:2: YAML syntax error: expected ',' or ']', but got ':'"),
        ("a: 1\n  b: 2\n", "f.yaml:2: YAML syntax error: mapping values are not allowed here"),
        ("a: 'x\n", "f.yaml:2: YAML syntax error: found unexpected end of stream"),
    ],
)
def test_syntax_error_names_its_line(text: str, message: str) -> None:
    """A YAML syntax error is one problem with the line where the parser stopped."""
    with pytest.raises(SopFileError) as caught:
        read_yaml(text, "f.yaml")
    assert caught.value.problems == [message]


@pytest.mark.parametrize("text", ["", "\n\n", "# hanya komentar\n"])
def test_empty_file_says_so(text: str) -> None:
    """A file with no document (or only comments) is empty."""
    with pytest.raises(SopFileError) as caught:
        read_yaml(text, "f.yaml")
    assert caught.value.problems == ["f.yaml:1: the file is empty"]


def test_aliases_are_resolved() -> None:
    """An anchor and its alias give the same value."""
    assert read_yaml("a: &x 1\nb: *x\n", "f.yaml")[0] == {"a": 1, "b": 1}


# --- validating --------------------------------------------------------------------------


def test_wrong_value_names_line_path_and_value() -> None:
    """A step number that is not a number: its line, `items[1].no`, and what was written."""
    text = "items:\n  - no: 1\n    name: a\n  - no: x\n    name: b\n"
    assert problems(text) == ["f.yaml:4 (items[1].no): should be a whole number, got 'x'"]


def test_unknown_key_is_named_at_its_line() -> None:
    """An extra key: "unknown key" with its own line."""
    text = "items:\n  - no: 1\n    name: a\n    nama: b\n"
    assert problems(text) == ["f.yaml:4 (items[0].nama): unknown key 'nama'"]


def test_missing_key_is_named_at_the_mapping_that_lacks_it() -> None:
    """A missing key has no line of its own: the line of the mapping it belongs to."""
    assert problems("items:\n  - no: 1\n") == ["f.yaml:2 (items[0].name): missing key 'name'"]


def test_top_level_value_error_names_its_key() -> None:
    """A wrong value at the top level: its line and key."""
    assert problems("items: []\ncount: abc\n") == [
        "f.yaml:2 (count): should be a whole number, got 'abc'"
    ]


def test_structure_given_for_a_list_is_not_echoed() -> None:
    """A mapping where a list belongs: the problem without echoing the mapping."""
    assert problems("items:\n  a: 1\n") == ["f.yaml:1 (items): should be a list"]


def test_scalar_given_for_a_list_is_echoed() -> None:
    """A number where a list belongs: the number is shown."""
    assert problems("items: 5\n") == ["f.yaml:1 (items): should be a list, got 5"]


def test_every_problem_is_reported() -> None:
    """Several problems in one file: all of them, in the file's order."""
    text = "items:\n  - no: x\n    name: a\n  - no: 2\n    name: b\n    extra: 1\ncount: y\n"
    assert problems(text) == [
        "f.yaml:2 (items[0].no): should be a whole number, got 'x'",
        "f.yaml:6 (items[1].extra): unknown key 'extra'",
        "f.yaml:7 (count): should be a whole number, got 'y'",
    ]


def test_tagged_union_location_leaves_out_the_tag() -> None:
    """Pydantic says `pet.cat.lives`; the file has `pet.lives`, and that is what is named."""
    assert problems("pet:\n  kind: cat\n  lives: banyak\n", Pets) == [
        "f.yaml:3 (pet.lives): should be a whole number, got 'banyak'"
    ]


def test_unknown_key_in_a_tagged_union_member() -> None:
    """An unknown key in the chosen member is named where it is written."""
    assert problems("pet:\n  kind: dog\n  lives: 3\n", Pets) == [
        "f.yaml:3 (pet.lives): unknown key 'lives'"
    ]


def test_unknown_tag_names_the_tags_there_are() -> None:
    """An unknown `kind` lists the kinds there are and shows the one written."""
    assert problems("pet:\n  kind: ikan\n", Pets) == [
        "f.yaml:1 (pet): should be one of 'cat', 'dog', got 'ikan'"
    ]


def test_problems_at_names_lines_of_key_paths() -> None:
    """Problems found after validation are named at the lines of their key paths."""
    _, lines = read_yaml("items:\n  - no: 1\n    name: a\n", "f.yaml")
    error = problems_at("f.yaml", lines, [(("items", 0, "name"), "bad"), (("nowhere",), "x")])
    assert error.problems == ["f.yaml:3 (items[0].name): bad", "f.yaml:1 (nowhere): x"]


@pytest.mark.parametrize(
    ("key_path", "text"),
    [
        ((), ""),
        (("langkah",), "langkah"),
        (("langkah", 3, "waktu"), "langkah[3].waktu"),
        (("a", 0, 1, "b"), "a[0][1].b"),
    ],
)
def test_format_key_path(key_path: tuple[str | int, ...], text: str) -> None:
    """Keys joined with dots, list positions in brackets."""
    assert format_key_path(key_path) == text


# --- through the configuration -----------------------------------------------------------


def settings_problem(tmp_path: Path, text: str) -> str:
    """The message loading ``text`` as the configuration file gives."""
    path = tmp_path / "sop-sync.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    return caught.value.message.replace(str(path), "sop-sync.yaml")


def test_config_unknown_key_in_the_tracker_section(tmp_path: Path) -> None:
    """`tracker.pth` (a typo) is named as written, without the union's tag `local`."""
    text = "tracker:\n  kind: local\n  pth: x.db\n"
    assert settings_problem(tmp_path, text) == "sop-sync.yaml:3 (tracker.pth): unknown key 'pth'"


def test_config_wrong_value_in_the_gitlab_section(tmp_path: Path) -> None:
    """A number where the GitLab URL belongs: `tracker.url`, not `tracker.gitlab.url`."""
    text = "tracker:\n  kind: gitlab\n  url: 5\n"
    assert settings_problem(tmp_path, text) == (
        "sop-sync.yaml:3 (tracker.url): should be text, got 5"
    )


def test_config_syntax_error_names_its_line(tmp_path: Path) -> None:
    """A syntax error in the configuration file names its line."""
    path = tmp_path / "sop-sync.yaml"
    path.write_text("calendar:\n  closures: [2026-12-31\n", encoding="utf-8")
    with pytest.raises(SopSyncError) as caught:
        load_settings(path, environ={})
    assert caught.value.message == (
        f"{path}:3: YAML syntax error: expected ',' or ']', but got '<stream end>'"
    )


@pytest.mark.parametrize(
    "text", ["calendar:\n  closures: [2026-12-31\n", "people: {}\npeople: {}\n"]
)
def test_config_file_unreadable_as_yaml_is_a_config_error(tmp_path: Path, text: str) -> None:
    """Every problem of the configuration file is a configuration error."""
    path = tmp_path / "sop-sync.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_settings(path, environ={})
