"""The labels one SOP needs on one tracker: structural labels per step, and definitions.

Names and colours come from :mod:`sop_sync.model.labels`; this module applies them to an SOP.
"""

from __future__ import annotations

from dataclasses import dataclass

from sop_sync.model.changes import Label
from sop_sync.model.labels import (
    COLOURS,
    REQUEST,
    REQUEST_DESCRIPTION,
    STATUS_LABELS,
    make_label,
    owned,
)
from sop_sync.model.tracker import Capabilities
from sop_sync.sop.model import Sop, Step


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
        return owned(name)


def label_set(sop: Sop, capabilities: Capabilities) -> ManagedLabels:
    """Every structural and status label for ``sop`` on a tracker with ``capabilities``."""
    sop_label = make_label(f"sop::{sop.id}", f"SOP {sop.name}", capabilities)
    roles = {
        r.id: make_label(f"peran:{r.name}", f"Pelaksana: {r.name}", capabilities) for r in sop.roles
    }
    phases = {
        p.id: make_label(f"fase::{p.name}", f"Fase {p.name}", capabilities) for p in sop.phases
    }
    steps = {
        s.number: make_label(
            f"langkah::{s.number:02d}", f"Langkah {s.number:02d} SOP", capabilities
        )
        for s in sop.steps
    }
    status = [make_label(name, text, capabilities) for name, text in STATUS_LABELS.items()]
    request = Label(REQUEST, COLOURS[REQUEST], REQUEST_DESCRIPTION)
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
