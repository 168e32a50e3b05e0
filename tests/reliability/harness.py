"""Start sop-sync as a real process, place a signal, read what it printed and left behind.

Every wait is bounded: a child that outlives its timeout is killed and the test fails.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CHILD = Path(__file__).with_name("child.py")
TIMEOUT = 60.0
"""Seconds any one child may take before it is killed."""


def long_sop(folder: Path, steps: int) -> Path:
    """A linear SOP ``panjang`` with ``steps`` steps of two hours each, in two phases."""
    half = steps // 2
    lines = [
        "id: panjang", "nama: SOP panjang untuk uji", "instansi:", "  - Dinas Uji",
        "pelaksana:", "  - id: analis", "    nama: Analis", "  - id: kasi", "    nama: Kasi",
        "fase:", "  - id: awal", "    nama: Awal", "    dari: 1", f"    sampai: {half}",
        "  - id: akhir", "    nama: Akhir", f"    dari: {half + 1}", f"    sampai: {steps}",
        "langkah:",
    ]  # fmt: skip
    for no in range(1, steps + 1):
        lines += [
            f"  - no: {no}",
            f"    kegiatan: Kegiatan nomor {no}",
            f"    pelaksana: [{'analis' if no % 2 else 'kasi'}]",
            "    waktu: 2 jam",
        ]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "panjang.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Workspace:
    """A folder with a local tracker file, a mappings folder and the environment for both."""

    folder: Path
    steps: int = 40

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        long_sop(self.mappings, self.steps)

    @property
    def db(self) -> Path:
        """The local tracker file."""
        return self.folder / "data" / "tracker.db"

    @property
    def files(self) -> Path:
        """The attachment folder beside it."""
        return self.db.with_name(self.db.name + ".files")

    @property
    def mappings(self) -> Path:
        """The SOP folder (holds ``panjang``)."""
        return self.folder / "mappings"

    def env(self, **extra: str) -> dict[str, str]:
        """The child's environment: this workspace, no colour, a wide terminal."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("SOP_SYNC_", "PYTEST_", "COV_"))
        }
        env.update(
            SOP_SYNC_DB=str(self.db),
            SOP_SYNC_MAPPINGS=str(self.mappings),
            COLUMNS="120",
            NO_COLOR="1",
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.update(extra)
        return env

    def open_args(self, key: str = "uji") -> list[str]:
        """``open panjang`` for request ``key``."""
        return ["open", "panjang", "--judul", f"Permohonan {key}", "--kunci", key,
                "--mulai", "2026-12-01", "--peran", "analis=sari"]  # fmt: skip


@dataclass
class Result:
    """How a child ended."""

    code: int
    stdout: str
    stderr: str
    seconds: float
    """From the start (or from the signal, for :func:`interrupt_at`) to the end."""

    @property
    def one_line_interrupted(self) -> bool:
        """Exit 130 and exactly ``interrupted`` on stderr."""
        return self.code == 130 and self.stderr.splitlines() == ["interrupted"]


@dataclass
class Child:
    """A started child and where it reports reaching its watched function."""

    process: subprocess.Popen[bytes]
    reached: Path
    started: float = field(default_factory=time.monotonic)

    def wait_reached(self, timeout: float = TIMEOUT) -> bool:
        """True once the watched function was called; False if the child ended first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.reached.exists():
                return True
            if self.process.poll() is not None:
                return self.reached.exists()
            time.sleep(0.005)
        self.process.kill()
        raise AssertionError(f"the child did not reach its point within {timeout} s")

    def finish(self, timeout: float = TIMEOUT, since: float | None = None) -> Result:
        """Wait for the end (killing the child after ``timeout``) and collect its output."""
        try:
            out, err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
            raise AssertionError(f"the child did not end within {timeout} s: {err!r}") from None
        ended = time.monotonic()
        return Result(
            self.process.returncode,
            (out or b"").decode("utf-8", "replace"),
            (err or b"").decode("utf-8", "replace"),
            ended - (self.started if since is None else since),
        )


def start(
    workspace: Workspace,
    args: Sequence[str],
    *,
    at: str = "",
    pause: bool = False,
    stderr: int | None = None,
    env: dict[str, str] | None = None,
) -> Child:
    """Start ``python -m sop_sync args`` (through :mod:`.child` when ``at`` names a point)."""
    reached = workspace.folder / f"reached-{time.monotonic_ns()}"
    extra = dict(env or {})
    if at:
        extra.update(
            SOP_SYNC_TEST_AT=at,
            SOP_SYNC_TEST_AT_FILE=str(reached),
            SOP_SYNC_TEST_AT_PAUSE="1" if pause else "",
        )
    uses_child = bool(at) or "SOP_SYNC_TEST_TRACKER" in extra
    command = [sys.executable, str(CHILD)] if uses_child else [sys.executable, "-m", "sop_sync"]
    process = subprocess.Popen(
        [*command, *args],
        cwd=workspace.folder,
        env=workspace.env(**extra),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if stderr is None else stderr,
    )
    return Child(process, reached)


def run(workspace: Workspace, args: Sequence[str], timeout: float = TIMEOUT) -> Result:
    """Run to the end."""
    return start(workspace, args).finish(timeout)


def interrupt_at(
    workspace: Workspace,
    args: Sequence[str],
    at: str,
    *,
    pause: bool = True,
    after: float = 0.0,
    env: dict[str, str] | None = None,
) -> Result:
    """Send SIGINT once the child reaches ``at`` (and ``after`` seconds more)."""
    child = start(workspace, args, at=at, pause=pause, env=env)
    if not child.wait_reached():
        result = child.finish()
        raise AssertionError(f"the child ended before reaching {at}: {result}")
    time.sleep(after)
    sent = time.monotonic()
    child.process.send_signal(signal.SIGINT)
    return child.finish(since=sent)


# --- a terminal for the progress bar ------------------------------------------------------


@contextlib.contextmanager
def terminal(columns: int = 100, rows: int = 30) -> Iterator[tuple[int, int]]:
    """A pseudo-terminal: (the side a child writes to, the side a test reads)."""
    reader, writer = os.openpty()
    fcntl.ioctl(writer, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    try:
        yield writer, reader
    finally:
        for fd in (reader, writer):
            with contextlib.suppress(OSError):
                os.close(fd)


def drain(fd: int) -> bytes:
    """Everything written to the terminal so far (the child's side must be closed)."""
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child's side is closed and everything was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass
class Screen:
    """What a person sees on a terminal after some output, and whether the cursor shows.

    Understands what rich's live display writes: text, CR, LF, erase line (``ESC[2K``,
    ``ESC[K``), cursor up/down/column (``ESC[nA``, ``ESC[nB``, ``ESC[nG``), colours and
    cursor visibility (``ESC[?25l``/``h``). Anything else is an error.
    """

    lines: list[str] = field(default_factory=lambda: [""])
    row: int = 0
    column: int = 0
    cursor_visible: bool = True

    CSI = re.compile(rb"\x1b\[(\??)([0-9;]*)([A-Za-z])")

    def feed(self, data: bytes) -> Screen:
        """Apply the bytes; return self."""
        at = 0
        while at < len(data):
            byte = data[at : at + 1]
            if byte == b"\x1b":
                match = self.CSI.match(data, at)
                if match is None:
                    raise ValueError(f"unknown escape at {data[at : at + 10]!r}")
                self._control(match.group(1), match.group(2), match.group(3))
                at = match.end()
                continue
            if byte == b"\r":
                self.column = 0
            elif byte == b"\n":
                self.row += 1
                self.column = 0
            elif byte == b"\x07":
                pass
            else:
                end = at
                while end < len(data) and data[end : end + 1] not in (b"\x1b", b"\r", b"\n"):
                    end += 1
                self._write(data[at:end].decode("utf-8", "replace"))
                at = end
                continue
            at += 1
        return self

    def _line(self) -> str:
        while len(self.lines) <= self.row:
            self.lines.append("")
        return self.lines[self.row]

    def _write(self, text: str) -> None:
        line = self._line().ljust(self.column)
        self.lines[self.row] = line[: self.column] + text + line[self.column + len(text) :]
        self.column += len(text)

    def _control(self, private: bytes, numbers: bytes, command: bytes) -> None:
        count = int(numbers or b"1") if numbers.isdigit() or not numbers else 0
        if private == b"?" and numbers == b"25":
            self.cursor_visible = command == b"h"
        elif command == b"m":
            pass
        elif command == b"K":
            line = self._line()
            self.lines[self.row] = "" if numbers == b"2" else line[: self.column]
        elif command == b"A":
            self.row = max(0, self.row - count)
        elif command == b"B":
            self.row += count
        elif command == b"G":
            self.column = max(0, count - 1)
        else:
            raise ValueError(f"unknown control ESC[{private!r}{numbers!r}{command!r}")

    @property
    def text(self) -> list[str]:
        """The non-blank lines, right-trimmed."""
        return [line.rstrip() for line in self.lines if line.strip()]


# --- what a local tracker file holds ------------------------------------------------------


def duplicates(db: Path) -> int:
    """Owned objects present more than once for one marker (request key, step)."""
    with contextlib.closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as c:
        rows = c.execute(
            "SELECT COUNT(*) - 1 FROM issues GROUP BY request_key, IFNULL(step, 0) "
            "HAVING COUNT(*) > 1"
        ).fetchall()
    return sum(int(n) for (n,) in rows)


def attachment_duplicates(db: Path) -> int:
    """Attachments recorded more than once: same issue, file name, content and uploader."""
    with contextlib.closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as c:
        rows = c.execute(
            "SELECT COUNT(*) - 1 FROM attachments "
            "GROUP BY issue_id, filename, sha256, uploaded_by HAVING COUNT(*) > 1"
        ).fetchall()
    return sum(int(n) for (n,) in rows)


def orphans(db: Path) -> tuple[list[str], list[str]]:
    """(files no attachment names, attachments whose file is missing)."""
    files = db.with_name(db.name + ".files")
    present = {p.name for p in files.iterdir()} if files.is_dir() else set()
    with contextlib.closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as c:
        named = {name for (name,) in c.execute("SELECT stored_name FROM attachments")}
    return sorted(present - named), sorted(named - present)


def integrity(db: Path) -> str:
    """SQLite's own check of the file: ``ok`` when sound."""
    with contextlib.closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as c:
        return str(c.execute("PRAGMA integrity_check").fetchone()[0])


def kill_at(child: Child, delay: float) -> bool:
    """SIGKILL the child after ``delay`` seconds; False when it had ended already."""
    deadline = child.started + delay
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            return False
        time.sleep(0.001)
    if child.process.poll() is not None:
        return False
    child.process.send_signal(signal.SIGKILL)
    child.finish()
    return True
