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


@pytest.mark.parametrize(
    "ci_file",
    [
        ".gitlab-ci.yml",
        "templates/ci/sop-gate.gitlab-ci.yml",
        "templates/ci/sop-check.gitlab-ci.yml",
    ],
)
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


def test_containerfile_runs_the_service_as_a_non_root_user_with_a_health_check() -> None:
    """The image: slim Python 3.11, the wheel with mappings and templates, non-root, healthy.

    No container engine runs in CI, so the file is checked for what an operator relies on.
    """
    text = (ROOT / "Containerfile").read_text(encoding="utf-8")
    instructions = [line.split()[0] for line in text.splitlines() if line and line[0].isupper()]
    assert text.count("FROM python:3.11-slim") == 2
    for folder in ("sop_sync", "mappings", "templates"):
        assert f"COPY {folder} ./{folder}" in text
    user = [line for line in text.splitlines() if line.startswith("USER ")]
    assert user == ["USER sop"]
    assert instructions.index("USER") > instructions.index("RUN")
    assert "/healthz" in text
    assert "HEALTHCHECK" in instructions
    assert 'ENTRYPOINT ["sop-sync"]' in text


def test_compose_example_shares_a_postgresql_inbox_and_keeps_secrets_out() -> None:
    """deploy/compose.yaml: PostgreSQL, a serving replica and a worker on the same inbox."""
    import yaml

    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"postgres", "service", "worker"}
    for name in ("service", "worker"):
        env = services[name]["environment"]
        assert env["SOP_SYNC_INBOX"].startswith("postgresql://")
        assert "@" in env["SOP_SYNC_INBOX"]
        assert ":" not in env["SOP_SYNC_INBOX"].split("//")[1].split("@")[0]  # no password
    assert services["service"]["command"][0] == "serve"
    assert services["worker"]["command"][:2] == ["service", "worker"]
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "deploy/sop-sync.env" in ignored
