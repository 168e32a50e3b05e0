"""The timeline a document shows: the phases of the schedule (or its steps), as a table."""

from __future__ import annotations

import datetime as dt

from sop_sync.documents.blocks import Table, plain
from sop_sync.documents.words import numeric_date
from sop_sync.schedule.timeline import Schedule


def _day(moment: dt.datetime | None) -> str:
    return numeric_date(moment.date()) if moment is not None else "berkelanjutan"


def _steps(numbers: tuple[int, ...]) -> str:
    if not numbers:
        return ""
    if list(numbers) == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 1:
        return f"{numbers[0]}–{numbers[-1]}"
    return ", ".join(str(n) for n in numbers)


def timeline(schedule: Schedule) -> Table:
    """No, Tahapan, Langkah SOP, Mulai, Selesai: one row per phase (per step without phases).

    A step that goes on while the system is in use ("Selama sistem informasi digunakan")
    has no end: ``berkelanjutan``.
    """
    if schedule.phases:
        rows = tuple(
            (
                plain(f"{n}."),
                plain(window.phase.name),
                plain(_steps(window.steps)),
                plain(_day(window.start)),
                plain(_day(window.due)),
            )
            for n, window in enumerate(schedule.phases, start=1)
        )
    else:
        rows = tuple(
            (
                plain(f"{n}."),
                plain(plan.step.activity),
                plain(str(plan.step.number)),
                plain(_day(plan.start)),
                plain(_day(plan.due)),
            )
            for n, plan in enumerate(schedule.steps, start=1)
        )
    return Table(("No", "Tahapan", "Langkah SOP", "Mulai", "Selesai"), rows, (2, 9, 4, 4, 4))


def calendar_days(schedule: Schedule) -> int:
    """Calendar days from the first day of work to the last, both counted."""
    return (schedule.end.date() - schedule.start.date()).days + 1
