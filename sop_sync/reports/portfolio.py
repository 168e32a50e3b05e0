"""The portfolio: requests by SOP, by pemohon and by state, and what is late this week."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sop_sync.reports.per_request import RequestReport, RequestState
from sop_sync.rules.progress import StepState

NO_REQUESTER = "(tanpa pemohon)"


@dataclass(frozen=True)
class Tally:
    """Requests sharing one SOP or one pemohon, by state."""

    label: str
    total: int
    done: int
    running: int
    late: int
    """Late now, or finished late."""


@dataclass(frozen=True)
class LateItem:
    """A step late this week: still open past its due date, or closed late this week."""

    key: str
    title: str
    number: int
    activity: str
    holders: tuple[str, ...]
    due: dt.date
    closed: dt.datetime | None
    late_days: int


@dataclass(frozen=True)
class Portfolio:
    """Counts over every request in the report."""

    total: int
    by_state: tuple[tuple[RequestState, int], ...]
    by_sop: tuple[Tally, ...]
    by_requester: tuple[Tally, ...]
    week: tuple[dt.date, dt.date]
    """Monday and Sunday of the reference week."""
    late_this_week: tuple[LateItem, ...]


def _tallies(
    reports: Sequence[RequestReport], label: Callable[[RequestReport], str]
) -> tuple[Tally, ...]:
    groups: dict[str, list[RequestReport]] = {}
    for report in reports:
        groups.setdefault(label(report), []).append(report)
    return tuple(
        Tally(
            name,
            len(group),
            sum(1 for r in group if r.state in (RequestState.DONE, RequestState.DONE_LATE)),
            sum(1 for r in group if r.state in (RequestState.RUNNING, RequestState.LATE)),
            sum(1 for r in group if r.late),
        )
        for name, group in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    )


def late_this_week(reports: Sequence[RequestReport], today: dt.date) -> tuple[LateItem, ...]:
    """Open steps past their due date on ``today``, and steps closed late since Monday."""
    monday = today - dt.timedelta(days=today.weekday())
    found = []
    for report in reports:
        for row in report.steps:
            if row.due is None or row.state is StepState.SKIPPED:
                continue
            closed = row.timing.closed if row.timing else None
            if row.late_days > 0:
                late, closed = row.late_days, None
            elif closed is not None and monday <= closed.date() <= today:
                late = row.closed_late
            else:
                continue
            if late > 0:
                found.append(
                    LateItem(report.key, report.title, row.number, row.activity, row.holders,
                             row.due, closed, late)
                )  # fmt: skip
    return tuple(sorted(found, key=lambda item: (-item.late_days, item.key, item.number)))


def portfolio(reports: Sequence[RequestReport], today: dt.date) -> Portfolio:
    """The portfolio of ``reports`` on ``today``."""
    monday = today - dt.timedelta(days=today.weekday())
    return Portfolio(
        total=len(reports),
        by_state=tuple((s, sum(1 for r in reports if r.state is s)) for s in RequestState),
        by_sop=_tallies(reports, lambda r: r.sop.name),
        by_requester=_tallies(reports, lambda r: r.requester or NO_REQUESTER),
        week=(monday, monday + dt.timedelta(days=6)),
        late_this_week=late_this_week(reports, today),
    )
