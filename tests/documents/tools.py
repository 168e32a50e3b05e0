"""What the document tests need: text out of DOCX and PDF, golden files, the poppler tools.

``pdftotext`` and ``pdftoppm`` come from the Debian package ``poppler-utils``, Pango (for
WeasyPrint) from ``libpango-1.0-0`` and ``libpangoft2-1.0-0``, the fonts the goldens were made
with from ``fonts-liberation2`` (.ci/system-packages). A missing tool fails the test in CI
(``CI`` set) and skips it elsewhere. Rendered pages go to ``tests/artifacts/documents/``.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

GOLDEN = Path(__file__).resolve().parent / "golden"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "documents"


def need(tool: str) -> str:
    """The path of ``tool`` (poppler-utils); fail in CI, skip elsewhere when it is missing."""
    found = shutil.which(tool)
    if found is None:
        message = f"{tool} not found: install poppler-utils (.ci/system-packages)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def need_weasyprint() -> None:
    """WeasyPrint loads (it needs Pango: libpango-1.0-0, libpangoft2-1.0-0); else fail or skip."""
    try:
        import weasyprint  # noqa: F401 - loading it is the check
    except OSError as error:
        message = f"WeasyPrint cannot load Pango ({error}): install .ci/system-packages"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def words(text: str) -> str:
    """``text`` with every run of whitespace made one space (layout is not content)."""
    return " ".join(text.split())


def docx_text(content: bytes) -> str:
    """Every paragraph of the body in order (table cells included), read with python-docx."""
    body = docx.Document(io.BytesIO(content)).element.body
    paragraphs = [
        "".join(t.text or "" if t.tag == qn("w:t") else " " for t in p.iter(qn("w:t"), qn("w:tab")))
        for p in body.iter(qn("w:p"))
    ]
    return words(" ".join(paragraphs))


def pdf_text(content: bytes) -> str:
    """The PDF's text in drawing order (``pdftotext -raw``)."""
    result = subprocess.run(
        [need("pdftotext"), "-raw", "-enc", "UTF-8", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    )
    return words(result.stdout.decode("utf-8"))


def wrapped(text: str) -> str:
    """Normalised text as a golden file keeps it: wrapped at 100 columns."""
    return textwrap.fill(text, 100, break_long_words=False, break_on_hyphens=False) + "\n"


def check_golden(name: str, text: str) -> None:
    """Compare with ``tests/documents/golden/<name>``; rewrite it when UPDATE_GOLDEN is set."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def pages(pdf: Path, prefix: str, dpi: int = 60) -> list[Path]:
    """The PDF's pages as PNG files under ``tests/artifacts/documents/``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{prefix}-*.png"):
        old.unlink()
    subprocess.run(
        [need("pdftoppm"), "-r", str(dpi), "-png", str(pdf), str(ARTIFACTS / prefix)], check=True
    )
    return sorted(ARTIFACTS.glob(f"{prefix}-*.png"))
