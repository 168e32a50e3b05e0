"""Open and reconcile requests: observe, plan, diff, apply — until nothing is left to do.

The use cases the CLI and the service share for requests. Pure planning lives in
:mod:`sop_sync.plan`; this module only sequences it with tracker calls.
"""

from __future__ import annotations

import datetime as dt

from sop_sync.app.apply import Outcome, Progress, apply_changes
from sop_sync.app.requestfile import RequestFile
from sop_sync.app.sops import find_sop
from sop_sync.config import Settings
from sop_sync.errors import InputError, NotFoundError, TrackerError
from sop_sync.model.changes import Change, Ref
from sop_sync.model.request import KEY_PATTERN, RequestInput, derive_key
from sop_sync.model.text import one_line
from sop_sync.model.tracker import ObservedRequest, RequestSummary, State
from sop_sync.plan.desired import desired_state
from sop_sync.plan.diff import diff
from sop_sync.plan.views import Texts
from sop_sync.schedule.timeline import schedule
from sop_sync.sop.model import Sop
from sop_sync.trackers.base import Tracker

MAX_PASSES = 3
"""Passes per request: the second links the epic to the step issues created by the first."""

People = tuple[tuple[str, tuple[str, ...]], ...]


def check_request(sop: Sop, request: RequestInput, settings: Settings) -> None:
    """Refuse a request that names unknown roles or decisions, before any write."""
    known = {role.id for role in sop.roles}
    for role, _ in request.people:
        if role not in known:
            raise InputError(
                f"unknown role {role!r} for SOP {sop.id!r} (roles: {', '.join(sorted(known))})"
            )
    try:
        schedule(sop, request.start, settings.calendar.calendar(), dict(request.answers))
    except ValueError as error:
        raise InputError(str(error)) from None


def build_request(
    sop: Sop,
    settings: Settings,
    tracker: Tracker,
    form: RequestFile,
    people: People,
    *,
    reschedule: bool = False,
) -> RequestInput:
    """Merge the request file (or flags), default people and ``people`` into one checked request.

    Opening a request again converges on the one there: without ``--kunci`` the request of the
    same SOP and title is found again, and what the command does not say is kept (start,
    requester, people, repository). Moving the start of a request whose work has begun needs
    ``reschedule`` (``--jadwal-ulang``).
    """
    title = one_line(form.title or "")
    if not title:
        raise InputError("a request needs a title: --judul '...' (or judul: in --file)")
    summaries = tracker.requests()
    key = form.key or _same_request(summaries, sop.id, title)
    key = key or derive_key(title, {summary.key for summary in summaries})
    if not KEY_PATTERN.fullmatch(key):
        raise InputError(f"malformed --kunci {key!r}: 2-40 characters a-z, 0-9 and '-'")
    found = next((s for s in summaries if s.key == key), None)
    if found is not None and found.sop_id != sop.id:
        raise InputError(
            f"request {key!r} already exists with SOP {found.sop_id!r}; choose another --kunci"
        )
    before = request_of(found) if found is not None else None
    defaults = {r: names for r, names in settings.people.items() if r in {x.id for x in sop.roles}}
    merged = {**defaults, **dict(before.people if before else ()), **form.people, **dict(people)}
    first_day = settings.calendar.calendar().next_working_day(dt.date.today())
    request = RequestInput(
        key=key,
        sop_id=sop.id,
        title=title,
        start=form.start or (before.start if before else first_day),
        requester=form.requester or (before.requester if before else ""),
        people=tuple(merged.items()),
        repo=form.repo or (before.repo if before else ""),
        answers=before.answers if before else (),
    )
    check_request(sop, request, settings)
    if before is not None and request.start != before.start and not reschedule:
        _refuse_moving_started(tracker, before, request.start)
    return request


def _same_request(summaries: list[RequestSummary], sop_id: str, title: str) -> str | None:
    """The key of the request of this SOP with this title, when there is exactly one."""
    wanted = title.casefold()
    keys = [
        s.key
        for s in summaries
        if s.sop_id == sop_id and one_line(s.data.get("judul", "")).casefold() == wanted
    ]
    return keys[0] if len(keys) == 1 else None


def _refuse_moving_started(tracker: Tracker, before: RequestInput, start: dt.date) -> None:
    """Moving the start moves every open step's due date: only on request, once work began."""
    observed = tracker.observe(before.key, history=False)
    done = sorted(n for n, issue in observed.steps.items() if issue.state is State.CLOSED)
    if done:
        raise InputError(
            f"request {before.key!r} started on {before.start:%Y-%m-%d} and steps "
            f"{', '.join(map(str, done))} are done; starting it on {start:%Y-%m-%d} moves the "
            "due date of every open step: add --jadwal-ulang to do that (done steps keep theirs)"
        )


def pending_changes(
    tracker: Tracker,
    sop: Sop,
    request: RequestInput,
    settings: Settings,
    texts: Texts,
    observed: ObservedRequest | None = None,
) -> list[Change]:
    """The changes that would bring ``request`` up to date (nothing is written)."""
    observed = observed if observed is not None else tracker.observe(request.key, history=False)
    desired = desired_state(
        sop,
        request,
        settings.calendar.calendar(),
        tracker.capabilities,
        texts,
        observed,
        settings.tentative_duration,
    )
    return diff(desired, observed)


def converge(
    tracker: Tracker,
    sop: Sop,
    request: RequestInput,
    settings: Settings,
    texts: Texts,
    progress: Progress | None = None,
) -> Outcome:
    """Apply changes until the tracker matches the request (at most ``MAX_PASSES``)."""
    outcome = Outcome(request.key)
    for _ in range(MAX_PASSES):
        changes = pending_changes(tracker, sop, request, settings, texts)
        if not changes:
            break
        apply_changes(tracker, changes, outcome, progress)
        if outcome.failures:
            break
    return outcome


def existing_request(tracker: Tracker, key: str) -> RequestSummary | None:
    """The request with this key, if the tracker has one."""
    return next((summary for summary in tracker.requests() if summary.key == key), None)


def request_of(summary: RequestSummary) -> RequestInput:
    """The request as recorded in its epic's marker."""
    try:
        return RequestInput.from_data(summary.key, summary.data)
    except (KeyError, ValueError) as error:
        raise TrackerError(
            f"request {summary.key!r}: its hidden marker is damaged ({error}); "
            "restore the epic's marker or open the request again"
        ) from None


def open_requests(tracker: Tracker, key: str | None = None) -> list[RequestSummary]:
    """Requests to reconcile: every open one, or the one named (an error if unknown)."""
    summaries = tracker.requests()
    if key is None:
        return [s for s in summaries if s.state is State.OPEN]
    found = [s for s in summaries if s.key == key]
    if not found:
        raise InputError(f"no request {key!r} in this tracker")
    return found


def sync_request(
    tracker: Tracker,
    summary: RequestSummary,
    settings: Settings,
    texts: Texts,
    progress: Progress | None = None,
) -> Outcome:
    """Bring one request up to date with the current SOP file."""
    request = request_of(summary)
    sop = find_sop(settings.mappings_dir, request.sop_id)
    return converge(tracker, sop, request, settings, texts, progress)


def act(tracker: Tracker, change: Change) -> None:
    """Do what a person would do in a tracker's UI; the request and step must exist."""
    ref = getattr(change, "ref", None)
    if isinstance(ref, Ref):
        observed = tracker.observe(ref.key, history=False)
        if observed.epic is None:
            raise NotFoundError(f"no request {ref.key!r} in this tracker")
        if ref.step is not None and ref.step not in observed.steps:
            raise NotFoundError(f"request {ref.key!r} has no step {ref.step}")
    tracker.apply(change)
