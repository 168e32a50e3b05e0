"""A real PostgreSQL server for the tests: a throw-away cluster on 127.0.0.1, trust auth.

The Debian ``postgresql`` package (``.ci/system-packages``) puts ``initdb`` and ``pg_ctl`` in
``/usr/lib/postgresql/<version>/bin``. PostgreSQL refuses to run as root, so as root the
cluster belongs to the ``postgres`` user (the package creates it) and the commands run through
``runuser``. Without the binaries the tests that need the server fail in CI (``CI`` set) and
are skipped elsewhere.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg
import pytest

START_TIMEOUT = 60


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_bin() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres`` (newest version), or None."""
    candidates: list[Path] = []
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(Path(found).resolve().parent)

    def version(folder: Path) -> float:
        with suppress(ValueError):
            return float(folder.parent.name)
        return 0.0

    candidates += sorted(
        (p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")),
        key=version,
        reverse=True,
    )
    for folder in candidates:
        if all((folder / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def unavailable(reason: str) -> None:
    """Fail in CI, skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is needed in CI: {reason}")
    pytest.skip(f"no PostgreSQL server to test against: {reason}")


@contextmanager
def running_postgres() -> Iterator[str]:
    """Start a cluster; yield the DSN of its ``postgres`` database; stop it (immediately)."""
    folder = find_bin()
    if folder is None:
        unavailable("initdb/pg_ctl not found (install the Debian package postgresql)")
        raise AssertionError("unreachable")  # pytest.skip/fail raised
    prefix: list[str] = []
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            unavailable("running as root and there is no postgres user to run the server")
            raise AssertionError("unreachable") from None
        prefix = ["runuser", "-u", "postgres", "--"]
    # not under pytest's tmp_path: its root folder is private to the user running the tests
    base = Path(tempfile.mkdtemp(prefix="sop-sync-pg-"))
    data = base / "data"
    if owner is not None:
        os.chown(base, owner.pw_uid, owner.pw_gid)
    port = free_port()
    log = base / "server.log"

    def run(*args: str) -> None:
        done = subprocess.run(
            [*prefix, *args], capture_output=True, text=True, timeout=START_TIMEOUT, check=False
        )
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip()
            if log.exists():
                detail += "\n" + log.read_text(errors="replace")[-2000:]
            pytest.fail(f"{Path(args[0]).name} failed: {detail}")

    started = False
    try:
        run(
            str(folder / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={base} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )  # the tests prove the inbox's semantics, not the disk's durability
        run(str(folder / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o", options, "start")
        started = True
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if started:
            subprocess.run(
                [*prefix, str(folder / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=START_TIMEOUT,
                check=False,
            )
        shutil.rmtree(base, ignore_errors=True)


def database_url(dsn: str, name: str) -> str:
    """The URL of database ``name`` on the server ``dsn`` points at."""
    return dsn.rsplit("/", 1)[0] + "/" + name


def create_database(dsn: str) -> str:
    """A new, empty database on the server; its URL."""
    name = "inbox_" + uuid.uuid4().hex[:16]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}".encode())
    return database_url(dsn, name)


def drop_database(dsn: str, url: str) -> None:
    """Drop a database made by :func:`create_database`, whoever is still connected."""
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)".encode())
