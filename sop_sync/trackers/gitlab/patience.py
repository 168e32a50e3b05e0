"""How long sop-sync waits for GitLab: timeouts, a retry budget, ``Retry-After``, no resent POST.

python-gitlab's own retry (gitlab/client.py ``http_request``, gitlab/utils.py ``Retry``) is
switched off (``retry_transient_errors=False`` on the client; a 429 never reaches it):

- with ``retry_transient_errors`` it sends a POST again after a 5xx or a lost connection, and
  a 502 from the proxy after GitLab created the epic makes a second epic;
- it sleeps whatever ``Retry-After`` says (3600 s, up to ten times), and ``int()`` of a
  ``Retry-After`` given as an HTTP date raises ``ValueError``;
- nothing bounds the whole: 10 tries without a timeout took 103 s on a refused port and 433 s
  on a host that accepts and never answers.

The retries are urllib3's instead, on the adapter the session mounts on the client's
``requests`` session (as the Jira adapter does, :mod:`sop_sync.trackers.jira.rest`), where every
answer is seen with its headers:

- a refused connection (nothing was sent) and a 429 (GitLab's rate limiter answers before the
  request is carried out) are retried whatever the method;
- a 5xx, a reset connection or a read timeout only for GET, HEAD, PUT and DELETE, which do the
  same when sent twice. A POST that meets one is *uncertain*: GitLab may have created the
  object and lost the answer. The caller looks for the object before sending again
  (:meth:`.session.GitLabSession.create`);
- every HTTP call has a budget (``tracker.retry_budget_seconds``, 60 s) for all its tries and
  waits. A wait that would leave no time for a try is not begun: the call gives up with one
  line, a ``Retry-After`` beyond the budget at once (``GitLab asked to wait 3600 s
  (Retry-After); giving up``). ``Retry-After`` is read as seconds or as an HTTP date (RFC 9110
  §10.2.3);
- each try has a connect and a read timeout, never longer than what is left of the budget;
- a body that is a stream (python-gitlab's multipart uploads) cannot be sent twice by urllib3:
  those calls are not retried here (:mod:`.uploads` retries them itself).

A span (:meth:`PatientAdapter.span`) bounds several calls of one thread together: a create,
the look-up after an uncertain answer and the second try share one budget.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError, ProtocolError, ReadTimeoutError
from urllib3.util import Timeout
from urllib3.util.retry import Retry

from sop_sync.errors import TrackerUnavailableError

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
TRANSIENT = frozenset({500, 502, 503, 504})
BACKOFF = 0.5
"""Seconds: waits of 0, 1, 2, 4, 8, 8 … s between tries when GitLab names none."""
LONGEST_BACKOFF = 8.0
TRIES = 10
"""Tries after an error status at most, besides the budget (``Retry-After: 0`` storms), as
python-gitlab's ``max_retries``; errors without an answer are bounded by the budget alone."""
SHORTEST_TRY = 0.5
"""Seconds a try needs at least: a wait that leaves less is not begun."""


@dataclass(frozen=True)
class Patience:
    """The settings: connect and read timeout of each try, the budget of each call (s)."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    budget: float = 60.0


class GaveUpError(TrackerUnavailableError):
    """No further try fits the budget; ``reason`` says why, ``unreachable`` when no answer came."""

    def __init__(self, reason: str, *, unreachable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unreachable = unreachable


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` asks for: delay-seconds or an HTTP date; None when unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": an HTTP date is always GMT
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _failure(history: tuple[Any, ...]) -> tuple[str, bool]:
    """What the last try met, for a person; True when GitLab never answered."""
    last = history[-1] if history else None
    if last is None:
        return "no answer", True
    if last.status:
        return f"HTTP {last.status}", False
    error = last.error
    if isinstance(error, NewConnectionError):
        return "connection refused", True
    if isinstance(error, ReadTimeoutError):
        return "no answer within the read timeout", True
    if isinstance(error, ProtocolError):
        return "connection reset", True
    return type(error).__name__, True


class BudgetRetry(Retry):
    """urllib3's retry, bounded by a deadline; 5xx and read errors only for idempotent methods."""

    started: float = 0.0
    deadline: float = math.inf
    budget: float = 0.0

    def new(self, **kw: Any) -> BudgetRetry:
        """The next state of the retry, keeping the clock."""
        made = super().new(**kw)
        made.started, made.deadline, made.budget = self.started, self.deadline, self.budget
        return made

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        """429 whatever the method (nothing was done); 5xx only when resending is harmless."""
        if status_code == 429:
            return True
        return status_code in TRANSIENT and method.upper() in IDEMPOTENT

    def sleep(self, response: Any = None) -> None:
        """Wait as GitLab asks (or back off), unless the wait leaves no time for a try."""
        asked = retry_after(response.headers.get("Retry-After")) if response is not None else None
        wait = asked if asked is not None else self.get_backoff_time()
        now = time.monotonic()
        left = self.deadline - now
        if wait + SHORTEST_TRY <= left:
            time.sleep(wait)
            return
        what, unreachable = _failure(self.history)
        if asked is not None:
            reason = f"{what}: GitLab asked to wait {asked:.0f} s (Retry-After); giving up"
        else:
            reason = (
                f"{what}; gave up after {now - self.started:.0f} s (retry budget {self.budget:g} s)"
            )
        raise GaveUpError(reason, unreachable=unreachable)


class DeadlineTimeout(Timeout):
    """Each try's timeouts, cut to what is left before the deadline when the try starts."""

    def __init__(self, connect: float, read: float, deadline: float) -> None:
        super().__init__(connect=connect, read=read)
        self.deadline = deadline
        self.limits = (connect, read)

    def clone(self) -> Timeout:
        """A fresh timeout for one try (urllib3 clones one per try)."""
        left = max(self.deadline - time.monotonic(), 0.01)
        connect, read = self.limits
        return Timeout(connect=min(connect, left), read=min(read, left), total=left)


class PatientAdapter(HTTPAdapter):
    """The transport of a session: pooled connections, the timeouts, retries within budget."""

    def __init__(self, patience: Patience, pool_maxsize: int) -> None:
        self.patience = patience
        self._local = threading.local()
        super().__init__(pool_connections=4, pool_maxsize=pool_maxsize)

    @property
    def max_retries(self) -> Retry:
        """The retry of the call this thread is sending (requests reads it once per send)."""
        made: Retry | None = getattr(self._local, "retry", None)
        return made if made is not None else Retry(0, read=False, raise_on_status=False)

    @max_retries.setter
    def max_retries(self, value: Retry) -> None:
        """Ignored: each send makes its own (HTTPAdapter's constructor sets one)."""

    @contextmanager
    def span(self) -> Iterator[None]:
        """Calls of this thread inside share one budget (an outer span's, when nested)."""
        outer: float | None = getattr(self._local, "deadline", None)
        if outer is not None:
            yield
            return
        self._local.deadline = time.monotonic() + self.patience.budget
        try:
            yield
        finally:
            self._local.deadline = None

    def left(self) -> float:
        """Seconds left in this thread's span (the budget when outside one)."""
        span: float | None = getattr(self._local, "deadline", None)
        return self.patience.budget if span is None else span - time.monotonic()

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> Response:
        """Send with this call's deadline, timeouts and retry (none for a streamed body)."""
        p = self.patience
        started = time.monotonic()
        span: float | None = getattr(self._local, "deadline", None)
        deadline = min(started + p.budget, span if span is not None else math.inf)
        if isinstance(request.body, bytes | str | None):
            retry = BudgetRetry(
                total=None,
                status=TRIES,
                other=0,
                allowed_methods=IDEMPOTENT,
                backoff_factor=BACKOFF,
                backoff_max=LONGEST_BACKOFF,
                raise_on_status=True,
                respect_retry_after_header=True,
            )
            retry.started, retry.deadline, retry.budget = started, deadline, p.budget
        else:
            retry = Retry(0, read=False, raise_on_status=False)
        self._local.retry = retry
        try:
            return super().send(
                request,
                stream=stream,
                # requests passes a urllib3 Timeout through (its stubs say float or tuple)
                timeout=DeadlineTimeout(p.connect_timeout, p.read_timeout, deadline),  # type: ignore[arg-type]
                verify=verify,
                cert=cert,
                proxies=proxies,
            )
        finally:
            self._local.retry = None
