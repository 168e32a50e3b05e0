"""Reading YAML text into plain data with the line of every key, refusing hostile files.

The YAML is composed into nodes (by libyaml where PyYAML has it) and read by :class:`_Reader`,
which keeps each key's line and refuses, in one line naming file, line and key path, what no
SOP needs and what would let a small file take the machine's memory or time.
"""

from __future__ import annotations

from typing import Any

import yaml

from sop_sync.errors import SopFileError
from sop_sync.yamlfile import files
from sop_sync.yamlfile.files import decode
from sop_sync.yamlfile.problems import KeyPath, Lines, format_key_path

LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it (several times faster); its nodes carry
the same marks, so every key keeps its line."""

MAX_ALIAS_VALUES = 10_000
"""Values that aliases may add to a file (each use of ``*anchor`` copies the anchored value):
enough for any sharing a person writes, far too few for a billion laughs."""
MAX_DEPTH = 50
"""Levels of lists and mappings inside each other; the seed SOPs need 5."""
MAX_VALUES = 200_000
"""Values (scalars, lists, mappings, aliases) in one file: an SOP of 8,000 steps holds about
66,000. Composing costs some 400 bytes and 3 µs a value, so this bounds memory and time."""
MAX_DIGITS = 18
"""Digits of a whole number (an NIP has 18); more is no step number, count or time."""

_STANDARD = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(
    _STANDARD + t for t in ("null", "bool", "int", "float", "str", "timestamp")
)
_AS_WRITTEN = frozenset(_STANDARD + t for t in ("str", "merge", "value"))
"""Text, and the tags YAML gives the plain scalars ``<<`` and ``=``: read as written."""


def _written(tag: str) -> str:
    """A tag as a person writes it: ``tag:yaml.org,2002:int`` -> ``!!int``."""
    return f"!!{tag.removeprefix(_STANDARD)}" if tag.startswith(_STANDARD) else tag


_TAGS: dict[type[yaml.Node], frozenset[str]] = {
    yaml.ScalarNode: _SCALAR_TAGS | _AS_WRITTEN,
    yaml.SequenceNode: frozenset({_STANDARD + "seq"}),
    yaml.MappingNode: frozenset({_STANDARD + "map"}),
}


def _shown(text: str, longest: int = 24) -> str:
    """``text`` cut for a one-line message."""
    return text if len(text) <= longest else f"{text[: longest - 4]}…"


class _Reader:
    """Turns a composed YAML node tree into plain data, remembering each key's line.

    Refuses what no SOP needs and what would let a small file take the machine: aliases that
    copy more than :data:`MAX_ALIAS_VALUES` values or contain themselves, nesting deeper than
    :data:`MAX_DEPTH`, keys that are lists or mappings, tags beyond plain YAML values, and
    whole numbers of more than :data:`MAX_DIGITS` digits.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: Lines = {}
        self.duplicates: list[tuple[int, KeyPath, str]] = []
        """(line, key path, message) of each repeated key."""
        self._constructor = yaml.SafeLoader("")
        self._seen: set[int] = set()
        """Nodes read once: meeting one again means an alias copies it."""
        self._open: set[int] = set()
        """Lists and mappings being read: meeting one of them again is an alias inside itself."""
        self._copied = 0

    def read(self, node: yaml.Node, key_path: KeyPath, copy: int = 0, parent: int = 1) -> Any:
        """The data of ``node``.

        ``copy`` is the line where an alias being copied was used (0 outside aliases);
        ``parent`` the line of the list or key holding ``node``.
        """
        if not copy and id(node) in self._seen:
            copy = parent
        here = copy or node.start_mark.line + 1
        if copy:
            self._copied += 1
            if self._copied > MAX_ALIAS_VALUES:
                raise self._refuse(
                    here,
                    key_path,
                    f"aliases expand to more than {MAX_ALIAS_VALUES} values; "
                    "write the values out instead",
                )
        else:
            self._seen.add(id(node))
        self._check_tag(node, here, key_path)
        self.lines.setdefault(key_path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, here, key_path)
        if id(node) in self._open:
            raise self._refuse(here, key_path, "an alias refers to a value that holds it")
        if len(key_path) >= MAX_DEPTH:
            where = f"{format_key_path(key_path[:4])}…"
            raise SopFileError(
                [f"{self.name}:{here} ({where}): nested deeper than {MAX_DEPTH} levels"]
            )
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, key_path, copy)
            return [
                self.read(item, (*key_path, index), copy, here)
                for index, item in enumerate(node.value)
            ]
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, key_path: KeyPath, copy: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            line = copy or key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise self._refuse(
                    line, key_path, "a key must be text or a number, not a list or mapping"
                )
            # keys are taken as written: YAML 1.1 would read the key `no` as False
            key = key_node.value
            child = (*key_path, str(key))
            self._check_tag(key_node, line, child)
            if key in result:
                self.duplicates.append((line, child, f"key {key!r} appears twice"))
                continue
            self.lines[child] = key_node.start_mark.line + 1
            result[key] = self.read(value_node, child, copy, line)
        return result

    def _scalar(self, node: yaml.ScalarNode, line: int, key_path: KeyPath) -> Any:
        if node.tag in _AS_WRITTEN:
            return node.value
        if node.tag == _STANDARD + "int" and len(node.value.replace("_", "")) > MAX_DIGITS + 3:
            raise self._too_large(node.value, line, key_path)
        try:
            value = self._constructor.construct_object(node)
        except (ValueError, OverflowError, LookupError, AttributeError, yaml.YAMLError) as error:
            # a value its tag cannot take: `2026-02-30`, `!!bool maybe`, `!!int x`
            reason = str(error).splitlines()[0]
            written = _shown(node.value, 40)
            text = (
                f"no such date {written}: {reason}"
                if node.tag == _STANDARD + "timestamp" and isinstance(error, ValueError)
                else f"cannot read {written!r} as {_written(node.tag)}"
            )
            raise self._refuse(line, key_path, text) from None
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**MAX_DIGITS:
            raise self._too_large(node.value, line, key_path)
        return value

    def _check_tag(self, node: yaml.Node, line: int, key_path: KeyPath) -> None:
        if node.tag not in _TAGS[type(node)]:
            known = any(node.tag in tags for tags in _TAGS.values())
            what = "a tag that does not fit this value" if known else "unknown tag"
            text = f"{what} {_shown(_written(node.tag), 60)!r}: write a plain value"
            raise self._refuse(line, key_path, text)

    def _too_large(self, written: str, line: int, key_path: KeyPath) -> SopFileError:
        return self._refuse(
            line,
            key_path,
            f"the number {_shown(written)} is too large (more than {MAX_DIGITS} digits)",
        )

    def _refuse(self, line: int, key_path: KeyPath, text: str) -> SopFileError:
        where = f" ({format_key_path(key_path)})" if key_path else ""
        return SopFileError([f"{self.name}:{line}{where}: {text}"])


_EXPLAIN_LIMIT = 200_000
"""Characters up to which a file libyaml refuses is parsed again by PyYAML for its message:
PyYAML parses about 1 MB a second, so a larger broken file keeps libyaml's message."""


def _compose(text: str) -> yaml.Node | None:
    """The node tree, parsed by libyaml where PyYAML has it.

    The events are counted first (a fraction of the time composing takes): a file nested
    deeper than :data:`MAX_DEPTH` or holding more than :data:`MAX_VALUES` values is refused
    before any node is built. A file libyaml refuses is parsed again by PyYAML's own parser,
    whose messages say more ("expected ',' or ']', but got ':'"), unless it is large.
    """
    try:
        _count(text, LOADER)
        return yaml.compose(text, Loader=LOADER)
    except (yaml.YAMLError, UnicodeError) as error:
        mark = getattr(error, "problem_mark", None)
        if getattr(error, "problem", None) == "exceeded maximum nesting depth" and mark:
            # libyaml's scanner runs ahead of the events: past its own limit (1,000) first
            raise _LimitError(mark.line + 1, f"nested deeper than {MAX_DEPTH} levels") from None
        if LOADER is yaml.SafeLoader or len(text) > _EXPLAIN_LIMIT:
            raise
    _count(text, yaml.SafeLoader)
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _count(text: str, loader: type[yaml.SafeLoader]) -> None:
    """Refuse ``text`` when its values nest too deep or are too many (before composing)."""
    depth = values = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.NodeEvent):
            values += 1
            if values > MAX_VALUES:
                raise _LimitError(_line(event), f"the file holds more than {MAX_VALUES} values")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _LimitError(_line(event), f"nested deeper than {MAX_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _line(event: yaml.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 1


class _LimitError(Exception):
    """A limit passed while counting events: the line, and what was passed."""


def read_yaml(text: str | bytes, name: str) -> tuple[Any, Lines]:
    """Parse ``text`` (bytes are UTF-8); return the data and the line of every key path.

    Every problem is one line naming ``name`` and the line; see :class:`_Reader` for what is
    refused besides YAML syntax errors.
    """
    if isinstance(text, bytes):
        text = decode(text, name)
    if len(text) > files.MAX_FILE_BYTES:
        raise files.too_large(name)
    if not text.strip():
        raise SopFileError([f"{name}:1: the file is empty"])
    try:
        node = _compose(text)
    except _LimitError as limit:
        line, problem = limit.args
        raise SopFileError([f"{name}:{line}: {problem}"]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = error.problem or error.context or "invalid YAML"
        raise SopFileError([f"{name}:{line}: YAML syntax error: {problem}"]) from None
    except (yaml.YAMLError, UnicodeError) as error:
        position = getattr(error, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else 1
        problem = str(error).splitlines()[0]
        raise SopFileError([f"{name}:{line}: YAML syntax error: {problem}"]) from None
    if node is None:
        raise SopFileError([f"{name}:1: the file is empty"])
    reader = _Reader(name)
    data = reader.read(node, ())
    if reader.duplicates:
        raise SopFileError(
            [f"{name}:{line} ({format_key_path(k)}): {t}" for line, k, t in reader.duplicates]
        )
    return data, reader.lines
