"""Fixtures of the document tests."""

from __future__ import annotations

import pytest

from tests.documents.tools import need_weasyprint


@pytest.fixture
def pdf_ok() -> None:
    """The PDF writer can run here (WeasyPrint and Pango); fail in CI, skip elsewhere."""
    need_weasyprint()
