"""Problems as ``file:line (key.path): text``: pydantic's errors mapped back to the YAML.

:func:`validate` checks read data with a pydantic model; every error names the line of its key
path (the longest prefix of it written in the file) in words an analyst can act on.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sop_sync.errors import SopFileError

KeyPath = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)
Lines = dict[KeyPath, int]


def format_key_path(key_path: KeyPath) -> str:
    """``('langkah', 3, 'waktu')`` -> ``langkah[3].waktu``."""
    text = ""
    for part in key_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _line_of(lines: Lines, key_path: KeyPath) -> tuple[int, KeyPath]:
    """The line of the longest prefix of ``key_path`` present in the file."""
    for end in range(len(key_path), -1, -1):
        prefix = key_path[:end]
        if prefix in lines:
            return lines[prefix], prefix
    return 1, ()


def _message(name: str, lines: Lines, key_path: KeyPath, text: str) -> str:
    line, _ = _line_of(lines, key_path)
    where = f" ({format_key_path(key_path)})" if key_path else ""
    return f"{name}:{line}{where}: {text}"


# pydantic's wording where it talks Python rather than YAML
_PLAIN_WORDS = {
    "tuple_type": "should be a list",
    "int_parsing": "should be a whole number",
    "int_type": "should be a whole number",
    "string_type": "should be text",
    "bool_parsing": "should be true or false",
    "model_type": "should be a mapping of keys",
    "dict_type": "should be a mapping of keys",
}


_PATTERNS = {
    r"^[a-z0-9][a-z0-9-]*$": "should be an id of lower-case letters, digits and '-' "
    "(like 'analis-sistem')",
    r"^\d{18}$": "should be an NIP of 18 digits",
}
"""What a pattern asks for, in words (pydantic would print the regular expression)."""


def _plain_text(item: Any, siblings: list[Any]) -> str:
    """A problem in words an analyst can act on; ``siblings`` are errors at the same place."""
    kind = item["type"]
    context = item.get("ctx", {})
    kinds = {other["type"] for other in siblings}
    if kind == "string_pattern_mismatch":
        pattern = context.get("pattern", "")
        return _PATTERNS.get(pattern, f"should match the pattern {pattern}")
    if kind == "string_too_short" and context.get("min_length") == 1:
        return "should not be blank"
    if kind == "too_short":
        least = context.get("min_length", 1)
        return "needs at least one item" if least == 1 else f"needs at least {least} items"
    if {"int_parsing", "literal_error"} <= kinds:  # a step number or a word such as 'selesai'
        words = [o.get("ctx", {}).get("expected") for o in siblings if o["type"] == "literal_error"]
        return f"should be a step number or {' or '.join(w for w in words if w)}"
    return _PLAIN_WORDS.get(kind) or str(item["msg"]).removeprefix("Value error, ")


def _in_data(data: Any, loc: KeyPath) -> KeyPath:
    """``loc`` without the parts pydantic adds that are not keys of the data.

    A tagged union puts its tag in the location (``tracker.local.pth`` for ``tracker.pth``).
    The last part stays: it names the unknown or missing key itself.
    """
    path: list[str | int] = []
    node = data
    for position, part in enumerate(loc):
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
        elif position != len(loc) - 1:
            continue
        path.append(part)
    return tuple(path)


def _pydantic_problems(name: str, lines: Lines, error: ValidationError, data: Any) -> list[str]:
    problems: list[str] = []
    seen: set[KeyPath] = set()
    errors = error.errors(include_url=False)
    locs = [tuple(item["loc"]) for item in errors]
    for item in errors:
        loc: KeyPath = _in_data(data, tuple(item["loc"]))
        kind = item["type"]
        if kind == "too_short" and any(o[: len(loc)] == loc and o != loc for o in locs):
            continue  # a list whose items all failed: the items' own errors say why
        if kind == "extra_forbidden":
            text = f"unknown key {str(loc[-1])!r}"
            key_path = loc
        elif kind == "missing":
            text = f"missing key {str(loc[-1])!r}"
            key_path = loc
        else:
            # union members add their own loc parts ('int', "literal['selesai']"): drop them
            _, key_path = _line_of(lines, loc)
            siblings = [
                o for o in errors if _line_of(lines, _in_data(data, o["loc"]))[1] == key_path
            ]
            text = _plain_text(item, siblings)
            if kind == "union_tag_invalid":  # a tagged union: say which tags exist
                context = item.get("ctx", {})
                text = f"should be one of {context.get('expected_tags')}"
                item = {**item, "input": context.get("tag")}
            if (
                kind not in ("value_error", "too_short", "string_too_short")
                and "input" in item
                and not isinstance(item["input"], dict | list)
            ):
                text += f", got {item['input']!r}"
        if key_path in seen:
            continue
        seen.add(key_path)
        problems.append(_message(name, lines, key_path, text))
    return problems


def validate(
    model: type[M], data: Any, name: str, lines: Lines, context: dict[str, Any] | None = None
) -> M:
    """Validate ``data`` with ``model``; problems name file, line and key path."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as error:
        raise SopFileError(_pydantic_problems(name, lines, error, data)) from None


def problems_at(name: str, lines: Lines, problems: list[tuple[KeyPath, str]]) -> SopFileError:
    """An error listing ``(key path, message)`` problems with their lines."""
    return SopFileError([_message(name, lines, key, text) for key, text in problems])
