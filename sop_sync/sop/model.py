"""The SOP as data: frozen models mirroring the SOP AP form (PermenPAN-RB 35/2012).

YAML keys are the Indonesian SOP AP vocabulary; Python attribute names are English. This
module is the one place that maps one to the other (the ``alias`` of each field).

Glossary (YAML key -> Python name):

=========================  =========================  ==========================================
YAML (Bahasa Indonesia)    Python                     meaning
=========================  =========================  ==========================================
id                         id                         stable slug used in commands and labels
nomor                      number                     Nomor SOP
sumber                     source                     where the SOP text came from
nama                       name                       Nama SOP / role name / phase name
instansi                   agency                     the agency (kop lines)
unit                       unit                       the unit inside the agency
tanggal                    dates                      pembuatan, revisi, efektif, pengesahan
disahkan_oleh              approved_by                jabatan, nama, nip
dasar_hukum                legal_basis                Dasar Hukum
kualifikasi_pelaksana      qualifications             Kualifikasi Pelaksana
keterkaitan                related                    Keterkaitan
peralatan                  equipment                  Peralatan/Perlengkapan
peringatan                 warnings                   Peringatan
pencatatan                 records                    Pencatatan dan Pendataan
satuan_hari                plain_day_unit             what "hari" alone means: kerja | kalender
pelaksana                  roles                      the performer columns (swimlanes)
fase                       phases                     runs of steps; one milestone each
langkah                    steps                      the procedure table rows
no                         number                     step number
kegiatan                   activity                   Kegiatan / Uraian Prosedur
kelengkapan                inputs                     Mutu Baku: Kelengkapan/Persyaratan
waktu                      time                       Mutu Baku: Waktu (parsed, text kept)
output                     output                     Mutu Baku: Output
keterangan                 remarks                    Keterangan
keputusan                  decision                   Ya/Tidak question and where each leads
koreksi                    correction                 review that can send work back
lanjut                     next                       explicit next step (default: next row)
bukti                      evidence                   what must be present before closing
dokumen                    document                   paperwork this step produces
catatan                    note                       how a garbled row was reconstructed
dapat_dilewati             skippable                  ``/sop lewati`` allowed on this step
pertanyaan                 question                   the question of a decision/review
ya / tidak                 yes / no                   decision targets
ke                         to                         correction target
jenis                      kind                       evidence kind
pola                       patterns                   file-name or link patterns
peran                      role                       role that must sign off
=========================  =========================  ==========================================
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
)

from sop_sync.sop.durations import Duration, Unit, parse_duration
from sop_sync.sop.index import Cover, first_cover, number_after

END: Literal["selesai"] = "selesai"
"""Target meaning "the procedure ends here" (the end capsule)."""

Target = int | Literal["selesai"]


class _Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, arbitrary_types_allowed=True
    )


Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A name, title or question: read without surrounding white space, and never blank."""


class Dates(_Frozen):
    """Tgl. Pembuatan / Revisi / Efektif / Pengesahan, as written."""

    created: str | None = Field(None, alias="pembuatan")
    revised: str | None = Field(None, alias="revisi")
    effective: str | None = Field(None, alias="efektif")
    ratified: str | None = Field(None, alias="pengesahan")


class Approver(_Frozen):
    """Disahkan oleh: the office, the name and the NIP of who signed the SOP."""

    office: str | None = Field(None, alias="jabatan")
    name: str | None = Field(None, alias="nama")
    nip: str | None = Field(None, alias="nip", pattern=r"^\d{18}$")


class Role(_Frozen):
    """A pelaksana: one swimlane, one role label.

    ``kolom: false`` is a performer the SOP names in its text but gives no column of the
    procedure table (e.g. "PPK" mentioned in a step): it is a role like any other in the
    tracker, but ``sop show`` lists it under the table instead of as a column.
    """

    id: Slug
    name: Text = Field(alias="nama")
    column: bool = Field(True, alias="kolom")


class Phase(_Frozen):
    """A named run of consecutive steps (``dari``..``sampai``): one milestone per request."""

    id: Slug
    name: Text = Field(alias="nama")
    first: int = Field(alias="dari", ge=1)
    last: int = Field(alias="sampai", ge=1)


class Decision(_Frozen):
    """A Ya/Tidak question; each answer names the next step or ``selesai``."""

    question: Text = Field(alias="pertanyaan")
    yes: Target = Field(alias="ya")
    no: Target = Field(alias="tidak")


class Correction(_Frozen):
    """A review step: rejecting sends the work back to step ``ke`` (earlier or the same)."""

    to: int = Field(alias="ke", ge=1)
    question: str | None = Field(None, alias="pertanyaan")


class EvidenceKind(enum.Enum):
    """Kinds of ``bukti``: see DESIGN.md "The SOP file"."""

    ATTACHMENT = "lampiran"
    LINK = "tautan"
    OPEN_REPOSITORY = "repositori-terbuka"
    APPROVAL = "persetujuan"


class Evidence(_Frozen):
    """One item a step must carry before it may close."""

    kind: EvidenceKind = Field(alias="jenis")
    name: Text = Field(alias="nama")
    patterns: tuple[str, ...] = Field((), alias="pola")
    role: str | None = Field(None, alias="peran")


class DocumentKind(enum.Enum):
    """Paperwork sop-sync can generate from a step's data."""

    KAK = "kak"
    BA_AGREEMENT = "berita-acara-kesepakatan"
    BA_UAT = "berita-acara-uat"
    BA_HANDOVER = "berita-acara-serah-terima"


def _duration(value: object, info: ValidationInfo) -> Duration:
    if isinstance(value, Duration):
        return value
    if value is not None and not isinstance(value, str | int):
        raise ValueError("waktu must be text such as '2 jam' or 'Tentatif'")
    context = info.context or {}
    plain_hari = context.get("plain_hari", Unit.HARI_KERJA)
    return parse_duration(None if value is None else str(value), plain_hari=plain_hari)


class Step(_Frozen):
    """One row of the procedure table."""

    number: int = Field(alias="no", ge=1)
    activity: Text = Field(alias="kegiatan")
    roles: tuple[str, ...] = Field(alias="pelaksana", min_length=1)
    inputs: tuple[str, ...] = Field((), alias="kelengkapan")
    time: Annotated[Duration, BeforeValidator(_duration)] = Field(
        default_factory=lambda: parse_duration(None), alias="waktu"
    )
    output: str | None = Field(None, alias="output")
    remarks: str | None = Field(None, alias="keterangan")
    decision: Decision | None = Field(None, alias="keputusan")
    correction: Correction | None = Field(None, alias="koreksi")
    next: Target | None = Field(None, alias="lanjut")
    evidence: tuple[Evidence, ...] = Field((), alias="bukti")
    document: DocumentKind | None = Field(None, alias="dokumen")
    note: str | None = Field(None, alias="catatan")
    skippable: bool = Field(False, alias="dapat_dilewati")


class Sop(_Frozen):
    """One SOP: identity block, roles, phases and steps."""

    id: Slug
    number: str | None = Field(None, alias="nomor")
    name: Text = Field(alias="nama")
    source: str | None = Field(None, alias="sumber")
    agency: tuple[str, ...] = Field(alias="instansi", min_length=1)
    unit: str | None = Field(None, alias="unit")
    dates: Dates = Field(default_factory=Dates, alias="tanggal")
    approved_by: Approver = Field(default_factory=Approver, alias="disahkan_oleh")
    legal_basis: tuple[str, ...] = Field((), alias="dasar_hukum")
    qualifications: tuple[str, ...] = Field((), alias="kualifikasi_pelaksana")
    related: tuple[str, ...] = Field((), alias="keterkaitan")
    equipment: tuple[str, ...] = Field((), alias="peralatan")
    warnings: tuple[str, ...] = Field((), alias="peringatan")
    records: tuple[str, ...] = Field((), alias="pencatatan")
    plain_day_unit: Literal["kerja", "kalender"] = Field("kerja", alias="satuan_hari")
    deadline: Annotated[Duration, BeforeValidator(_duration)] | None = Field(
        None, alias="batas_waktu"
    )
    """A time for the whole procedure, when the SOP promises one (e.g. "28 hari")."""
    roles: tuple[Role, ...] = Field(alias="pelaksana", min_length=1)
    phases: tuple[Phase, ...] = Field((), alias="fase")
    steps: tuple[Step, ...] = Field(alias="langkah", min_length=1)

    def role(self, role_id: str) -> Role:
        """The role with this id (``KeyError`` when unknown)."""
        return self._tables().roles[role_id]

    def step(self, number: int) -> Step:
        """The step with this number (``KeyError`` when unknown)."""
        return self._tables().steps[number]

    def phase_of(self, number: int) -> Phase | None:
        """The phase covering step ``number``, if any (the first listed, should two)."""
        tables = self._tables()
        if number in tables.steps:
            index = tables.phases.owner.get(number)
            return None if index is None else self.phases[index]
        return next((p for p in self.phases if p.first <= number <= p.last), None)

    def number_after(self, number: int) -> int | None:
        """The next higher step number in the table, or None after the last step."""
        return number_after(self._tables().numbers, number)

    def _tables(self) -> _Tables:
        """The lookups of this SOP, built on first use.

        Kept beside the fields (pydantic compares, hashes and dumps fields only) with the
        tuples they were built from, so a ``model_copy`` with other steps builds its own.
        """
        tables = self.__dict__.get(_TABLES)
        if not isinstance(tables, _Tables) or not tables.built_from(self):
            tables = _Tables.of(self)
            self.__dict__[_TABLES] = tables
        return tables


_TABLES = "_sop_sync_tables"
"""Where a :class:`Sop` keeps its lookups (no field and no method has this name)."""


@dataclass(frozen=True)
class _Tables:
    """Steps by number, roles by id, sorted step numbers and each step's phase."""

    source: tuple[tuple[Step, ...], tuple[Role, ...], tuple[Phase, ...]]
    steps: dict[int, Step]
    roles: dict[str, Role]
    numbers: list[int]
    phases: Cover

    @classmethod
    def of(cls, sop: Sop) -> _Tables:
        steps: dict[int, Step] = {}
        for step in sop.steps:
            steps.setdefault(step.number, step)  # a number used twice: the first row
        roles: dict[str, Role] = {}
        for role in sop.roles:
            roles.setdefault(role.id, role)
        numbers = sorted(steps)
        phases = first_cover(numbers, [(phase.first, phase.last) for phase in sop.phases])
        return cls((sop.steps, sop.roles, sop.phases), steps, roles, numbers, phases)

    def built_from(self, sop: Sop) -> bool:
        steps, roles, phases = self.source
        return steps is sop.steps and roles is sop.roles and phases is sop.phases
