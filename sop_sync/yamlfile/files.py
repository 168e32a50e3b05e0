"""YAML files read as text: a regular file of UTF-8 up to a size, or one line saying why not.

Shared by SOP files, request files and (through :func:`read_text`) anything else sop-sync
reads as YAML, so a folder, a device, another encoding or a huge file is refused the same way.
"""

from __future__ import annotations

import stat
from pathlib import Path

from sop_sync.errors import NotFoundError, SopFileError

MAX_FILE_BYTES = 10_000_000
"""No SOP, configuration or request file comes near this (the largest seed SOP is 20 kB; an
SOP of 8,000 steps is about 1 MB)."""


def too_large(name: str) -> SopFileError:
    """The error for a file over :data:`MAX_FILE_BYTES`."""
    return SopFileError([f"{name}:1: the file is larger than {MAX_FILE_BYTES / 1e6:g} MB"])


def decode(data: bytes, name: str) -> str:
    """UTF-8 ``data`` as text (a byte-order mark dropped); one line naming a bad byte."""
    if len(data) > MAX_FILE_BYTES:
        raise too_large(name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        raise SopFileError(
            [f"{name}:{line}: the file is not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8"]
        ) from None


def read_text(path: Path) -> str:
    """The text of the YAML file ``path``: a regular file of UTF-8 text up to the size limit.

    Anything else is one line naming the file (a folder, a device, other bytes, too much).
    """
    name = str(path)
    try:
        status = path.stat()
        if stat.S_ISDIR(status.st_mode):
            raise SopFileError([f"{name}:1: is a folder, not a file"])
        if not stat.S_ISREG(status.st_mode):
            raise SopFileError([f"{name}:1: not a regular file"])
        if status.st_size > MAX_FILE_BYTES:
            raise too_large(name)
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None
    except OSError as error:
        raise SopFileError([f"{name}:1: cannot read the file: {error.strerror}"]) from None
    return decode(data, name)
