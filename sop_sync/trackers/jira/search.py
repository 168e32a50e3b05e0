"""JQL searches, paginated the way each flavour pages, asking for the marker property.

- Cloud: ``GET /rest/api/2/search/jql`` (Cloud OpenAPI searchAndReconsileIssuesUsingJql) with
  ``nextPageToken`` and ``isLast``, no total; the old ``/search`` answers 410 (Atlassian
  changelog CHANGE-2046). Pages follow one another (each names the next).
- DC: ``GET /rest/api/2/search`` with ``startAt``/``maxResults``/``total``; once the first
  page gives the total, the other pages are fetched side by side.

``properties=sop-sync`` brings each issue's marker in the same answer (both flavours; at most
five keys). The library's ``search_issues`` is not used: it reads ``/field`` first, and on
Cloud it only follows page tokens when asked for everything.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from sop_sync.trackers.jira.marker import PROPERTY
from sop_sync.trackers.jira.rest import Rest

PAGE = 1000
"""Issues asked for per page; Jira grants fewer (Cloud about 100 with fields, DC its limit)."""
Call = Callable[[str, Callable[[], Any]], Any]


def pages(
    call: Call,
    rest: Rest,
    pool: Executor,
    cloud: bool,
    jql: str,
    fields: tuple[str, ...],
    expand: str | None = None,
) -> list[dict[str, Any]]:
    """Every issue ``jql`` finds, with ``fields`` and the marker property."""
    params: dict[str, Any] = {
        "jql": jql,
        "fields": ",".join(fields),
        "properties": PROPERTY,
        "maxResults": PAGE,
    }
    if expand:
        params["expand"] = expand
    doing = f"searching {jql!r}"
    found: list[dict[str, Any]] = []
    if cloud:
        while True:
            page = call(doing, lambda: rest.get("search/jql", **params))
            found += page.get("issues") or []
            token = page.get("nextPageToken")
            if page.get("isLast", True) or not token:
                return found
            params["nextPageToken"] = token
    first = call(doing, lambda: rest.get("search", startAt=0, **params))
    found += first.get("issues") or []
    size, total = int(first.get("maxResults") or len(found) or 1), int(first.get("total") or 0)
    starts = range(len(found), total, size) if found else range(0)

    def page_at(at: int) -> Any:
        return call(doing, lambda: rest.get("search", startAt=at, **params))

    for page in pool.map(page_at, starts):
        found += page.get("issues") or []
    return found
