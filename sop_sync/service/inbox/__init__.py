"""The service's durable inbox: :func:`open_inbox` picks SQLite or PostgreSQL from the setting.

The protocol and its semantics are in :mod:`.base`; :mod:`.sqlite` (one host, the default)
and :mod:`.postgres` (several hosts) implement them alike, and the same tests run on both.
"""

from __future__ import annotations

from pathlib import Path

from sop_sync.errors import ConfigError
from sop_sync.secrets import mask_url
from sop_sync.service.inbox.base import Inbox

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_inbox(
    url: str, *, max_attempts: int, retry_seconds: float = 5.0, busy_timeout: float = 10.0
) -> Inbox:
    """The inbox a setting names: a ``postgresql://`` URL, else the path of a SQLite file.

    ``busy_timeout`` is how long SQLite waits for another process's lock (PostgreSQL: unused).
    Errors are one line naming the file, or the URL with its password masked.
    """
    text = url.strip()
    if not text:
        raise ConfigError("service.inbox is empty: give a file path or a postgresql:// URL")
    if text.lower().startswith(POSTGRES_SCHEMES):
        from sop_sync.service.inbox.postgres import PostgresInbox  # psycopg only when used

        return PostgresInbox(text, max_attempts=max_attempts, retry_seconds=retry_seconds)
    scheme, sep, _ = text.partition("://")
    if sep and scheme.replace("+", "").isalnum():
        raise ConfigError(
            f"{mask_url(text)}: the inbox is a SQLite file path or a postgresql:// URL, "
            f"not {scheme}://"
        )
    from sop_sync.service.inbox.sqlite import SqliteInbox

    return SqliteInbox(
        Path(text).expanduser(),
        max_attempts=max_attempts,
        retry_seconds=retry_seconds,
        busy_timeout=busy_timeout,
    )
