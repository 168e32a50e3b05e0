"""YAML files read with the line of every key, and validation errors mapped back to lines."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field

from sop_sync.config import load_settings
from sop_sync.errors import ConfigError, NotFoundError, SopFileError, SopSyncError
from sop_sync.yamlfile import (
    MAX_ALIAS_VALUES,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_FILE_BYTES,
    MAX_VALUES,
    files,
    format_key_path,
    problems_at,
    read_text,
    read_yaml,
    reader,
    validate,
)


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


# --- hostile files ------------------------------------------------------------------------

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
"""A billion laughs: under 900 bytes, 9**9 (387 million) values once every alias is expanded."""


def problem(text: str | bytes) -> str:
    """The one problem reading ``text`` as ``f.yaml`` reports."""
    with pytest.raises(SopFileError) as caught:
        read_yaml(text, "f.yaml")
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value.problems[0]


def test_billion_laughs_is_refused_in_bounded_memory(parser: str) -> None:
    """Aliases that would expand past the budget are refused before the data grows."""
    assert len(LAUGHS.encode()) < 900
    tracemalloc.start()
    try:
        message = problem(LAUGHS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message == (
        f"f.yaml:5 (e[0][2][0][6][7]): aliases expand to more than {MAX_ALIAS_VALUES} values; "
        "write the values out instead"
    )
    assert peak < 20_000_000, f"peak {peak / 1e6:.1f} MB"


def test_a_few_aliases_stay_allowed() -> None:
    """Aliases within the budget read as before: each use is a copy of the anchored value."""
    data, lines = read_yaml("a: &x {b: [1, 2]}\nc: *x\nd: [*x, *x]\n", "f.yaml")
    assert data == {"a": {"b": [1, 2]}, "c": {"b": [1, 2]}, "d": [{"b": [1, 2]}] * 2}
    assert lines[("d", 1, "b")] == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &a [1, *a]\n", "f.yaml:1 (a[1]): an alias refers to a value that holds it"),
        ("a: &a {b: *a}\n", "f.yaml:1 (a.b): an alias refers to a value that holds it"),
        ("a: &a {b: [{c: *a}]}\n", "f.yaml:1 (a.b[0].c): an alias refers to a value that holds it"),
    ],
)
def test_recursive_alias_is_refused(text: str, message: str, parser: str) -> None:
    """An alias inside its own anchor would never end."""
    assert problem(text) == message


@pytest.fixture(params=["libyaml", "pyyaml"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test twice: with libyaml (when PyYAML has it) and with PyYAML's own parser."""
    if request.param == "pyyaml":
        monkeypatch.setattr(reader, "LOADER", yaml.SafeLoader)
    return str(request.param)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 999, 1001, 100_000])
def test_nesting_deeper_than_the_limit_is_refused(depth: int, parser: str) -> None:
    """Lists in lists past the limit: one line, whether libyaml or PyYAML reads the file."""
    message = problem("a:\n  " + "[" * depth + "]" * depth + "\n")
    assert message == f"f.yaml:2: nested deeper than {MAX_DEPTH} levels"


def test_nesting_made_by_an_alias_is_refused(parser: str) -> None:
    """An alias of a deep value inside another deep value: refused where it is copied."""
    deep = MAX_DEPTH - 5
    text = f"a: &a {'[' * deep}{']' * deep}\nb: {'[' * 10}*a{']' * 10}\n"
    assert problem(text) == f"f.yaml:2 (b[0][0][0]…): nested deeper than {MAX_DEPTH} levels"


def test_more_values_than_the_limit_are_refused_before_composing(
    parser: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three bytes a value add up: the count stops at the limit, naming its line."""
    monkeypatch.setattr(reader, "MAX_VALUES", 1000)
    message = problem("a:\n  - [" + "x, " * 1000 + "x]\n")
    assert message == "f.yaml:2: the file holds more than 1000 values"


def test_a_file_at_the_value_limit_is_refused_quickly() -> None:
    """Three million values in 9 MB: refused after counting the first 200,000, in seconds."""
    began = time.perf_counter()
    message = problem("a: [" + "x, " * 3_000_000 + "x]\n")
    assert message == f"f.yaml:1: the file holds more than {MAX_VALUES} values"
    assert time.perf_counter() - began < 5


def test_block_nesting_deeper_than_the_limit_is_refused(parser: str) -> None:
    """Indented mappings count as well (libyaml stops at 1000 levels, PyYAML would recurse)."""
    text = "".join(" " * level + f"k{level}:\n" for level in range(2000)) + " " * 2000 + "x\n"
    assert problem(text).endswith(f": nested deeper than {MAX_DEPTH} levels")


def test_nesting_up_to_the_limit_reads() -> None:
    """Exactly the limit is allowed."""
    data, _ = read_yaml("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1), "f.yaml")
    assert isinstance(data, list)


@pytest.mark.parametrize(
    "text",
    ["? [a, b]\n: 1\n", "{a: 1}: 2\n", "x: &k {a: 1}\n*k : 2\n"],
    ids=["list", "mapping", "alias"],
)
def test_a_key_must_be_a_scalar(text: str) -> None:
    """Keys are text or numbers; a list or mapping as a key is refused at its line."""
    assert problem(text).endswith(": a key must be text or a number, not a list or mapping")


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("a: !!python/object:os.system x\n", "!!python/object:os.system"),
        ("a: !!python/object/apply:os.system [ls]\n", "!!python/object/apply:os.system"),
        ("a: !tag x\n", "!tag"),
        ("a: !tag {b: 1}\n", "!tag"),
        ("a: !tag [1]\n", "!tag"),
        ("a: !!binary aGk=\n", "!!binary"),
        ("a: !!set {b}\n", "!!set"),
        ("a: !<tag:example.com,2026:x> 1\n", "tag:example.com,2026:x"),
        ("!x k: 1\n", "!x"),
    ],
)  # fmt: skip
def test_unknown_tags_are_refused(text: str, tag: str) -> None:
    """Only plain YAML values: a tag sop-sync does not know is named, never constructed."""
    key = "k" if text.startswith("!x") else "a"
    assert problem(text) == f"f.yaml:1 ({key}): unknown tag {tag!r}: write a plain value"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!str [1]\n", "a tag that does not fit this value '!!str': write a plain value"),
        ("a: !!seq {b: 1}\n", "a tag that does not fit this value '!!seq': write a plain value"),
        ("a: !!bool maybe\n", "cannot read 'maybe' as !!bool"),
        ("a: !!int x\n", "cannot read 'x' as !!int"),
        ("a: !!timestamp x\n", "cannot read 'x' as !!timestamp"),
        ("a: !!float " + "x" * 100 + "\n", f"cannot read '{'x' * 36}…' as !!float"),
    ],
)
def test_a_standard_tag_on_the_wrong_value_is_refused(text: str, message: str) -> None:
    """`!!str` on a list, `!!bool maybe`: one line, the value shortened, never a traceback."""
    assert problem(text) == f"f.yaml:1 (a): {message}"


def test_standard_tags_stay_allowed() -> None:
    """`!!str 5` is the text '5'; `!!int "5"` the number 5."""
    assert read_yaml('a: !!str 5\nb: !!int "5"\n', "f.yaml")[0] == {"a": "5", "b": 5}


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("99999999999999999999", "99999999999999999999"),
        ("-1000000000000000000", "-1000000000000000000"),
        ("0xFFFFFFFFFFFFFFFFF", "0xFFFFFFFFFFFFFFFFF"),
        ("9" * 5000, "9" * 20 + "…"),
    ],
)
def test_huge_integers_are_refused(written: str, shown: str) -> None:
    """A whole number of more than 18 digits is refused (Python would take any size)."""
    assert problem(f"no: {written}\n") == (
        f"f.yaml:1 (no): the number {shown} is too large (more than {MAX_DIGITS} digits)"
    )


def test_eighteen_digits_stay_allowed() -> None:
    """An 18-digit number (the size of an NIP) reads."""
    assert read_yaml("no: 999999999999999999\n", "f.yaml")[0] == {"no": 999_999_999_999_999_999}


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("2026-02-30", "day is out of range for month"),
        ("0000-01-01", "year 0 is out of range"),
    ],
)
def test_impossible_dates_are_refused(written: str, reason: str) -> None:
    """A value shaped like a date that is no date: one line, not a ValueError."""
    assert problem(f"mulai: {written}\n") == f"f.yaml:1 (mulai): no such date {written}: {reason}"


def test_non_utf8_bytes_name_their_line() -> None:
    """Bytes that are not UTF-8 are refused with the line of the first bad byte."""
    assert problem(b"a: 1\nb: caf\xe9\n") == (
        "f.yaml:2: the file is not UTF-8 text (byte 0xe9); save it as UTF-8"
    )


def test_utf8_bytes_read() -> None:
    """UTF-8 bytes read like text, a byte-order mark included."""
    assert read_yaml("\ufeffa: café\n".encode(), "f.yaml")[0] == {"a": "café"}


@pytest.mark.parametrize("text", ["   \n\t\n", "\t", " \r\n "])
def test_whitespace_file_is_empty(text: str) -> None:
    """Spaces, tabs and line breaks only: the file is empty (not a syntax error on a tab)."""
    assert problem(text) == "f.yaml:1: the file is empty"


@pytest.mark.parametrize(
    ("text", "line"), [("a: \x00\n", 1), ("a: 1\nb: \x07\n", 2), ("a: \ud800\n", 1)]
)
def test_control_characters_are_one_line(text: str, line: int, parser: str) -> None:
    """A character YAML does not allow: one line with its line number."""
    message = problem(text)
    assert message.startswith(f"f.yaml:{line}: YAML syntax error: unacceptable character #x")
    assert "\n" not in message


def test_file_larger_than_the_limit_is_refused() -> None:
    """More text than any SOP needs is refused before it is parsed."""
    message = problem("a: " + "x" * MAX_FILE_BYTES + "\n")
    assert message == f"f.yaml:1: the file is larger than {MAX_FILE_BYTES // 1_000_000} MB"


# --- reading files -----------------------------------------------------------------------


def test_read_text_returns_the_text(tmp_path: Path) -> None:
    """A UTF-8 file's text."""
    path = tmp_path / "a.yaml"
    path.write_text("a: café\n", encoding="utf-8")
    assert read_text(path) == "a: café\n"


def test_read_text_of_a_missing_file_is_not_found(tmp_path: Path) -> None:
    """A missing file: not found, naming it."""
    with pytest.raises(NotFoundError) as caught:
        read_text(tmp_path / "none.yaml")
    assert caught.value.message == f"{tmp_path / 'none.yaml'}: no such file"


LATIN = "(byte 0xe9); save it as UTF-8"


@pytest.mark.parametrize(
    ("make", "problem_text"),
    [
        (lambda p: p.mkdir(), "is a folder, not a file"),
        (lambda p: p.write_bytes(b"a: caf\xe9\n"), f"the file is not UTF-8 text {LATIN}"),
        (lambda p: p.write_bytes(b"a: " + b"x" * 200), "the file is larger than 0.0001 MB"),
    ],
    ids=["folder", "latin-1", "too-large"],
)  # fmt: skip
def test_read_text_refuses_in_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make: Callable[[Path], object],
    problem_text: str,
) -> None:
    """A folder, a file that is not UTF-8 and one too large: one line naming the file."""
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 100)
    path = tmp_path / "x.yaml"
    make(path)
    with pytest.raises(SopFileError) as caught:
        read_text(path)
    assert caught.value.problems == [f"{path}:1: {problem_text}"]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_read_text_refuses_a_device() -> None:
    """An endless device is no file: refused without reading it."""
    with pytest.raises(SopFileError) as caught:
        read_text(Path("/dev/zero"))
    assert caught.value.problems == ["/dev/zero:1: not a regular file"]
