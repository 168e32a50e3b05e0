"""YAML files with errors that name the file, the line and the key path.

Shared by SOP files, the configuration and request files: the YAML is composed into nodes so
every key keeps its line (:mod:`.reader`, which also refuses hostile files; :mod:`.files` reads
a file's text within limits), then validated by a pydantic model whose errors are mapped back
to lines (:mod:`.problems`).
"""

from __future__ import annotations

from sop_sync.yamlfile.files import MAX_FILE_BYTES, read_text
from sop_sync.yamlfile.problems import KeyPath, Lines, format_key_path, problems_at, validate
from sop_sync.yamlfile.reader import (
    LOADER,
    MAX_ALIAS_VALUES,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_VALUES,
    read_yaml,
)

__all__ = [
    "LOADER",
    "MAX_ALIAS_VALUES",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_FILE_BYTES",
    "MAX_VALUES",
    "KeyPath",
    "Lines",
    "format_key_path",
    "problems_at",
    "read_text",
    "read_yaml",
    "validate",
]
