"""The Jira emulator's HTTP side: the routing table, authentication and the request handler.

Routes are explicit ``(method, pattern, handler)`` rows matched against the whole path.
``/rest/api/2``, ``/rest/api/3`` (Cloud only: DC has no v3) and ``/rest/api/latest`` (the
jira library's ``assign_issue`` uses it) all lead to the same handlers; the handler sees the
version to choose between wiki text (v2) and Atlassian Document Format (v3).

Authentication as each flavour takes it (Atlassian "Basic auth for REST APIs" for Cloud:
email + API token; DC "Using Personal Access Tokens": ``Authorization: Bearer``). Bad
credentials are a 401 on every path, even ``serverInfo``; no credentials are allowed on
``serverInfo`` only.
"""

from __future__ import annotations

import base64
import binascii
import re
import traceback
from email.message import Message
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from tests.fakes.http import MediaTypes, handler_class
from tests.fakes.jira import activity, issue_data, issues, links, project, search, site, webhooks
from tests.fakes.jira.api import NOT_AUTHENTICATED, ApiError, Call, Handler, Json, parse_body

if TYPE_CHECKING:
    from tests.fakes.jira.fake import FakeJira

Reply = tuple[int, Any, dict[str, str]]
API = r"/rest/api/(?P<v>2|3|latest)"
ISSUE = API + r"/issue/(?P<issue>[^/]+)"
HOOKS = r"/rest/webhooks/1\.0/webhook"
ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", API + r"/serverInfo", site.server_info),
    ("GET", API + r"/myself", site.myself),
    ("GET", API + r"/mypermissions", site.my_permissions),
    ("GET", API + r"/field", site.list_fields),
    ("GET", API + r"/issuetype", site.list_issue_types),
    ("GET", API + r"/resolution", site.list_resolutions),
    ("GET", API + r"/status", site.list_statuses),
    ("GET", API + r"/statuscategory", site.list_status_categories),
    ("GET", API + r"/project", project.list_projects),
    ("GET", API + r"/project/(?P<project>[^/]+)", project.get_project),
    ("GET", API + r"/project/(?P<project>[^/]+)/versions", project.project_versions),
    ("GET", API + r"/issue/createmeta/(?P<project>[^/]+)/issuetypes", project.createmeta_types),
    (
        "GET",
        API + r"/issue/createmeta/(?P<project>[^/]+)/issuetypes/(?P<type>[^/]+)",
        project.createmeta_fields,
    ),
    ("POST", API + r"/issue", issues.create_issue),
    ("POST", API + r"/issue/bulk", issues.create_issues),
    ("GET", ISSUE, issues.get_issue),
    ("PUT", ISSUE, issues.edit_issue),
    ("PUT", ISSUE + r"/assignee", issues.assign_issue),
    ("GET", ISSUE + r"/transitions", issues.get_transitions),
    ("POST", ISSUE + r"/transitions", issues.do_transition),
    ("GET", ISSUE + r"/changelog", issues.get_changelog),
    ("GET", ISSUE + r"/comment", activity.list_comments),
    ("POST", ISSUE + r"/comment", activity.add_comment),
    ("GET", ISSUE + r"/comment/(?P<comment>\d+)", activity.get_comment),
    ("PUT", ISSUE + r"/comment/(?P<comment>\d+)", activity.update_comment),
    ("DELETE", ISSUE + r"/comment/(?P<comment>\d+)", activity.delete_comment),
    ("POST", ISSUE + r"/attachments", activity.add_attachments),
    ("GET", API + r"/attachment/(?P<attachment>\d+)", activity.get_attachment),
    ("DELETE", API + r"/attachment/(?P<attachment>\d+)", activity.delete_attachment),
    ("GET", API + r"/attachment/content/(?P<attachment>\d+)", activity.attachment_content),
    ("GET", r"/secure/attachment/(?P<attachment>\d+)/(?P<name>[^/]+)", activity.attachment_content),
    ("GET", ISSUE + r"/remotelink", issue_data.list_remote_links),
    ("POST", ISSUE + r"/remotelink", issue_data.add_remote_link),
    ("DELETE", ISSUE + r"/remotelink", issue_data.delete_remote_link),
    ("GET", ISSUE + r"/remotelink/(?P<link>\d+)", issue_data.get_remote_link),
    ("PUT", ISSUE + r"/remotelink/(?P<link>\d+)", issue_data.update_remote_link),
    ("DELETE", ISSUE + r"/remotelink/(?P<link>\d+)", issue_data.delete_remote_link),
    ("GET", ISSUE + r"/properties", issue_data.list_properties),
    ("GET", ISSUE + r"/properties/(?P<key>[^/]+)", issue_data.get_property),
    ("PUT", ISSUE + r"/properties/(?P<key>[^/]+)", issue_data.set_property),
    ("DELETE", ISSUE + r"/properties/(?P<key>[^/]+)", issue_data.delete_property),
    ("GET", API + r"/search", search.search_dc),
    ("POST", API + r"/search", search.search_dc),
    ("GET", API + r"/search/jql", search.search_jql),
    ("POST", API + r"/search/jql", search.search_jql),
    ("GET", API + r"/issueLinkType", links.list_link_types),
    ("GET", API + r"/issueLinkType/(?P<type>\d+)", links.get_link_type),
    ("POST", API + r"/issueLink", links.create_link),
    ("GET", API + r"/issueLink/(?P<link>\d+)", links.get_link),
    ("DELETE", API + r"/issueLink/(?P<link>\d+)", links.delete_link),
    ("POST", API + r"/version", project.create_version),
    ("GET", API + r"/version/(?P<version>\d+)", project.get_version),
    ("PUT", API + r"/version/(?P<version>\d+)", project.update_version),
    ("GET", API + r"/user/search", site.search_users),
    ("GET", API + r"/user", site.get_user),
    ("GET", r"/rest/applinks/latest/listApplicationlinks", site.list_application_links),
    ("GET", HOOKS, webhooks.list_webhooks),
    ("POST", HOOKS, webhooks.create_webhook),
    ("GET", HOOKS + r"/(?P<hook>\d+)", webhooks.get_webhook),
    ("PUT", HOOKS + r"/(?P<hook>\d+)", webhooks.update_webhook),
    ("DELETE", HOOKS + r"/(?P<hook>\d+)", webhooks.delete_webhook),
]
_COMPILED = [(verb, re.compile(pattern), handler) for verb, pattern, handler in ROUTES]
ANONYMOUS = {site.server_info}
DC_UNAUTHORIZED = "<html><head><title>Unauthorized (401)</title></head><body></body></html>"


def _not_found(path: str) -> Reply:
    return 404, {"errorMessages": [f"null for uri: {path}"], "errors": {}}, {}


def authenticate(fake: FakeJira, header: str) -> Json | None:
    """The user behind ``Authorization`` (Cloud: Basic email:token; DC: Bearer, or Basic)."""
    state = fake.state
    kind, _, secret = header.partition(" ")
    if kind.lower() == "bearer" and not state.cloud:
        return next((u for u in state.users.values() if u["token"] and u["token"] == secret), None)
    if kind.lower() != "basic":
        return None
    try:
        login, _, password = base64.b64decode(secret).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    field = "email" if state.cloud else "name"
    return next(
        (
            u
            for u in state.users.values()
            if u["token"] and u[field] == login and u["token"] == password
        ),
        None,
    )


def dispatch(
    fake: FakeJira, method: str, path: str, query: dict[str, list[str]], headers: Any, raw: bytes
) -> Reply:
    """Status, payload and headers for one request."""
    header = headers.get("Authorization") or ""
    with fake.lock:
        user = authenticate(fake, header) if header else None
    if header and user is None:
        if fake.state.cloud:
            body = {
                "message": "Client must be authenticated to access this resource.",
                "status-code": 401,
            }
            return 401, body, {}
        return 401, DC_UNAUTHORIZED, {"X-Seraph-LoginReason": "AUTHENTICATED_FAILED"}
    found = [(verb, m, h) for verb, rx, h in _COMPILED if (m := rx.fullmatch(path))]
    chosen = next(((m, h) for verb, m, h in found if verb == method), None)
    if chosen is None:
        return (405, "", {}) if found else _not_found(path)
    match, handler = chosen
    version = match.groupdict().get("v") or "2"
    if version == "3" and not fake.state.cloud:
        return _not_found(path)  # Jira DC has REST v2 only
    if user is None and handler not in ANONYMOUS:
        return 401, {"errorMessages": [NOT_AUTHENTICATED], "errors": {}}, {}
    try:
        with fake.lock:
            body, files = parse_body(headers.get("Content-Type") or "", raw)
            call = Call(fake.state, match, query, body, user, version, files, headers, raw)
            status, payload = handler(call)
    except ApiError as failure:
        return failure.status, failure.payload, failure.headers
    except Exception:  # an emulator bug: answer as Jira would, keep the trace for the test
        fake.errors.append(traceback.format_exc())
        return 500, {"errorMessages": ["Internal server error"], "errors": {}}, {}
    return status, payload, {}


def make_handler(fake: FakeJira) -> type[BaseHTTPRequestHandler]:
    """The request handler class bound to ``fake``."""

    def respond(
        method: str, path: str, query: dict[str, list[str]], headers: Message, raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        fault = fake.take_fault(method, path)
        if fault is not None:
            return fault.reply()
        return dispatch(fake, method, path, query, headers, raw)

    types = MediaTypes("text/html;charset=UTF-8", "application/json;charset=UTF-8")
    return handler_class(respond, fake.note, lambda: fake.latency, types)
