"""Project-wide checks: CI files are valid, the core stays pure."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = [
    "sop_sync/sop",
    "sop_sync/calendar.py",
    "sop_sync/schedule.py",
    "sop_sync/plan.py",
    "sop_sync/rules.py",
]
FORBIDDEN = {"gitlab", "jira", "requests", "httpx", "sqlite3", "urllib", "http", "socket"}


def _check_jsonschema() -> str:
    found = shutil.which("check-jsonschema") or str(
        Path(sys.executable).with_name("check-jsonschema")
    )
    if not Path(found).exists():  # pragma: no cover - the dev extra installs it
        pytest.fail("check-jsonschema is not installed: pip install -e '.[dev]'")
    return found


@pytest.mark.parametrize("ci_file", [".gitlab-ci.yml", "templates/ci/sop-gate.gitlab-ci.yml"])
def test_gitlab_ci_file_is_valid(ci_file: str) -> None:
    """The GitLab CI file validates against GitLab's own schema (vendored, offline)."""
    result = subprocess.run(
        [
            _check_jsonschema(),
            "--builtin-schema",
            "vendor.gitlab-ci",
            "--data-transform",
            "gitlab-ci",
            str(ROOT / ci_file),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _core_files() -> list[Path]:
    files: list[Path] = []
    for entry in CORE:
        path = ROOT / entry
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.exists() else []
    return files


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_does_no_io_imports(path: Path) -> None:
    """The core (model, calendar, schedule, plan, rules) imports no tracker or I/O library."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
            if node.module.startswith("sop_sync.trackers"):
                imported.add("sop_sync.trackers")
    assert not imported & (FORBIDDEN | {"sop_sync.trackers"})


def test_ci_run_calls_the_readme_test_command() -> None:
    """`.ci/run` runs `make test`, the command the README gives."""
    assert "make test" in (ROOT / ".ci/run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1].splitlines()[1:]
    assert [line.split("#")[0].strip() for line in first_block] == ["make run", "make test"]


def test_every_adapter_handles_every_change_type() -> None:
    """Each tracker's dispatch table covers exactly the Change types."""
    from sop_sync.changes import CHANGE_TYPES
    from sop_sync.trackers.gitlab_apply import HANDLERS as GITLAB
    from sop_sync.trackers.local_apply import HANDLERS as LOCAL

    for table in (LOCAL, GITLAB):
        assert set(table) == set(CHANGE_TYPES)
