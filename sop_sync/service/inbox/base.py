"""The inbox the sync service acknowledges webhooks into, and its workers claim jobs from.

Level-triggered: a webhook delivery does not carry work to replay, it names a *job* — "look at
request ``absensi`` again" — and the worker brings the tracker to what the SOP says from what
the tracker shows *then*. So the inbox keeps two things:

- **deliveries**, one row per (source, delivery id), only to answer a duplicate delivery with
  "already have it" (GitLab and Jira both re-send);
- **jobs**, one row per job key. A delivery naming a job that is already waiting adds nothing
  but a new ``generation``: ten events for one request while it waits make one reconcile
  (coalescing). A job is leased by one worker at a time (one reconcile per request at once);
  a lease that runs out (a killed worker) makes the job claimable again (at-least-once).
  ``finish`` removes the job only if no delivery arrived while it ran; otherwise it stays due,
  so the change that arrived mid-run is looked at too.

Failures are retried with back-off and then *parked*: kept, not retried, visible in
``/metrics`` and ``sop-sync service status`` until ``sop-sync service retry`` brings them back.

Two implementations with the same semantics and the same tests: SQLite (embedded, one host) and
PostgreSQL (several replicas and workers on different hosts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

JsonHints = Mapping[str, Any]
"""Small JSON values a delivery adds to its job (merged key by key), e.g. ``{"note_id": 7}``."""


@dataclass(frozen=True)
class Delivery:
    """One acknowledged webhook (or a reconciler/CLI trigger), reduced to the job it names.

    No body, no token: what a delivery needs to become work and to be de-duplicated.
    """

    source: str
    """``gitlab``, ``jira``, ``reconciler`` or ``cli``."""
    delivery_id: str
    """The vendor's id of this delivery (``Idempotency-Key``, ``X-Gitlab-Event-UUID``,
    ``X-Atlassian-Webhook-Identifier``); unique per source."""
    kind: str
    """The event kind as the vendor names it (``Note Hook``, ``comment_created``...)."""
    job: str
    """The job key (see :mod:`sop_sync.service.jobs`)."""
    hints: JsonHints = field(default_factory=dict)
    actor: str = ""
    """Who caused the event (for the logs; never a secret)."""


@dataclass(frozen=True)
class Claim:
    """A job leased to one worker until ``lease_until`` (epoch seconds)."""

    job: str
    generation: int
    attempts: int
    """Failed attempts before this one."""
    hints: dict[str, Any]
    worker: str
    lease_until: float


@dataclass(frozen=True)
class ParkedJob:
    """A job that failed ``attempts`` times and waits for a person."""

    job: str
    attempts: int
    error: str
    since: float


@dataclass(frozen=True)
class InboxStats:
    """What ``/metrics`` and ``service status`` show of the shared inbox."""

    pending: int
    """Jobs waiting or running (not parked)."""
    running: int
    """Jobs under a live lease."""
    parked: int
    oldest_pending_age: float
    """Seconds since the oldest pending job became due (0 when none)."""
    deliveries: int
    """Deliveries remembered for de-duplication."""
    processed: int
    """Jobs finished since the inbox was created."""
    failed: int
    """Failed attempts since the inbox was created."""


class Inbox(Protocol):
    """A durable, shared queue of jobs with de-duplication, coalescing and leases."""

    def accept(self, deliveries: Sequence[Delivery]) -> list[bool]:
        """Store the deliveries durably (committed and synced when this returns).

        Returns, per delivery, True when it is new and False for a duplicate
        (same source and delivery id): a duplicate changes nothing.
        """
        ...

    def enqueue(self, job: str, hints: JsonHints | None = None) -> None:
        """Make a job due now without a delivery (the reconciler, a resolved issue event)."""
        ...

    def claim(self, worker: str, lease: float) -> Claim | None:
        """Lease the job that has been due longest to ``worker`` for ``lease`` seconds.

        Never a job another worker holds a live lease on; None when nothing is due.
        """
        ...

    def extend(self, claim: Claim, lease: float) -> Claim:
        """Keep the lease on a long job (raises ``LeaseLost`` when another worker took it)."""
        ...

    def finish(self, claim: Claim) -> None:
        """The job is done: remove it, unless a delivery arrived since the claim (then due)."""
        ...

    def fail(self, claim: Claim, error: str, *, retry_in: float | None) -> None:
        """The attempt failed: due again in ``retry_in`` seconds, or parked when None."""
        ...

    def parked(self) -> list[ParkedJob]:
        """The parked jobs, oldest first."""
        ...

    def retry_parked(self, job: str | None = None) -> int:
        """Make parked jobs (one, or all) due again; the number made due."""
        ...

    def stats(self) -> InboxStats:
        """Counts for metrics and status."""
        ...

    def forget_deliveries(self, older_than: float) -> int:
        """Drop de-duplication rows older than ``older_than`` seconds; the number dropped."""
        ...

    def ping(self) -> None:
        """Raise when the inbox cannot be reached (``/healthz``)."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


@dataclass(frozen=True)
class Failure:
    """What a failed attempt leaves: the attempts so far, parked or not, due when."""

    attempts: int
    parked: bool
    due: float


def after_failure(
    claim: Claim,
    attempts: int,
    generation: int,
    due: float,
    *,
    now: float,
    retry_in: float | None,
    max_attempts: int,
) -> Failure:
    """The job's next state after ``claim`` failed; the same rule on every backend.

    ``attempts``, ``generation`` and ``due`` are the row as stored now. Parked when
    ``retry_in`` is None or the attempts reach ``max_attempts`` (due: parked since now); else
    due in ``retry_in`` seconds, or earlier when a delivery arrived during the run.
    """
    tried = attempts + 1
    if retry_in is None or tried >= max_attempts:
        return Failure(tried, True, now)
    later = now + max(0.0, retry_in)
    if generation != claim.generation:  # a delivery arrived meanwhile: due since then
        later = min(later, due)
    return Failure(tried, False, later)


class LeaseLost(Exception):  # noqa: N818 - a condition, not a bug
    """Another worker holds the job now (this worker's lease ran out)."""
