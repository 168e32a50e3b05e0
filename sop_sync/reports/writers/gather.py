"""Read the requests a report covers: each observed with its history and judged by the rules.

The use case the ``laporan`` command calls (it sits above ``app`` and uses its pieces). No
repository is inspected: a report judges time, not evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sop_sync.app.requests import request_of
from sop_sync.app.sops import find_sop
from sop_sync.config import Settings
from sop_sync.errors import InputError
from sop_sync.model.text import one_line
from sop_sync.reports.report import Report, RequestData, build_report
from sop_sync.reports.worktime import WIB
from sop_sync.rules.evaluate import evaluate
from sop_sync.sop.model import Sop
from sop_sync.trackers.base import Tracker


def matches(requester: str, wanted: str | None) -> bool:
    """Whether a request's pemohon matches ``--pemohon`` (case-insensitive, part of it)."""
    return wanted is None or one_line(wanted).casefold() in one_line(requester).casefold()


def gather(
    tracker: Tracker,
    settings: Settings,
    *,
    sop_id: str | None = None,
    requester: str | None = None,
) -> Iterator[RequestData]:
    """Every request in the tracker of SOP ``sop_id`` and pemohon ``requester`` (when given)."""
    sops: dict[str, Sop] = {}
    for summary in tracker.requests():
        if sop_id is not None and summary.sop_id != sop_id:
            continue
        request = request_of(summary)
        if not matches(request.requester, requester):
            continue
        sop = sops.get(request.sop_id) or find_sop(settings.mappings_dir, request.sop_id)
        sops[request.sop_id] = sop
        observed = tracker.observe(request.key, history=True)
        policy = settings.closing.policy(sop.id)
        yield RequestData(sop, request, observed, evaluate(sop, request, observed, None, policy))


def filters(sop_id: str | None, requester: str | None) -> tuple[str, ...]:
    """The report's limits as people read them."""
    return tuple(
        text
        for text in (
            f"SOP {sop_id}" if sop_id else "",
            f"pemohon {one_line(requester)}" if requester else "",
        )
        if text
    )


def report_of(
    tracker: Tracker,
    settings: Settings,
    now: dt.datetime,
    *,
    sop_id: str | None = None,
    requester: str | None = None,
    offset: dt.timedelta = WIB,
) -> Report:
    """The report of the tracker's requests on ``now``."""
    if sop_id is not None:
        find_sop(settings.mappings_dir, sop_id)  # an unknown id is an error, not an empty report
    if requester is not None and not one_line(requester):
        raise InputError("--pemohon needs a name (part of it is enough)")
    items = gather(tracker, settings, sop_id=sop_id, requester=requester)
    return build_report(
        items,
        settings.calendar.calendar(),
        now,
        tentative=settings.tentative_duration,
        offset=offset,
        filters=filters(sop_id, requester),
    )
