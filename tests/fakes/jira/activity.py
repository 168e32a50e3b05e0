"""Jira emulator handlers around an issue: comments and attachments.

Each cites its Cloud platform OpenAPI operation; DC serves the same under /rest/api/2.
Issue links are in :mod:`links`, remote links and properties in :mod:`issue_data`.
"""

from __future__ import annotations

import mimetypes

from tests.fakes.jira import render as r
from tests.fakes.jira import webhooks
from tests.fakes.jira.api import (
    Answer,
    ApiError,
    Call,
    Json,
    Raw,
    bad_request,
    error,
    issue_of,
    offset_page,
    require,
)
from tests.fakes.jira.fields import FieldError, rich_text
from tests.fakes.jira.issues import entity_properties
from tests.fakes.jira.state import change

PROPERTY_LIMIT = 32768  # characters of the JSON value (setIssueProperty)


# --- comments -------------------------------------------------------------------------------


def _comment_of(call: Call, issue: Json) -> Json:
    found: Json | None = next(
        (c for c in issue["comments"] if c["id"] == call.path("comment")), None
    )
    if found is None:
        raise error(404, f"Can not find a comment for the id: {call.path('comment')}.")
    return found


def _body(call: Call) -> object:
    value = call.object().get("body")
    if value in (None, ""):
        raise bad_request(comment="Comment body can not be empty!")
    try:
        return rich_text(call, value)
    except FieldError as failure:
        raise bad_request(comment=str(failure)) from None


def list_comments(call: Call) -> Answer:
    """``GET /rest/api/3/issue/{issueIdOrKey}/comment`` (getComments): ``comments`` page."""
    issue = issue_of(call)
    rows = [_shown(call, issue, c) for c in issue["comments"]]
    if call.param("orderBy") == "-created":
        rows.reverse()
    page = offset_page(rows, call, default_max=5000, cap=5000)
    return 200, {
        "startAt": page["startAt"],
        "maxResults": page["maxResults"],
        "total": page["total"],
        "comments": page["values"],
    }


def add_comment(call: Call) -> Answer:
    """``POST /rest/api/3/issue/{issueIdOrKey}/comment`` (addComment): 201 ``Comment``.

    The body is ADF on v3 and a wiki string on v2; the author is the caller.
    """
    issue = issue_of(call)
    require(call, "ADD_COMMENTS", "You do not have the permission to comment on this issue.")
    body = _body(call)
    properties = entity_properties(call.object().get("properties"))
    comment = call.state.add_comment(issue, call.actor, body)
    comment["properties"] = properties
    webhooks.comment_created(call.state, issue, comment, call.actor)  # "Webhooks"
    return 201, _shown(call, issue, comment)


def _shown(call: Call, issue: Json, comment: Json) -> Json:
    """A comment, with its properties when ``expand=properties`` asks for them.

    Comment properties: Cloud OpenAPI ``Comment.properties`` ("A list of comment properties.
    Optional on create and update"), returned with ``expand=properties``; DC the same.
    """
    shown = r.comment_json(call.state, issue, comment, call.rest)
    if "properties" in call.params("expand"):
        stored = comment.get("properties") or {}
        shown["properties"] = [{"key": k, "value": v} for k, v in stored.items()]
    return shown


def get_comment(call: Call) -> Answer:
    """``GET /rest/api/3/issue/{issueIdOrKey}/comment/{id}`` (getComment)."""
    issue = issue_of(call)
    return 200, _shown(call, issue, _comment_of(call, issue))


def update_comment(call: Call) -> Answer:
    """``PUT /rest/api/3/issue/{issueIdOrKey}/comment/{id}`` (updateComment): 200."""
    issue = issue_of(call)
    comment = _comment_of(call, issue)
    comment |= {"body": _body(call), "updateAuthor": call.actor["id"], "updated": call.state.now()}
    return 200, r.comment_json(call.state, issue, comment, call.rest)


def delete_comment(call: Call) -> Answer:
    """``DELETE /rest/api/3/issue/{issueIdOrKey}/comment/{id}`` (deleteComment): 204."""
    issue = issue_of(call)
    issue["comments"].remove(_comment_of(call, issue))
    return 204, None


# --- attachments ----------------------------------------------------------------------------


def add_attachments(call: Call) -> Answer:
    """``POST /rest/api/3/issue/{issueIdOrKey}/attachments`` (addAttachment): 200, a list.

    "The request must have a ``X-Atlassian-Token: no-check`` header, if not it is blocked":
    Jira's XSRF filter answers 403 "XSRF check failed". The multipart field is ``file``.
    """
    token = call.headers.get("X-Atlassian-Token") if call.headers else None
    if (token or "").lower() not in ("no-check", "nocheck"):
        raise ApiError(403, Raw(b"XSRF check failed", "text/plain;charset=UTF-8"))
    issue = issue_of(call)
    require(call, "CREATE_ATTACHMENTS", "You do not have permission to create attachments.")
    uploads = call.files.get("file", [])
    if not uploads:
        raise bad_request("No attachment was sent in the multipart field 'file'.")
    state, added = call.state, []
    for filename, data in uploads:
        kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        attachment = {
            "id": state.next_id(),
            "issue": issue["id"],
            "filename": filename,
            "data": data,
            "mimeType": kind,
            "author": call.actor["id"],
            "created": state.now(),
        }
        state.attachments[attachment["id"]] = attachment
        issue["attachments"].append(attachment["id"])
        state.record(
            issue, call.actor, [change("Attachment", None, None, attachment["id"], filename)]
        )
        added.append(r.attachment_json(state, attachment, call.rest))
    return 200, added


def _attachment_of(call: Call) -> Json:
    found: Json | None = call.state.attachments.get(call.path("attachment"))
    if found is None:
        raise error(404, f"The attachment with id '{call.path('attachment')}' does not exist")
    return found


def get_attachment(call: Call) -> Answer:
    """``GET /rest/api/3/attachment/{id}`` (getAttachment): the metadata."""
    return 200, r.attachment_json(call.state, _attachment_of(call), call.rest)


def attachment_content(call: Call) -> Answer:
    """The bytes: Cloud ``GET /rest/api/3/attachment/content/{id}`` (getAttachmentContent).

    Also DC's ``/secure/attachment/{id}/{filename}``, the ``content`` URL DC reports.
    Cloud answers a redirect to its media store; the emulator sends the bytes at once.
    """
    attachment = _attachment_of(call)
    return 200, Raw(attachment["data"], attachment["mimeType"])


def delete_attachment(call: Call) -> Answer:
    """``DELETE /rest/api/3/attachment/{id}`` (removeAttachment): 204."""
    attachment = _attachment_of(call)
    issue = call.state.issues[attachment["issue"]]
    issue["attachments"].remove(attachment["id"])
    del call.state.attachments[attachment["id"]]
    call.state.record(
        issue,
        call.actor,
        [change("Attachment", attachment["id"], attachment["filename"], None, None)],
    )
    return 204, None
