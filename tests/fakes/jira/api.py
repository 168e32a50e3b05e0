"""Request plumbing shared by the Jira emulator's handlers: the call, errors, pages, bodies.

Errors answer as Jira's REST layer does, an ``ErrorCollection``:
``{"errorMessages": ["..."], "errors": {"field": "..."}}`` (Cloud OpenAPI
``components/schemas/ErrorCollection``; DC "Jira REST API" reference, "Error responses").
The jira library joins ``errors`` values (else ``errorMessages``) into ``JIRAError.text``
(jira/resilientsession.py ``parse_errors``).

Lists follow one of Jira's two page shapes: offset pages ``{"startAt", "maxResults", "total",
"isLast", "values"}`` (Cloud OpenAPI "Pagination"; DC 8.4+ ``createmeta`` pages, which
jira/client.py ``project_issue_types`` reads from ``values``), and the token pages of
Cloud's ``/search/jql`` (issues.py).
"""

from __future__ import annotations

import datetime as dt
import email.parser
import email.policy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import TYPE_CHECKING, Any

from tests.fakes.http import Raw as Raw  # the handlers import it from here

if TYPE_CHECKING:
    from tests.fakes.jira.state import State

Json = dict[str, Any]
Answer = tuple[int, Any]
Handler = Callable[["Call"], Answer]

NOT_AUTHENTICATED = "You are not authenticated. Authentication required to perform this operation."


class ApiError(Exception):
    """An error answer: status and body (an ErrorCollection, or a :class:`Raw` page)."""

    def __init__(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, payload)
        self.status = status
        self.payload = payload
        self.headers = headers or {}


def error(status: int, *messages: str, **errors: str) -> ApiError:
    """An ErrorCollection answer: messages in ``errorMessages``, per-field ones in ``errors``."""
    return ApiError(status, {"errorMessages": list(messages), "errors": errors})


def obj(value: Any) -> Json:
    """``value`` when it is a JSON object, else an empty one (tolerant reading of bodies)."""
    return value if isinstance(value, dict) else {}


def bad_request(*messages: str, **errors: str) -> ApiError:
    """400 with an ErrorCollection."""
    return error(400, *messages, **errors)


def issue_not_found() -> ApiError:
    """Cloud OpenAPI ``GET /rest/api/3/issue/{issueIdOrKey}`` 404 (same text on DC)."""
    return error(404, "Issue does not exist or you do not have permission to see it.")


def project_not_found(ref: str) -> ApiError:
    """Cloud OpenAPI ``GET /rest/api/3/project/{projectIdOrKey}`` 404."""
    return error(404, f"No project could be found with key '{ref}'.")


@dataclass
class Call:
    """One request as the handlers see it."""

    state: State
    match: re.Match[str]
    query: dict[str, list[str]]
    body: Any
    user: Json | None
    version: str
    """The REST version in the path: ``2``, ``3`` or ``latest`` (outside /rest/api: ``2``)."""
    files: dict[str, list[tuple[str, bytes]]] = field(default_factory=dict)
    headers: Message | None = None
    raw: bytes = b""
    """The request body as sent."""

    @property
    def actor(self) -> Json:
        """The authenticated user (handlers that run only authenticated)."""
        assert self.user is not None  # the server refused anonymous calls before routing
        return self.user

    @property
    def rest(self) -> str:
        """The version for ``self`` links: Jira answers ``latest`` calls with ``2`` links."""
        return "3" if self.version == "3" else "2"

    @property
    def adf(self) -> bool:
        """Rich text is Atlassian Document Format here (REST v3, Cloud only)."""
        return self.version == "3"

    def path(self, name: str) -> str:
        """A path parameter."""
        return self.match[name]

    def param(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def params(self, name: str) -> list[str]:
        """A list parameter: repeated and/or comma-separated (Cloud OpenAPI ``fields``)."""
        return [p.strip() for v in self.query.get(name, []) for p in v.split(",") if p.strip()]

    def integer(self, name: str, default: int) -> int:
        """An integer query parameter; a malformed one is a 400 as in Jira."""
        value = self.param(name)
        if value in (None, ""):
            return default
        try:
            return int(str(value))
        except ValueError:
            raise bad_request(f"The '{name}' parameter must be a number.") from None

    def flag(self, name: str) -> bool:
        """A boolean query parameter (``true``, any case)."""
        return (self.param(name) or "").lower() == "true"

    def object(self) -> Json:
        """The body, which must be a JSON object."""
        if not isinstance(self.body, dict):
            raise bad_request("Can not deserialize instance of object out of the request body.")
        return self.body


def require(call: Call, permission: str, message: str, status: int = 403) -> None:
    """Refuse unless the caller holds ``permission`` (see ``FakeJira.deny``)."""
    if not call.state.allowed(call.user, permission):
        raise error(status, message)


def issue_of(call: Call, name: str = "issue") -> Json:
    """The issue in the path (id or key); 404 when unknown or not browsable."""
    issue: Json | None = call.state.issue(call.path(name))
    if issue is None or not call.state.allowed(call.user, "BROWSE_PROJECTS"):
        raise issue_not_found()
    return issue


def offset_page(items: list[Any], call: Call, *, default_max: int = 50, cap: int = 1000) -> Json:
    """An offset page (Cloud OpenAPI "Pagination": ``startAt``, ``maxResults``, ``total``)."""
    start = max(call.integer("startAt", 0), 0)
    size = min(max(call.integer("maxResults", default_max), 0), cap)
    chunk = items[start : start + size]
    return {
        "startAt": start,
        "maxResults": size,
        "total": len(items),
        "isLast": start + len(chunk) >= len(items),
        "values": chunk,
    }


def jira_time(moment: dt.datetime) -> str:
    """Jira's timestamp form, ``2024-03-05T10:00:00.000+0000``."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def parse_body(content_type: str, raw: bytes) -> tuple[Any, dict[str, list[tuple[str, bytes]]]]:
    """A JSON body, or the files of a multipart upload; malformed JSON is Jira's 400."""
    if content_type.startswith("multipart/form-data"):
        return None, multipart_files(content_type, raw)
    if not raw.strip():
        return None, {}
    try:
        return json.loads(raw), {}
    except ValueError as failure:
        raise bad_request(f"Unexpected character in request body: {failure}") from None


def multipart_files(content_type: str, body: bytes) -> dict[str, list[tuple[str, bytes]]]:
    """The parts of a ``multipart/form-data`` body: field name -> [(file name, content)]."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    files: dict[str, list[tuple[str, bytes]]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if name:
            content = payload if isinstance(payload, bytes) else b""
            files.setdefault(str(name), []).append((part.get_filename() or "", content))
    return files
