"""The whole report: every request, the SLA per SOP step, the portfolio. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sop_sync.model.request import RequestInput
from sop_sync.model.tracker import ObservedRequest
from sop_sync.reports.per_request import Plans, RequestReport, request_report
from sop_sync.reports.portfolio import Portfolio, portfolio
from sop_sync.reports.sla import SopSla, sla
from sop_sync.reports.worktime import WIB, kept
from sop_sync.rules.evaluate import Evaluation
from sop_sync.schedule.calendar import WorkCalendar
from sop_sync.schedule.timeline import DEFAULT_TENTATIVE
from sop_sync.sop.durations import Duration
from sop_sync.sop.model import Sop


@dataclass(frozen=True)
class RequestData:
    """One request as read from the tracker (with history) and judged by the rules."""

    sop: Sop
    request: RequestInput
    observed: ObservedRequest
    evaluation: Evaluation


@dataclass(frozen=True)
class Report:
    """A leadership report on ``now``: the reference moment (``--per``), never the clock."""

    now: dt.datetime
    minutes_per_day: int
    filters: tuple[str, ...]
    """What the report is limited to, as people read it (``SOP: bali``)."""
    requests: tuple[RequestReport, ...]
    sla: tuple[SopSla, ...]
    portfolio: Portfolio


def build_report(
    items: Iterable[RequestData],
    calendar: WorkCalendar,
    now: dt.datetime,
    *,
    tentative: Duration = DEFAULT_TENTATIVE,
    offset: dt.timedelta = WIB,
    filters: tuple[str, ...] = (),
) -> Report:
    """The report over ``items`` on ``now`` (naive wall-clock time of the agency)."""
    calendar = kept(calendar)
    plans = Plans(calendar, tentative)
    reports = tuple(
        sorted(
            (
                request_report(
                    item.sop, item.request, item.observed, item.evaluation, calendar, now,
                    tentative=tentative, offset=offset, plans=plans,
                )
                for item in items
            ),
            key=lambda report: report.key,
        )
    )  # fmt: skip
    return Report(
        now=now,
        minutes_per_day=calendar.minutes_per_day,
        filters=filters,
        requests=reports,
        sla=sla(reports),
        portfolio=portfolio(reports, now.date()),
    )
