"""Hostile files and values through the command line: one line, exit 1, bounded time and memory.

Each case runs ``sop_sync.cli.run`` in this process (fast, every case), and the ones that
once took the machine's memory or time also run as ``python -m sop_sync`` in a child with a
timeout and an address-space limit, so a regression fails the test instead of the runner.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from sop_sync.cli import run
from tests.sop.test_loader import VALID
from tests.test_yamlfile import LAUGHS

ROOT = Path(__file__).resolve().parents[1]
MEMORY_LIMIT = 1 << 30
"""Address space a child may map (1 GiB): Python and the libraries need about a quarter."""
TIME_LIMIT = 60
"""Seconds a child may take before it counts as a hang."""


@dataclass(frozen=True)
class Case:
    """A hostile input: the file to write (if any) and the arguments that read it."""

    name: str
    args: tuple[str, ...]
    files: tuple[tuple[str, bytes | None], ...] = ()
    """``(relative path, content)``; None makes a folder."""
    expect: str = ""
    """Text the one line of stderr contains."""
    child: bool = False
    """Also run in a child process with limits."""


def _sop(text: str) -> bytes:
    return text.encode()


def _deep(levels: int) -> bytes:
    return ("a:\n  " + "[" * levels + "]" * levels + "\n").encode()


def _blocks(levels: int) -> bytes:
    return ("".join(" " * n + f"k{n}:\n" for n in range(levels)) + " " * levels + "x\n").encode()


VALIDATE = ("sop", "validate", "contoh.yaml")
CASES = [
    Case("billion-laughs", VALIDATE, (("contoh.yaml", LAUGHS.encode()),), "aliases expand", True),
    Case("recursive-alias", VALIDATE, (("contoh.yaml", b"a: &a [1, *a]\n"),), "holds it", True),
    Case("nesting-100000", VALIDATE, (("contoh.yaml", _deep(100_000)),), "nested deeper", True),
    Case("nesting-60", VALIDATE, (("contoh.yaml", _deep(60)),), "nested deeper"),
    Case("block-nesting-2000", VALIDATE, (("contoh.yaml", _blocks(2000)),), "nested deeper", True),
    Case("list-as-key", VALIDATE, (("contoh.yaml", b"? [a, b]\n: 1\n"),), "a key must be"),
    Case("mapping-as-key", VALIDATE, (("contoh.yaml", b"{a: 1}: 2\n"),), "a key must be"),
    Case(
        "python-object-tag",
        VALIDATE,
        (("contoh.yaml", b"a: !!python/object/apply:os.system [ls]\n"),),
        "unknown tag",
    ),
    Case("custom-tag", VALIDATE, (("contoh.yaml", b"a: !tag x\n"),), "unknown tag"),
    Case("custom-tag-map", VALIDATE, (("contoh.yaml", b"a: !tag {b: 1}\n"),), "unknown tag"),
    Case(
        "20-digit-number", VALIDATE, (("contoh.yaml", b"no: 99999999999999999999\n"),), "too large"
    ),
    Case(
        "5000-digit-number", VALIDATE, (("contoh.yaml", b"no: " + b"9" * 5000),), "too large", True
    ),
    Case("impossible-date", VALIDATE, (("contoh.yaml", b"mulai: 0000-01-01\n"),), "no such date"),
    Case("latin-1", VALIDATE, (("contoh.yaml", b"nama: caf\xe9\n"),), "not UTF-8"),
    Case("nul-character", VALIDATE, (("contoh.yaml", b"a: \x00\n"),), "unacceptable character"),
    Case("empty", VALIDATE, (("contoh.yaml", b""),), "the file is empty"),
    Case("whitespace", VALIDATE, (("contoh.yaml", b"   \n\t\n"),), "the file is empty"),
    Case("folder-as-sop", ("sop", "validate", "x.yaml"), (("x.yaml", None),), "no SOP files"),
    Case(
        "3-million-values",
        VALIDATE,
        (("contoh.yaml", b"a: [" + b"x, " * 3_000_000 + b"x]\n"),),
        "the file holds more than",
        True,
    ),
    Case(
        "large-broken-file",
        VALIDATE,
        (("contoh.yaml", b"a: [" + b"'x', " * 150_000 + b"\n"),),
        "YAML syntax error",
        True,
    ),
    Case(
        "time-of-10^20-days",
        VALIDATE,
        (
            (
                "contoh.yaml",
                _sop(VALID.replace("waktu: 2 jam", "waktu: 100000000000000000000 hari")),
            ),
        ),
        "(langkah[0].waktu): the time",
    ),
    Case(
        "deadline-of-10^20-days",
        VALIDATE,
        (("contoh.yaml", _sop(VALID + "batas_waktu: 100000000000000000000 hari\n")),),
        "(batas_waktu): the time",
    ),
    Case(
        "blank-sop-name",
        VALIDATE,
        (("contoh.yaml", _sop(VALID.replace("nama: Contoh SOP", 'nama: "   "'))),),
        "(nama): should not be blank",
    ),
    Case(
        "blank-role-name",
        VALIDATE,
        (("contoh.yaml", _sop(VALID.replace("    nama: Kasi\n", '    nama: "  "\n'))),),
        "(pelaksana[1].nama): should not be blank",
    ),
    Case(
        "blank-activity",
        VALIDATE,
        (("contoh.yaml", _sop(VALID.replace("kegiatan: Tutup", 'kegiatan: "  "'))),),
        "(langkah[3].kegiatan): should not be blank",
    ),
    Case(
        "mulai-9999-12-31",
        ("schedule", "karanganyar", "--mulai", "9999-12-31"),
        expect="the start date 9999-12-31 is after 9998-12-31",
        child=True,
    ),
    Case(
        "mulai-9998-12-01",
        ("schedule", "karanganyar", "--mulai", "9998-12-01"),
        expect="would fall due after 9998-12-31",
    ),
    Case(
        "open-mulai-9999-12-31",
        ("open", "karanganyar", "--judul", "Uji", "--mulai", "9999-12-31", "--dry-run"),
        expect="the start date 9999-12-31 is after 9998-12-31",
    ),
    Case(
        "request-file-mulai-9999-12-31",
        ("open", "karanganyar", "--file", "req.yaml", "--dry-run"),
        (("req.yaml", b"judul: Uji\nmulai: 9999-12-31\n"),),
        "req.yaml:2 (mulai): the start date 9999-12-31",
    ),
    Case(
        "request-file-laughs",
        ("open", "karanganyar", "--file", "req.yaml", "--dry-run"),
        (("req.yaml", LAUGHS.encode()),),
        "aliases expand",
    ),
    Case(
        "request-file-folder",
        ("open", "karanganyar", "--file", "req.yaml", "--dry-run"),
        (("req.yaml", None),),
        "req.yaml:1: is a folder, not a file",
    ),
    Case(
        "request-file-latin-1",
        ("open", "karanganyar", "--file", "req.yaml", "--dry-run"),
        (("req.yaml", b"judul: caf\xe9\n"),),
        "req.yaml:1: the file is not UTF-8 text",
    ),
    Case(
        "blank-title",
        ("open", "karanganyar", "--judul", "   ", "--dry-run"),
        expect="a request needs a title",
    ),
]
if Path("/dev/zero").exists():
    CASES.append(Case("device", ("sop", "validate", "/dev/zero"), (), "not a regular file", True))


def _prepare(case: Case, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Write the case's files in ``folder`` and work there, with no configuration around."""
    for relative, content in case.files:
        path = folder / relative
        if content is None:
            path.mkdir()
        else:
            path.write_bytes(content)
    monkeypatch.chdir(folder)
    for variable in ("SOP_SYNC_CONFIG", "SOP_SYNC_MAPPINGS", "SOP_SYNC_TRACKER"):
        monkeypatch.delenv(variable, raising=False)


def _one_line(err: str, case: Case) -> None:
    lines = err.splitlines()
    assert "Traceback" not in err
    assert len(lines) == 1, lines[:5]
    assert lines[0].startswith("error: ")
    assert case.expect in lines[0]
    assert len(lines[0]) < 400, lines[0][:400]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_in_process(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sop_sync.cli.run`: exit 1 and one line on stderr, in a few seconds."""
    _prepare(case, tmp_path, monkeypatch)
    began = time.perf_counter()
    code = run(list(case.args))
    took = time.perf_counter() - began
    _one_line(capsys.readouterr().err, case)
    assert code == 1
    assert took < 10, f"{took:.1f} s"


def _limits() -> None:  # pragma: no cover - runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.skipif(sys.platform != "linux", reason="address-space limits as on Linux")
@pytest.mark.parametrize(
    "case", [c for c in CASES if c.child], ids=[c.name for c in CASES if c.child]
)
def test_in_a_child_with_limits(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m sop_sync` under 1 GiB and 60 s: exit 1 and one line, not killed, not hung."""
    _prepare(case, tmp_path, monkeypatch)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP_SYNC_")}
    env["PYTHONPATH"] = str(ROOT)
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "sop_sync", *case.args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        preexec_fn=_limits,
        check=False,
    )
    took = time.perf_counter() - began
    _one_line(done.stderr, case)
    assert done.returncode == 1, done.stderr
    assert took < TIME_LIMIT / 2, f"{took:.1f} s"
