"""SQLite helpers of the local tracker.

Read-only connections, the error codes it tells apart, and one-line messages for people.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import suppress
from pathlib import Path

from sop_sync.trackers.local.schema import SCHEMA, SCHEMA_VERSION

BUSY_STEP = 0.05
"""Seconds SQLite itself waits for a lock before sop-sync checks for Ctrl-C and its deadline."""
LOCKED = "the database is locked by another sop-sync process; try again when it is done"


def connect_read_only(path: Path, *, immutable: bool) -> sqlite3.Connection:
    """``mode=ro``: SQLite itself refuses to write or create anything."""
    uri = f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
    return sqlite3.connect(uri, uri=True, timeout=BUSY_STEP, isolation_level=None)


def empty() -> sqlite3.Connection:
    """An in-memory database with the schema: what a missing file reads as."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript(SCHEMA)
    db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    return db


def sync_folder(folder: Path) -> None:
    """Make a new file's name durable (where the platform can)."""
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def code(error: sqlite3.Error) -> int:
    """SQLite's primary result code of an error (-1 when the driver gave none)."""
    code = getattr(error, "sqlite_errorcode", -1)
    return int(code) & 0xFF if isinstance(code, int) and code >= 0 else -1


def cannot_create_beside(error: sqlite3.Error) -> bool:
    """SQLite could not create the files it keeps beside the database (read-only folder)."""
    extended = getattr(error, "sqlite_errorcode", -1)
    return code(error) == sqlite3.SQLITE_CANTOPEN or extended == sqlite3.SQLITE_READONLY_DIRECTORY


def busy(error: sqlite3.Error) -> bool:
    """The error means another connection holds a lock."""
    found = code(error)
    if found in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return True
    return found < 0 and "locked" in str(error)


def explain(error: sqlite3.Error | OSError) -> str:
    """One line for a person from a driver or file-system error."""
    text = " ".join(str(error).split())  # one line, whatever the driver said
    if "locked" in text or "busy" in text:
        return LOCKED
    if "not a database" in text or "malformed" in text:
        return "the file is not a sop-sync database (corrupted?); restore it from a backup"
    if "readonly database" in text:
        return "the file or its folder is read-only; sop-sync needs to write there"
    return text
