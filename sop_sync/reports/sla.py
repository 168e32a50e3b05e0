"""Per SOP step across requests: actual working time against the Mutu Baku, and bottlenecks.

A sample is one request's step that is done with a known close: its working time from when
it could start to its last close (:mod:`.timing`). Median, p90 (nearest rank: the smallest
sample at or above 90 % of them) and the share within the standard are over those samples.
A role's load is what its steps took beyond their standard, and the open overdue steps it
holds now; the roles that carry most of it are the bottlenecks.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from sop_sync.reports.per_request import RequestReport, StepRow
from sop_sync.rules.progress import StepState
from sop_sync.sop.durations import Unit
from sop_sync.sop.model import Sop


def nearest_rank(ordered: Sequence[int], fraction: float) -> int:
    """The smallest value with at least ``fraction`` of ``ordered`` at or below it."""
    return ordered[max(math.ceil(fraction * len(ordered)), 1) - 1]


@dataclass(frozen=True)
class StepSla:
    """One SOP step over every request of the SOP."""

    number: int
    activity: str
    roles: tuple[str, ...]
    standard: int | None
    """Minutes of the Mutu Baku time (None: tentative, blank or ongoing)."""
    standard_text: str
    calendar_days: bool
    """The standard is in hari kalender: samples are wall-clock time."""
    samples: tuple[int, ...]
    """Sorted minutes, one per request that finished the step."""
    waiting: int
    """Requests where the step is open and could be worked on now."""

    @property
    def median(self) -> float | None:
        """The median sample (None without samples)."""
        return statistics.median(self.samples) if self.samples else None

    @property
    def p90(self) -> int | None:
        """The 90th percentile, nearest rank (None without samples)."""
        return nearest_rank(self.samples, 0.9) if self.samples else None

    @property
    def within(self) -> int:
        """Samples within the standard."""
        limit = self.standard
        return sum(1 for s in self.samples if limit is not None and s <= limit)

    @property
    def share(self) -> float | None:
        """Share of samples within the standard (None without a standard or samples)."""
        if self.standard is None or not self.samples:
            return None
        return self.within / len(self.samples)


@dataclass(frozen=True)
class RoleLoad:
    """One role of one SOP: time beyond the standard, and what it holds overdue now."""

    role: str
    samples: int
    over: int
    """Samples of its steps over the standard."""
    over_minutes: int
    """Their minutes beyond the standard, added up."""
    overdue: int
    """Open steps of its past their due date now."""


@dataclass(frozen=True)
class SopSla:
    """One SOP's steps and roles."""

    sop: Sop
    requests: int
    steps: tuple[StepSla, ...]
    roles: tuple[RoleLoad, ...]
    """Every role with samples or overdue steps, bottlenecks first."""


def sla(reports: Sequence[RequestReport]) -> tuple[SopSla, ...]:
    """The SLA of every SOP the reports cover, by SOP id."""
    by_sop: dict[str, list[RequestReport]] = {}
    for report in reports:
        by_sop.setdefault(report.sop.id, []).append(report)
    return tuple(_sop_sla(group) for _, group in sorted(by_sop.items()))


def _samples(rows: list[StepRow], calendar_days: bool) -> list[int]:
    """Sorted minutes of the rows done with a known close (wall-clock for hari kalender)."""
    found = []
    for row in rows:
        timing = row.timing
        if row.state is StepState.DONE and timing is not None and timing.closed is not None:
            found.append(timing.elapsed if calendar_days else timing.worked)
    return sorted(found)


def _sop_sla(reports: list[RequestReport]) -> SopSla:
    sop = reports[0].sop
    steps = []
    loads: dict[str, list[int]] = {}  # role -> [samples, over, over minutes, overdue]
    for index, step in enumerate(sop.steps):
        rows = [report.steps[index] for report in reports]
        calendar_days = step.time.unit is Unit.HARI_KALENDER
        samples = _samples(rows, calendar_days)
        standard = rows[0].standard
        waiting = sum(1 for r in reports for row in r.current if row.number == step.number)
        steps.append(
            StepSla(step.number, step.activity, rows[0].roles, standard, step.time.display(),
                    calendar_days, tuple(samples), waiting)
        )  # fmt: skip
        over = [s - standard for s in samples if standard is not None and s > standard]
        overdue = sum(1 for row in rows if row.late_days > 0)
        for role in rows[0].roles:
            load = loads.setdefault(role, [0, 0, 0, 0])
            load[0] += len(samples)
            load[1] += len(over)
            load[2] += sum(over)
            load[3] += overdue
    roles = sorted(
        (RoleLoad(role, *numbers) for role, numbers in loads.items()),
        key=lambda load: (-load.over_minutes, -load.overdue, load.role),
    )
    busy = tuple(load for load in roles if load.samples or load.overdue)
    return SopSla(sop, len(reports), tuple(steps), busy)
