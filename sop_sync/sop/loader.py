"""Load SOP files with errors that name the file, the line and the key path.

``mappings/x.yaml:41 (langkah[3].waktu): cannot read the time ...``
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sop_sync.errors import SopFileError
from sop_sync.sop.checks import check_sop
from sop_sync.sop.durations import Unit
from sop_sync.sop.model import Sop
from sop_sync.yamlfile import format_key_path, problems_at, read_text, read_yaml, validate

__all__ = ["format_key_path", "load_sop", "parse_sop", "sop_files"]


def parse_sop(text: str, name: str) -> Sop:
    """Parse SOP YAML ``text``; ``name`` is the file name used in messages."""
    data, lines = read_yaml(text, name)
    if not isinstance(data, dict):
        raise SopFileError([f"{name}:1: an SOP file is a mapping (id, nama, langkah, ...)"])
    plain = Unit.HARI_KALENDER if data.get("satuan_hari") == "kalender" else Unit.HARI_KERJA
    sop = validate(Sop, data, name, lines, context={"plain_hari": plain})
    problems = check_sop(sop)
    if problems:
        raise problems_at(name, lines, problems)
    return sop


def load_sop(path: Path | str) -> Sop:
    """Load and check one SOP file."""
    path = Path(path)
    text = read_text(path)
    sop = parse_sop(text, str(path))
    if sop.id != path.stem:
        raise SopFileError(
            [
                f"{path}:{_id_line(text)} (id): the id {sop.id!r} must match the file name "
                f"{path.stem!r}"
            ]
        )
    return sop


def _id_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("id:"):
            return number
    return 1


def sop_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their ``*.yaml``/``*.yml`` files, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        else:
            files.append(path)
    return files
