"""The PDF report: headless Chromium prints the eager HTML page on A4 landscape.

Checked with poppler: the paper is A4 landscape, the text is the report's (Indonesian, dates
DD-MM-YYYY), every chart was printed (each canvas is an image in the PDF), and the pages are
turned into PNGs under tests/artifacts/ to look at.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sop_sync.reports.writers.html import render_html
from sop_sync.reports.writers.pdf import find_browser, print_command, write_pdf
from tests.reports.scenario import report
from tests.reports.tools import artifact, browser, need


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scenario's report printed once for the module."""
    executable = browser()
    path = tmp_path_factory.mktemp("pdf") / "laporan.pdf"
    write_pdf(render_html(report(), eager=True), path, executable)
    return path


def run(*command: str) -> str:
    """A poppler tool's output."""
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout


def test_a4_landscape(pdf: Path) -> None:
    """Every page is A4 (842 x 595 points), wider than high."""
    info = run(need("pdfinfo", "reading the PDF"), str(pdf))
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    assert "(A4)" in size
    width, height = (float(v) for v in size.split(":")[1].split("pts")[0].split(" x "))
    assert width > height


def test_text_is_the_report(pdf: Path) -> None:
    """Title, reference date, a late phase and a working-time figure are in the text."""
    text = run(need("pdftotext", "reading the PDF"), "-layout", str(pdf), "-")
    for expected in ("Laporan Permohonan Aplikasi", "29-12-2026 10.00", "terlambat 1 hari kerja",
                     "2,7 hari kerja", "Rincian per permohonan"):  # fmt: skip
        assert expected in text


def test_every_chart_is_printed_and_pages_are_rendered(pdf: Path) -> None:
    """Timeline, SLA and three Gantts: five images at least; pages saved as PNG to look at."""
    images = run(need("pdfimages", "listing the PDF's images"), "-list", str(pdf))
    assert len(images.strip().splitlines()) - 2 >= 5  # two header lines
    for old in artifact("x").parent.glob("laporan-pdf-*.png"):
        old.unlink()
    run(need("pdftoppm", "turning pages into PNG"), "-png", "-r", "60", str(pdf),
        str(artifact("laporan-pdf")))  # fmt: skip
    pages = sorted(artifact("x").parent.glob("laporan-pdf-*.png"))
    assert len(pages) >= 2


def test_command_line_prints_without_headers_and_without_sandbox_only_as_root() -> None:
    """No header or footer on the paper; ``--no-sandbox`` only when running as root."""
    command = print_command("chromium", Path("/t/a.html"), Path("/t/a.pdf"), Path("/t/p"))
    assert "--no-pdf-header-footer" in command
    assert command[-1] == "file:///t/a.html"
    assert "--print-to-pdf=/t/a.pdf" in command


def test_a_missing_browser_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No Chromium anywhere: a ConfigError saying how to get one."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("SOP_SYNC_CHROMIUM", raising=False)
    assert find_browser() is None
    from sop_sync.errors import ConfigError

    with pytest.raises(ConfigError, match="needs Chromium"):
        write_pdf("<html></html>", tmp_path / "x.pdf")
