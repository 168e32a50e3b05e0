"""Find SOP files by id in the mappings folder (the bundled seed SOPs by default)."""

from __future__ import annotations

from pathlib import Path

from sop_sync.errors import NotFoundError
from sop_sync.sop.loader import load_sop, sop_files
from sop_sync.sop.model import Sop


def sop_ids(folder: Path) -> list[str]:
    """The ids (file stems) of the SOP files in ``folder``, sorted."""
    return [path.stem for path in sop_files([folder])]


def sop_path(folder: Path, sop_id: str) -> Path:
    """The file of SOP ``sop_id``; a clear error listing the known ids otherwise."""
    for path in sop_files([folder]):
        if path.stem == sop_id:
            return path
    known = ", ".join(sop_ids(folder)) or "none"
    raise NotFoundError(f"unknown SOP {sop_id!r} in {folder} (known: {known})")


def find_sop(folder: Path, sop_id: str) -> Sop:
    """Load SOP ``sop_id`` from ``folder``."""
    return load_sop(sop_path(folder, sop_id))
