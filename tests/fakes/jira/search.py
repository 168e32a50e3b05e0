"""Jira emulator handlers: issue search, in the shape of each flavour.

- DC: ``GET/POST /rest/api/2/search`` with ``startAt``/``maxResults``/``total`` (DC REST
  reference "Search for issues using JQL"; the jira library pages it in
  ``JIRA._fetch_pages``).
- Cloud: ``GET/POST /rest/api/3/search/jql`` (searchAndReconsileIssuesUsingJql) with
  ``nextPageToken``/``isLast`` and no total, ids only unless ``fields`` is given, a bounded
  query required; the old ``/search`` answers 410 (Atlassian changelog CHANGE-2046; the
  jira library >= 3.10 uses ``/search/jql`` on Cloud, ``JIRA.enhanced_search_issues``).
"""

from __future__ import annotations

import secrets
from typing import Any

from tests.fakes.jira import jql, view
from tests.fakes.jira.api import Answer, Call, Json, bad_request, error

REMOVED = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
UNBOUNDED = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)


def _arguments(call: Call) -> Json:
    """The search's parameters: the JSON body of a POST, else the query string."""
    if isinstance(call.body, dict):
        body = dict(call.body)
        for name in ("fields", "expand", "properties"):
            value = body.get(name)
            if isinstance(value, str):
                body[name] = [v.strip() for v in value.split(",") if v.strip()]
        return body
    return {
        "jql": call.param("jql") or "",
        "startAt": call.param("startAt"),
        "maxResults": call.param("maxResults"),
        "nextPageToken": call.param("nextPageToken"),
        "fields": call.params("fields"),
        "expand": call.params("expand"),
        "properties": call.params("properties"),
    }


def _number(value: Any, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"The '{name}' parameter must be a number.") from None


def search_dc(call: Call) -> Answer:
    """``GET/POST /rest/api/2/search`` on DC (Cloud OpenAPI: searchForIssuesUsingJql, deprecated).

    On Cloud the 410 of a removed API, with Atlassian's message (CHANGE-2046).
    """
    if call.state.cloud:
        raise error(410, REMOVED)
    args = _arguments(call)
    query = jql.parse(str(args.get("jql") or ""), call.state, call.user)
    found = query.run(call.state, call.user)
    start = max(_number(args.get("startAt"), "startAt", 0), 0)
    size = min(max(_number(args.get("maxResults"), "maxResults", 50), 0), call.state.max_results)
    rows = [
        view.issue_json(
            call.state,
            issue,
            call.rest,
            fields=args.get("fields") or [],
            default="*navigable",
            expand=args.get("expand") or [],
            properties=args.get("properties") or [],
        )
        for issue in found[start : start + size]
    ]
    return 200, {
        "expand": "schema,names",
        "startAt": start,
        "maxResults": size,
        "total": len(found),
        "issues": rows,
    }


def search_jql(call: Call) -> Answer:
    """``GET/POST /rest/api/3/search/jql`` (searchAndReconsileIssuesUsingJql): Cloud only.

    DC has no such route (404).
    """
    if not call.state.cloud:
        raise error(404, "null for uri: /rest/api/2/search/jql")
    args = _arguments(call)
    text = str(args.get("jql") or "")
    query = jql.parse(text, call.state, call.user)
    if query.where is None:
        raise bad_request(UNBOUNDED)
    token = args.get("nextPageToken")
    start = 0
    if token:
        remembered = call.state.page_tokens.get(token)
        if remembered is None or remembered[0] != text:
            raise bad_request("The provided next page token is invalid or expired.")
        start = remembered[1]
    wanted = list(args.get("fields") or [])
    ids_only = not wanted or set(wanted) <= {"id", "key"}
    cap = 5000 if ids_only else call.state.max_results
    size = min(max(_number(args.get("maxResults"), "maxResults", 50), 1), cap)
    found = query.run(call.state, call.user)
    page = found[start : start + size]
    rows = [
        view.issue_json(
            call.state,
            issue,
            call.rest,
            fields=wanted,
            default="id",
            expand=args.get("expand") or [],
            properties=args.get("properties") or [],
        )
        for issue in page
    ]
    shown: Json = {"issues": rows, "isLast": start + size >= len(found)}
    if not shown["isLast"]:
        following = secrets.token_urlsafe(12)
        call.state.page_tokens[following] = (text, start + size)
        shown["nextPageToken"] = following
    return 200, shown
