"""Request plumbing shared by the GitLab emulator's handlers: the call, errors, lookups.

The handlers, one per documented endpoint, are in :mod:`.issues` (issues,
events, links, notes), :mod:`.labels` (project and group labels, an epic's labels),
:mod:`.planning` (milestones, epics), :mod:`.uploads` and :mod:`.projects` (instance, users,
groups, projects, hooks, merge requests); the routes in :mod:`.server`. Each handler cites
the page of GitLab's API docs (gitlabhq ``doc/api/...``) whose shapes it follows, or GitLab's
source where the docs are silent.

Errors answer as GitLab's Grape API does: absent parameters ``400 {"error": "title is
missing"}``, failed validations ``400 {"message": {"field": ["..."]}}``, missing records
``404 {"message": "404 Not found"}`` or, from ``not_found!('Project')``, ``"404 Project Not
Found"``.

Free refuses what Free refuses, in the edition's own way:

- epics: EE (GitLab.com, or the EE image without a licence) 403 ``403 Forbidden``
  (doc/api/epics.md: "If epics feature is not available a 403"); CE has no such route: 404.
- ``blocks``/``is_blocked_by`` links: EE 403 "Blocked issues not available for current
  license" (ee/app/services/ee/issue_links/create_service.rb); CE 400 "link_type does not have
  a valid value" (lib/api/issue_links.rb: ``values: IssueLink.available_link_types``).
"""

from __future__ import annotations

import datetime as dt
import email.parser
import email.policy
import json
import re
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tests.fakes.gitlab.state import Json, State

TOKEN = "glpat-sop-sync-test"
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
COUNTED_UP_TO = 10_000  # above this GitLab leaves out X-Total and X-Total-Pages
Answer = tuple[int, Any]
Handler = Callable[["Call"], Answer]


class ApiError(Exception):
    """An error answer: status and JSON body."""

    def __init__(self, status: int, payload: Any) -> None:
        super().__init__(status, payload)
        self.status = status
        self.payload = payload


def not_found(what: str | None = None) -> ApiError:
    """``not_found!(what)`` -> "404 What Not Found"; a missing record -> "404 Not found"."""
    return ApiError(404, {"message": f"404 {what} Not Found" if what else "404 Not found"})


def missing(*names: str) -> ApiError:
    """Grape's answer to absent required parameters."""
    return ApiError(400, {"error": ", ".join(f"{name} is missing" for name in names)})


def invalid(name: str) -> ApiError:
    """Grape's answer to a value outside ``values:``."""
    return ApiError(400, {"error": f"{name} does not have a valid value"})


def forbidden(message: str = "403 Forbidden") -> ApiError:
    """``forbidden!``; GitLab services put their own reason in ``message``."""
    return ApiError(403, {"message": message})


@dataclass
class Call:
    """One request as the handlers see it: JSON or form body first, then the query string."""

    state: State
    match: re.Match[str]
    query: dict[str, list[str]]
    body: Json
    user: Json
    files: dict[str, tuple[str, bytes]]

    def has(self, name: str) -> bool:
        """The parameter was sent (even as null or empty)."""
        return name in self.body or name in self.query or f"{name}[]" in self.query

    def raw(self, name: str) -> Any:
        """The value as sent: JSON value, or query string(s)."""
        if name in self.body:
            return self.body[name]
        if f"{name}[]" in self.query:
            return self.query[f"{name}[]"]
        values = self.query.get(name)
        return values[0] if values else None

    def text(self, name: str, default: str | None = None) -> str | None:
        """A string parameter."""
        value = self.raw(name)
        return default if value is None else str(value)

    def many(self, name: str) -> list[str]:
        """A list parameter: a JSON list, ``name[]=`` repeated, or a comma-separated string."""
        value = self.raw(name)
        if value is None:
            return []
        items = value if isinstance(value, list) else str(value).split(",")
        return [str(item).strip() for item in items if str(item).strip()]

    def integer(self, name: str) -> int | None:
        """An integer parameter (None when absent, null or empty)."""
        value = self.raw(name)
        if value in (None, ""):
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(400, {"error": f"{name} is invalid"}) from None

    def flag(self, name: str) -> bool | None:
        """A boolean parameter."""
        value = self.raw(name)
        if value is None or isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "1", "yes", "t")

    def date(self, name: str) -> str | None:
        """A date parameter (``YYYY-MM-DD``); null or empty clears."""
        value = self.text(name)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise invalid(name) from None

    def choice(self, name: str, allowed: Iterable[str], default: str | None = None) -> str | None:
        """A parameter limited to ``allowed`` (Grape ``values:``)."""
        value = self.text(name, default)
        if value is not None and value not in allowed:
            raise invalid(name)
        return value

    def require(self, *names: str) -> None:
        """Grape ``requires``: absent or blank values are missing."""
        absent = [n for n in names if self.raw(n) in (None, "")]
        if absent:
            raise missing(*absent)

    def at_least_one(self, *names: str) -> None:
        """Grape ``at_least_one_of``."""
        if not any(self.has(n) for n in names):
            raise ApiError(
                400,
                {
                    "error": f"{', '.join(names)} are missing, "
                    "at least one parameter must be provided"
                },
            )

    def path(self, name: str) -> str:
        """A URL-decoded path segment."""
        return urllib.parse.unquote(self.match[name])


def project_of(call: Call, name: str = "project") -> Json:
    """The project in the path (id or URL-encoded path), else ``404 Project Not Found``."""
    project = call.state.project(call.path(name))
    if project is None:
        raise not_found("Project")
    return project


def issue_of(call: Call) -> tuple[Json, Json]:
    """The project and the issue (by iid) in the path."""
    project = project_of(call)
    issue = call.state.issues[project["id"]].get(int(call.match["iid"]))
    if issue is None:
        raise not_found()  # find_project_issue: ActiveRecord::RecordNotFound
    return project, issue


def group_of(call: Call) -> Json:
    """The group in the path (id or URL-encoded path), else ``404 Group Not Found``."""
    group = call.state.group(call.path("group"))
    if group is None:
        raise not_found("Group")
    return group


def epics_group_of(call: Call) -> Json:
    """The group of an epics route; Free refuses (see the module docstring)."""
    if not call.state.premium and call.state.edition == "ce":
        raise ApiError(404, {"error": "404 Not Found"})  # no such route in CE
    group = group_of(call)
    if not call.state.premium:
        raise forbidden()  # authorize_epics_feature!
    return group


def epic_of(call: Call, key: str = "iid") -> tuple[Json, Json]:
    """The group and the epic in the path: by iid, or by global id (``key="id"``)."""
    group = epics_group_of(call)
    epics = call.state.epics[group["id"]]
    if key == "iid":
        epic = epics.get(int(call.match["iid"]))
    else:  # notes and label events address the epic by its global id
        epic = next((e for e in epics.values() if e["id"] == int(call.match["eid"])), None)
    if epic is None:
        raise not_found()
    return group, epic


def _moment(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def ordered(rows: list[Json], call: Call, fields: Iterable[str]) -> list[Json]:
    """``order_by`` (default created_at) and ``sort`` (default desc), ties by id."""
    order_by = call.choice("order_by", fields, "created_at") or "created_at"
    reverse = call.choice("sort", ("asc", "desc"), "desc") == "desc"
    return sorted(rows, key=lambda r: (r.get(order_by) or "", r["id"]), reverse=reverse)


def in_window(call: Call, row: Json) -> bool:
    """``created_after``/``created_before``/``updated_after``/``updated_before``."""
    for name in ("created_after", "created_before", "updated_after", "updated_before"):
        bound = call.text(name)
        if bound:
            moment = _moment(row[name.split("_")[0] + "_at"])
            if (moment < _moment(bound)) if name.endswith("after") else (moment > _moment(bound)):
                return False
    return True


def fuzzy_match(query: str, *texts: str | None) -> bool:
    """``fuzzy_search(query, columns)`` of lib/gitlab/sql/pattern.rb, on Python strings.

    The query is split into terms (space-separated; ``"quoted phrases"`` kept whole); terms
    shorter than 3 characters are dropped; each remaining term must occur in the column
    (``ILIKE '%term%'``, case-insensitive); the columns are OR-ed. When no term is long
    enough the whole query must equal the column (``ILIKE`` without wildcards).
    """
    phrases = re.findall(r'(?:(?<=\A)|(?<= ))"([^"]+)"(?= |\Z)', query)
    rest = re.sub(r'(?:(?<=\A)|(?<= ))"[^"]+"(?= |\Z)', "", query)
    terms = [t.lower() for t in [*rest.split(), *phrases] if len(t) >= 3]
    whole = " ".join(query.split()).lower()
    for text in texts:
        column = (text or "").lower()
        if terms and all(term in column for term in terms):
            return True
        if not terms and column == whole:
            return True
    return False


def labels_match(wanted: list[str], labels: list[str]) -> bool:
    """doc/api/issues.md ``labels``: all must match; ``None`` and ``Any`` are special."""
    if wanted == ["None"]:
        return not labels
    if wanted == ["Any"]:
        return bool(labels)
    return all(name in labels for name in wanted)


# --- the HTTP edge: bodies in, pages out ---------------------------------------------------


def paginate(
    items: list[Any], query: dict[str, list[str]], url: str
) -> tuple[list[Any], dict[str, str]]:
    """doc/api/rest/index.md "Offset-based pagination": X-* headers and a Link header.

    Out-of-range or malformed ``page`` and ``per_page`` fall back to 1 and 20, and
    ``per_page`` is capped at 100, as GitLab does. Above 10,000 items X-Total, X-Total-Pages
    and the ``last`` link are left out ("Pagination response headers").
    """

    def number(name: str, default: int) -> int:
        try:
            value = int((query.get(name) or [str(default)])[0])
        except ValueError:
            return default
        return value if value > 0 else default

    per_page = min(number("per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
    page = number("page", 1)
    total = len(items)
    pages = max(1, -(-total // per_page))
    chunk = items[(page - 1) * per_page : page * per_page]

    def page_url(n: int) -> str:
        params = {k: v for k, v in query.items() if k != "page"}
        params["page"] = [str(n)]
        return f"{url}?{urllib.parse.urlencode(params, doseq=True)}"

    links = []
    if page > 1:
        links.append(f'<{page_url(page - 1)}>; rel="prev"')
    if page < pages:
        links.append(f'<{page_url(page + 1)}>; rel="next"')
    links.append(f'<{page_url(1)}>; rel="first"')
    headers = {
        "X-Page": str(page),
        "X-Per-Page": str(per_page),
        "X-Next-Page": str(page + 1) if page < pages else "",
        "X-Prev-Page": str(page - 1) if page > 1 else "",
    }
    if total <= COUNTED_UP_TO:
        links.append(f'<{page_url(pages)}>; rel="last"')
        headers |= {"X-Total": str(total), "X-Total-Pages": str(pages)}
    headers["Link"] = ", ".join(links)
    return chunk, headers


def parse_body(content_type: str, raw: bytes) -> tuple[Json, dict[str, tuple[str, bytes]]]:
    """A JSON object, a form (``a[]`` repeated -> list) or a multipart upload."""
    if content_type.startswith("multipart/form-data"):
        return {}, multipart_files(content_type, raw)
    if not raw:
        return {}, {}
    try:
        body = json.loads(raw)
    except ValueError:
        form: Json = {}
        for key, values in urllib.parse.parse_qs(raw.decode(), keep_blank_values=True).items():
            form[key.removesuffix("[]")] = values if key.endswith("[]") else values[0]
        return form, {}
    return (body if isinstance(body, dict) else {}), {}


def multipart_files(content_type: str, body: bytes) -> dict[str, tuple[str, bytes]]:
    """The parts of a ``multipart/form-data`` body: field name -> (file name, content)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if name:
            files[str(name)] = (
                part.get_filename() or "",
                payload if isinstance(payload, bytes) else b"",
            )
    return files
