"""Find SOP files by id in the mappings folder (the bundled seed SOPs by default)."""

from __future__ import annotations

import functools
from pathlib import Path

from sop_sync.errors import NotFoundError
from sop_sync.sop.loader import load_sop, sop_files
from sop_sync.sop.model import Sop


def sop_ids(folder: Path) -> list[str]:
    """The ids (file stems) of the SOP files in ``folder``, sorted."""
    return [path.stem for path in sop_files([folder])]


def sop_path(folder: Path, sop_id: str) -> Path:
    """The file of SOP ``sop_id``; a clear error listing the known ids otherwise."""
    try:
        listed = _listing(folder, folder.stat().st_mtime_ns)
    except OSError:
        listed = ()
    for path in listed:
        if path.stem == sop_id:
            return path
    known = ", ".join(sop_ids(folder)) or "none"
    raise NotFoundError(
        f"unknown SOP {sop_id!r} in {folder} (known: {known}); to use SOP files elsewhere, "
        "give --mappings <folder>, set SOP_SYNC_MAPPINGS, or write `mappings: <folder>` "
        "in sop-sync.yaml"
    )


def find_sop(folder: Path, sop_id: str) -> Sop:
    """Load SOP ``sop_id`` from ``folder`` (parsed once while the file stays the same)."""
    path = sop_path(folder, sop_id)
    stat = path.stat()
    return _load(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _listing(folder: Path, mtime_ns: int) -> tuple[Path, ...]:
    """The SOP files of a folder, listed again only when the folder changes."""
    return tuple(sop_files([folder]))


@functools.lru_cache(maxsize=64)
def _load(path: Path, mtime_ns: int, size: int) -> Sop:
    """One parse per file version: a run over many requests parses each SOP once."""
    return load_sop(path)
