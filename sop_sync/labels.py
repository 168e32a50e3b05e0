"""The labels sop-sync manages: names, colours and descriptions, per tracker capabilities.

Families (names in Indonesian): ``permohonan``, ``sop::<id>``, ``peran:<nama>``,
``fase::<nama>``, ``langkah::<NN>`` are structural and kept in sync with the SOP; the
``status::``, ``keputusan::`` and ``uat::`` families are set by the rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from sop_sync.changes import Label
from sop_sync.sop.model import Sop, Step
from sop_sync.values import Capabilities

REQUEST = "permohonan"
STRUCTURAL = ("sop::", "peran:", "fase::", "langkah::")
# Role labels are not scoped (one colon): a step may have several roles, and GitLab Premium
# keeps only one label per scope, even on creation.

# one colour family per kind, so a board reads at a glance
COLOURS = {
    "permohonan": "#6A1B9A",
    "sop::": "#4527A0",
    "peran:": "#1565C0",
    "fase::": "#2E7D32",
    "langkah::": "#757575",
    "status::": "#E65100",
    "keputusan::": "#00838F",
    "uat::": "#AD1457",
}
STATUS_LABELS = {
    "status::dilewati": "Langkah pada cabang yang tidak diambil; ditutup tanpa dikerjakan",
    "status::menunggu-bukti": "Langkah belum boleh ditutup: bukti belum lengkap",
    "status::dikoreksi": "Pekerjaan dikembalikan oleh pemeriksa untuk diperbaiki",
    "keputusan::ya": "Jawaban keputusan: Ya",
    "keputusan::tidak": "Jawaban keputusan: Tidak",
    "uat::disetujui": "UAT disetujui oleh instansi pemohon",
}


def label_name(name: str, capabilities: Capabilities) -> str:
    """A label name the tracker accepts.

    No commas (GitLab sends label lists comma-separated); for Jira, no spaces.
    """
    name = " ".join(name.replace(",", " ").split())
    return name if capabilities.label_spaces else name.replace(" ", "-")


def _family(name: str) -> str:
    return next((f for f in COLOURS if name.startswith(f)), REQUEST)


def _label(name: str, description: str, capabilities: Capabilities) -> Label:
    name = label_name(name, capabilities)
    return Label(name=name, color=COLOURS[_family(name)], description=description)


@dataclass(frozen=True)
class ManagedLabels:
    """The structural labels of one SOP on one tracker."""

    sop_label: str
    roles: dict[str, str]
    """role id -> label name"""
    phases: dict[str, str]
    """phase id -> label name"""
    steps: dict[int, str]
    """step number -> label name"""
    definitions: tuple[Label, ...]
    phase_of_step: dict[int, str]

    def for_epic(self) -> frozenset[str]:
        """Labels of the request's epic."""
        return frozenset({REQUEST, self.sop_label})

    def for_step(self, step: Step) -> frozenset[str]:
        """Labels of one step issue: SOP, roles, phase, step number."""
        names = {self.sop_label, self.steps[step.number]}
        names |= {self.roles[role] for role in step.roles}
        phase = self.phase_of_step.get(step.number)
        if phase is not None:
            names.add(self.phases[phase])
        return frozenset(names)

    def owns(self, name: str) -> bool:
        """True for labels in the structural families (kept in sync with the SOP)."""
        return name == REQUEST or name.startswith(STRUCTURAL)


def label_set(sop: Sop, capabilities: Capabilities) -> ManagedLabels:
    """Every structural and status label for ``sop`` on a tracker with ``capabilities``."""
    sop_label = _label(f"sop::{sop.id}", f"SOP {sop.name}", capabilities)
    roles = {
        r.id: _label(f"peran:{r.name}", f"Pelaksana: {r.name}", capabilities) for r in sop.roles
    }
    phases = {p.id: _label(f"fase::{p.name}", f"Fase {p.name}", capabilities) for p in sop.phases}
    steps = {
        s.number: _label(f"langkah::{s.number:02d}", f"Langkah {s.number:02d} SOP", capabilities)
        for s in sop.steps
    }
    status = [_label(name, text, capabilities) for name, text in STATUS_LABELS.items()]
    request = Label(REQUEST, COLOURS[REQUEST], "Permohonan aplikasi (epic sop-sync)")
    definitions = (request, sop_label, *roles.values(), *phases.values(), *steps.values(), *status)
    phase_of_step = {
        s.number: phase.id for s in sop.steps if (phase := sop.phase_of(s.number)) is not None
    }
    return ManagedLabels(
        sop_label=sop_label.name,
        roles={k: v.name for k, v in roles.items()},
        phases={k: v.name for k, v in phases.items()},
        steps={k: v.name for k, v in steps.items()},
        definitions=tuple(dict.fromkeys(definitions)),
        phase_of_step=phase_of_step,
    )
