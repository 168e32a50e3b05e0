"""The PDF report: the HTML page printed by headless Chromium, A4 landscape.

Chromium rather than WeasyPrint: the charts are drawn by JavaScript (Chart.js), which
WeasyPrint does not run; the same engine the browser test checks prints the page, so the PDF
shows what the HTML shows; and it needs no Python dependency (Pango and friends). The page's
``@page { size: A4 landscape }`` sets the paper. The browser is found on ``PATH``
(``chromium``, ``chromium-browser``, ``google-chrome``) or named by ``SOP_SYNC_CHROMIUM``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from sop_sync.errors import ConfigError, SopSyncError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 120.0
WINDOW = "1123,794"
"""A4 landscape at 96 dpi: the charts are laid out at the width they are printed at."""


def find_browser(environ: Mapping[str, str] | None = None) -> str | None:
    """The Chromium executable to print with (``SOP_SYNC_CHROMIUM`` first), or None."""
    env = os.environ if environ is None else environ
    named = env.get("SOP_SYNC_CHROMIUM")
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def print_command(browser: str, page: Path, output: Path, profile: Path) -> list[str]:
    """The headless Chromium command line that prints ``page`` to ``output``."""
    command = [
        browser,
        "--headless",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-pdf-header-footer",
        "--print-to-pdf-no-header",  # the same, for Chromium before 111
        f"--window-size={WINDOW}",
        "--virtual-time-budget=10000",  # let the charts' script run before printing
        f"--user-data-dir={profile}",
        f"--print-to-pdf={output}",
        page.as_uri(),
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return command


def write_pdf(html: str, output: Path, browser: str | None = None) -> None:
    """Print ``html`` (an eager report page: every chart drawn) to ``output``."""
    executable = browser or find_browser()
    if executable is None:
        raise ConfigError(
            "--format pdf needs Chromium: install it (Debian: apt-get install chromium) or set "
            "SOP_SYNC_CHROMIUM to the browser's path; or write --format html and print that"
        )
    with tempfile.TemporaryDirectory(prefix="sop-sync-pdf-") as folder:
        page = Path(folder) / "laporan.html"
        page.write_text(html, encoding="utf-8")
        target = Path(folder) / "laporan.pdf"
        command = print_command(executable, page, target, Path(folder) / "profil")
        try:
            done = subprocess.run(  # noqa: S603 - our own arguments, no shell
                command, capture_output=True, text=True, timeout=TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise SopSyncError(f"printing the report with {executable} failed: {error}") from None
        if done.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            tail = "\n".join(done.stderr.strip().splitlines()[-5:])
            raise SopSyncError(f"printing the report with {executable} failed:\n{tail}")
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, output)
