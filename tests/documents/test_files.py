"""File names of generated documents; which attachments are theirs; what attaching adds."""

from __future__ import annotations

import pytest

from sop_sync.documents.files import (
    attachment_name,
    base_name,
    file_name,
    is_generated,
    plan_attachments,
)
from sop_sync.model.changes import Attach, Ref
from sop_sync.rules.evidence import evidence_status
from sop_sync.sop.model import DocumentKind
from tests.builders import attachment, observed, request_for, seed
from tests.documents.seed import KEY, seed_document

UAT = DocumentKind.BA_UAT


def test_names_carry_the_number() -> None:
    """``draf-berita-acara-uat_012-BA-UAT-XI-2026`` (slashes made safe)."""
    document = seed_document(UAT)
    assert base_name(document) == "draf-berita-acara-uat_012-BA-UAT-XI-2026"
    assert file_name(document, "pdf") == "draf-berita-acara-uat_012-BA-UAT-XI-2026.pdf"
    assert attachment_name(document, "pdf", b"x") == (
        "draf-berita-acara-uat_012-BA-UAT-XI-2026_2d711642.pdf"
    )


@pytest.mark.parametrize(
    ("name", "generated"),
    [
        ("draf-berita-acara-uat_012-BA-UAT-XI-2026_2d711642.pdf", True),
        ("draf-kak_004-KAK-APL-XI-2026_0123abcd.docx", True),
        ("Berita Acara UAT ditandatangani.pdf", False),
        ("draf-berita-acara-uat_012-BA-UAT-XI-2026.pdf", False),
        ("BA_kesepakatan_final.pdf", False),
    ],
)
def test_generated_files_are_told_apart(name: str, generated: bool) -> None:
    """Only sop-sync's attached drafts match; a person's scan never does."""
    assert is_generated(name) is generated


def test_attaching_adds_what_the_step_lacks() -> None:
    """Identical bytes already there: nothing; another version of the same format: superseded."""
    document = seed_document(UAT)
    pdf_name = attachment_name(document, "pdf", b"pdf")
    old_md = "draf-berita-acara-uat_012-BA-UAT-XI-2026_00000000.md"
    issue = (
        observed(seed("karanganyar"), KEY)
        .step(10, attachments=[attachment(pdf_name), attachment(old_md), attachment("uat.pdf")])
        .build()
        .steps[10]
    )
    plan = plan_attachments(document, issue, {"pdf": b"pdf", "md": b"md"})
    md_name = attachment_name(document, "md", b"md")
    assert plan.changes == (Attach(Ref(KEY, 10), md_name, b"md"),)
    assert plan.present == (pdf_name,)
    assert [a.filename for a in plan.superseded] == [old_md]


def test_an_unsigned_draft_is_not_the_signed_berita_acara() -> None:
    """Bali step 7 asks for the signed Berita Acara (``*berita*acara*``): the draft is not it."""
    sop = seed("bali")
    step = sop.step(7)
    draft = "draf-berita-acara-kesepakatan_007-BA-KSP-XI-2026_0123abcd.pdf"
    issue = observed(sop, KEY).step(7, attachments=[attachment(draft, by="sop-sync")]).build()
    status = evidence_status(issue.steps[7], step, step.evidence[0], request_for(sop, key=KEY))
    assert not status.present
