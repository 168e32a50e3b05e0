"""Project-wide checks: CI files are valid, CI runs the README's test command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


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


def test_ci_run_calls_the_readme_test_command() -> None:
    """`.ci/run` runs `make test`, the command the README gives."""
    assert "make test" in (ROOT / ".ci/run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1].splitlines()[1:]
    assert [line.split("#")[0].strip() for line in first_block] == ["make run", "make test"]
