"""The people a document names: parties by role, looked up in the ``pegawai`` directory.

A role's holder comes from the request (its ``peran``); what the document prints about them
(nama, NIP, pangkat/golongan, jabatan, or a vendor's company) from the settings. Roles not
configured for a document are chosen from the SOP: PIHAK PERTAMA does the producing steps'
work, PIHAK KEDUA approves it (the role of a ``persetujuan`` item) or is the steps' other
role; "Mengetahui" is the official who ratified the SOP (``disahkan_oleh``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sop_sync.documents.blocks import Fields, Gaps, Runs, Signer, clean, plain
from sop_sync.documents.settings import DocumentSettings, Pegawai
from sop_sync.documents.words import format_nip
from sop_sync.model.request import RequestInput
from sop_sync.sop.model import DocumentKind, EvidenceKind, Sop, Step


@dataclass(frozen=True)
class Party:
    """One person as a document shows them; each value is text or a visible gap."""

    name: Runs
    nip: Runs
    rank: Runs
    office: Runs
    company: Runs = ()
    """A vendor's company (then there is no NIP or rank)."""

    def fields(self) -> Fields:
        """Nama / NIP / Pangkat/Golongan / Jabatan (or Perusahaan for a vendor)."""
        rows: tuple[tuple[str, Runs], ...]
        if self.company:
            rows = (("Nama", self.name), ("Perusahaan", self.company), ("Jabatan", self.office))
        else:
            rows = (
                ("Nama", self.name),
                ("NIP", self.nip),
                ("Pangkat/Golongan", self.rank),
                ("Jabatan", self.office),
            )
        return Fields(rows)

    def signer(self, heading: str) -> Signer:
        """The signature column of this person."""
        identity = self.company or ((plain("NIP ") + self.nip) if self.nip else ())
        return Signer(heading, self.office, self.name, identity)


def producing_steps(sop: Sop, kind: DocumentKind) -> tuple[Step, ...]:
    """The steps whose ``dokumen`` is ``kind``, in SOP order."""
    return tuple(step for step in sop.steps if step.document is kind)


def default_roles(sop: Sop, kind: DocumentKind) -> tuple[str | None, str | None]:
    """(PIHAK PERTAMA, PIHAK KEDUA) role ids chosen from the producing steps."""
    steps = producing_steps(sop, kind)
    approving = next(
        (e.role for s in steps for e in s.evidence if e.kind is EvidenceKind.APPROVAL and e.role),
        None,
    )
    roles = list(dict.fromkeys(role for step in steps for role in step.roles))
    first = next((role for role in roles if role != approving), None)
    second = approving or next((role for role in roles if role != first), None)
    return first, second


def party(
    role_id: str | None,
    label: str,
    sop: Sop,
    request: RequestInput,
    settings: DocumentSettings,
    gaps: Gaps,
) -> Party:
    """The holder of ``role_id`` on this request, as the ``pegawai`` directory describes them.

    ``label`` names the party in what is missing (``PIHAK PERTAMA``).
    """
    role_name = _role_name(sop, role_id)
    holders = request.people_for(role_id) if role_id else ()
    if not holders:
        who = f"{label} ({role_name})" if role_name else label
        return Party(
            gaps.gap(f"nama {who}"),
            gaps.gap(f"NIP {who}"),
            gaps.gap(f"pangkat/golongan {who}"),
            gaps.value(role_name, f"jabatan {who}"),
        )
    username = holders[0]
    person = settings.pegawai.get(username)
    if person is None:
        return Party(
            gaps.gap(f"data pegawai {username} (documents.pegawai)"),
            gaps.gap(f"NIP {username}"),
            gaps.gap(f"pangkat/golongan {username}"),
            gaps.value(role_name, f"jabatan {username}"),
        )
    return _described(person, username, role_name, gaps)


def _described(person: Pegawai, username: str, role_name: str | None, gaps: Gaps) -> Party:
    office = gaps.value(person.jabatan or role_name, f"jabatan {username}")
    name = plain(clean(person.nama), bold=True, underline=True)
    if person.perusahaan:
        return Party(name, (), (), office, plain(clean(person.perusahaan)))
    return Party(
        name,
        gaps.value(format_nip(person.nip) if person.nip else None, f"NIP {username}"),
        gaps.value(person.pangkat, f"pangkat/golongan {username}"),
        office,
    )


def _role_name(sop: Sop, role_id: str | None) -> str | None:
    if role_id is None:
        return None
    try:
        return sop.role(role_id).name
    except KeyError:
        return role_id


def ratifier(sop: Sop) -> Party | None:
    """The official who ratified the SOP (``disahkan_oleh``), when the SOP names one."""
    approver = sop.approved_by
    if not approver.name:
        return None
    return Party(
        plain(clean(approver.name), bold=True, underline=True),
        plain(format_nip(approver.nip)) if approver.nip else (),
        (),
        plain(clean(approver.office or "")),
    )
