"""Jira's REST API through the ``jira`` library's session: retries, bounded concurrency, errors.

The library authenticates (Cloud: e-mail + API token as Basic auth; DC: a personal access
token as Bearer), builds URLs and turns error bodies into :class:`JIRAError`. Its own retry
(``ResilientSession``) is switched off (``max_retries=0``) because it sleeps 1–2 s even on
``Retry-After: 0``, waits 20/40/60 s on a 429 without ``Retry-After`` and never retries a 503
without one (jira/resilientsession.py ``__recoverable``). Retries are urllib3's instead, on
the same session: 429 and 503 are retried for every method, ``Retry-After`` obeyed exactly
(never earlier), exponential back-off without it; a POST is retried only on those answers,
which Jira sends before doing anything, so a create is never sent twice. Bodies are bytes
(never streams), so a retry resends the same body.

Some library methods cost round trips sop-sync does not need (``create_issue`` re-reads the
issue, ``create_version`` sleeps a second, ``create_issues`` crashes on a 400 that is not
per issue, ``add_attachment`` streams its body, ``search_issues`` loads ``/field`` first):
those calls go through :meth:`Rest.request`, the same session and URLs.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import jira
import requests
from jira.exceptions import JIRAError
from urllib3.util.retry import Retry

from sop_sync.errors import TrackerError
from sop_sync.model.text import shorten

RETRIES = 6
BACKOFF = 0.5
"""Seconds: back-off steps 0, 1, 2, 4, 8 s when Jira sends no ``Retry-After``."""
LONGEST_WAIT = 600
"""A ``Retry-After`` longer than this is not waited for: the error says when to try again."""


class JiraRetry(Retry):
    """urllib3's retry, refusing to sleep longer than :data:`LONGEST_WAIT`."""

    def sleep_for_retry(self, response: Any) -> bool:
        """Sleep as ``Retry-After`` says (urllib3), refusing waits past the limit."""
        wait = self.get_retry_after(response)
        if wait is not None and wait > LONGEST_WAIT:
            raise TrackerError(
                f"Jira: rate limited; Jira asks to wait {wait:.0f} s: try again later"
            )
        return bool(super().sleep_for_retry(response))


def retrying(backoff: float = BACKOFF) -> JiraRetry:
    """The retry policy: 429/503 for every method, ``Retry-After`` obeyed, no read retries."""
    return JiraRetry(
        total=RETRIES,
        connect=2,
        read=0,
        status=RETRIES,
        other=0,
        status_forcelist=(429, 503),
        allowed_methods=None,
        respect_retry_after_header=True,
        backoff_factor=backoff,
        raise_on_status=False,
    )


def mount_retries(client: jira.JIRA, workers: int, backoff: float = BACKOFF) -> None:
    """Give the client's session urllib3 retries and a connection per worker."""
    adapter = requests.adapters.HTTPAdapter(
        max_retries=retrying(backoff), pool_connections=4, pool_maxsize=max(workers, 4)
    )
    client._session.mount("http://", adapter)
    client._session.mount("https://", adapter)
    client._session.max_retries = 0  # the library's own retry off (see the module doc)


class Rest:
    """JSON calls on one client's session, at most ``workers`` at a time (shared gate)."""

    def __init__(self, client: jira.JIRA, gate: threading.BoundedSemaphore) -> None:
        self.client = client
        self.gate = gate

    @contextmanager
    def slot(self) -> Iterator[None]:
        """One of the bounded in-flight request slots."""
        with self.gate:
            yield

    def url(self, path: str) -> str:
        """The REST v2 URL of ``path`` (``issue/APL-1``)."""
        return str(self.client._get_url(path))

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        files: dict[str, Any] | None = None,
    ) -> Any:
        """One call: the JSON answer (None when Jira answers no body)."""
        kwargs: dict[str, Any] = {"params": params}
        if files is not None:  # multipart: requests sets the boundary; no JSON content type
            kwargs |= {"files": files, "headers": {"Content-Type": None}}
        elif body is not None:
            kwargs["data"] = json.dumps(body)
        with self.slot():
            answer = self.client._session.request(method, self.url(path), **kwargs)
        if not answer.content:
            return None
        try:
            return answer.json()
        except ValueError:
            return None

    def get(self, path: str, **params: Any) -> Any:
        """GET with query parameters."""
        return self.request("GET", path, params=params or None)

    def post(self, path: str, body: Any) -> Any:
        """POST a JSON body."""
        return self.request("POST", path, body=body)

    def put(self, path: str, body: Any) -> Any:
        """PUT a JSON body."""
        return self.request("PUT", path, body=body)


HINTS = {
    401: "Jira refused the credentials: check SOP_SYNC_JIRA_EMAIL and SOP_SYNC_JIRA_TOKEN "
    "(Cloud: an API token) or SOP_SYNC_JIRA_TOKEN (Data Center: a personal access token)",
    403: "the account lacks the Jira permission for this (ask a Jira admin: project "
    "permissions such as Browse, Create, Edit, Transition, Link issues, Administer projects)",
    404: "not found (check the project key and that the account can see it)",
    429: "Jira's rate limit is still exhausted after retries; try again later",
    503: "Jira is unavailable even after retries; try again later",
}
_HTML = re.compile(r"<[^>]+>")


def message_of(error: JIRAError) -> str:
    """Jira's own words, on one line (an HTML error page becomes its title)."""
    text = str(error.text or "").strip()
    if text.lstrip().startswith("<"):
        title = re.search(r"<title>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        text = title.group(1) if title else _HTML.sub(" ", text)
    return shorten(text, 300) or "no message"


def explain(doing: str, error: JIRAError) -> str:
    """One line for a person: what was being done, the HTTP status, what to do."""
    code = error.status_code
    hint = HINTS.get(code or 0)
    line = f"Jira: {doing}: HTTP {code}: {message_of(error)}"
    return line + (f" — {hint}" if hint else "")


def guarded(doing: str, action: Callable[[], Any], server: str = "") -> Any:
    """Run one call; library and network errors become one-line tracker errors."""
    try:
        return action()
    except JIRAError as error:
        raise TrackerError(explain(doing, error)) from None
    except requests.exceptions.RequestException as error:
        where = f" {server}" if server else ""
        raise TrackerError(f"Jira: {doing}: cannot reach{where} ({type(error).__name__})") from None
