"""The ``documents`` settings: people, kop, number patterns checked when read."""

from __future__ import annotations

import pydantic
import pytest

from sop_sync.config import Settings
from sop_sync.documents.settings import DocumentSettings, Pegawai, check_pattern
from sop_sync.sop.model import DocumentKind


def test_patterns_default_per_document() -> None:
    """Each document has its own default register."""
    settings = DocumentSettings()
    assert settings.pattern(DocumentKind.KAK) == "{urut:03d}/KAK-APL/{bulan_romawi}/{tahun}"
    assert settings.pattern(DocumentKind.BA_UAT) == "{urut:03d}/BA-UAT/{bulan_romawi}/{tahun}"


def test_an_agency_pattern_replaces_the_default() -> None:
    """``nomor: {kak: ...}`` in sop-sync.yaml."""
    settings = DocumentSettings.model_validate({"nomor": {"kak": "027/{urut}/DISKOMINFO/{tahun}"}})
    assert settings.pattern(DocumentKind.KAK) == "027/{urut}/DISKOMINFO/{tahun}"


@pytest.mark.parametrize(
    "pattern", ["{urut.__class__}", "{tahun[0]}", "{nama}", "{urut:03d", "{0}", "{}"]
)
def test_a_pattern_only_places_known_values(pattern: str) -> None:
    """Attribute or index lookups, unknown or positional fields: refused when read."""
    with pytest.raises(ValueError, match=r"unknown field|malformed"):
        check_pattern(pattern)
    with pytest.raises(pydantic.ValidationError):
        DocumentSettings.model_validate({"nomor": {"kak": pattern}})


def test_a_pattern_for_an_unknown_document_is_refused() -> None:
    """``nomor: {surat-tugas: ...}``: no such document."""
    with pytest.raises(pydantic.ValidationError):
        DocumentSettings.model_validate({"nomor": {"surat-tugas": "{urut}"}})


@pytest.mark.parametrize("nip", ["196805201992032005", "19680520 199203 2 005"])
def test_nip_with_or_without_spaces(nip: str) -> None:
    """18 digits, the groups optionally spaced."""
    assert Pegawai(nama="A", nip=nip).nip == nip


@pytest.mark.parametrize("nip", ["1968052019920320", "19680520-199203-2-005", "abc"])
def test_malformed_nip_refused(nip: str) -> None:
    """Anything else is a configuration error, not a document showing a wrong NIP."""
    with pytest.raises(pydantic.ValidationError):
        Pegawai(nama="A", nip=nip)


def test_settings_carry_the_documents_section() -> None:
    """``documents:`` in sop-sync.yaml is read into the typed section."""
    settings = Settings.model_validate(
        {"documents": {"kop": {"dinas": "Diskominfo"}, "pegawai": {"sari": {"nama": "Sari"}}}}
    )
    documents = settings.documents  # type: ignore[attr-defined,unused-ignore]
    assert isinstance(documents, DocumentSettings)
    assert documents.kop.dinas == "Diskominfo"
