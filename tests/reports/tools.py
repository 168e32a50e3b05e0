"""What the browser and PDF tests need from the machine, and where they leave artifacts.

Debian packages (.ci/system-packages): ``chromium``, ``chromium-driver``, ``poppler-utils``;
Python: ``selenium`` (dev dependency). A missing tool fails the test in CI (``CI`` set) and
skips it elsewhere. Screenshots and PDF pages go to ``tests/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def need(tool: str, why: str) -> str:
    """The path of ``tool`` on PATH; fail in CI, skip elsewhere when it is missing."""
    found = shutil.which(tool)
    if found is None:
        message = f"{tool} not found ({why}): install the packages in .ci/system-packages"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def browser() -> str:
    """Chromium's executable."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return need("chromium", "the browser test and PDF output")


def artifact(name: str) -> Path:
    """A file under tests/artifacts/ (the folder is made on first use)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
