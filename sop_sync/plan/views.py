"""What the tracker texts show, and the renderer protocol the plan calls (no templates here).

The views are plain values; :mod:`sop_sync.render.tracker` turns them into text in the
tracker's markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from sop_sync.model.request import RequestInput
from sop_sync.plan.labels import ManagedLabels
from sop_sync.schedule.timeline import Schedule, ScheduledStep
from sop_sync.sop.model import Sop, Step


@dataclass(frozen=True)
class StepView:
    """What a step issue's text shows."""

    sop: Sop
    request: RequestInput
    step: Step
    scheduled: ScheduledStep | None
    labels: ManagedLabels


@dataclass(frozen=True)
class EpicView:
    """What the epic's text shows; ``step_refs`` are the step issues found so far."""

    sop: Sop
    request: RequestInput
    schedule: Schedule
    step_refs: Mapping[int, tuple[str, bool]]
    """Step number -> (web URL, closed?) for step issues that exist."""
    deadline: dt.datetime | None = None
    """When the whole procedure must be done, where the SOP sets ``batas_waktu``."""


class Texts(Protocol):
    """Renders the Indonesian texts of the epic and the step issues."""

    def epic(self, view: EpicView) -> str:
        """The epic's description."""
        ...

    def step(self, view: StepView) -> str:
        """A step issue's description."""
        ...
