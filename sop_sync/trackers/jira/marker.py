"""What makes a Jira issue sop-sync's: an issue entity property, plus labels to find it by.

The marker is the issue property ``sop-sync`` (JSON, up to 32 KB: Cloud OpenAPI
``PUT /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}``; DC the same under v2)::

    {"v": 1, "kunci": "absensi", "sop": "karanganyar", "langkah": 7, "sha": "…", "data": {…}}

written with the issue in the same create or edit call (``IssueUpdateDetails.properties``) and
read back in searches (``properties=sop-sync``). ``sha`` is ``text_digest`` of the Markdown
sop-sync rendered, so the diff never compares Jira's wiki text. JQL cannot search unindexed
properties (reference/jira.md "Hidden metadata"), so each owned issue also carries two labels:
``sop-sync`` (every object sop-sync owns) and ``sop-sync-<kunci>`` (one request's epic and
steps: one JQL clause finds them). Both are hidden from :attr:`Issue.labels`.

A reply names the comment it answers in the comment property ``sop-sync`` (``{"re": id}``),
read back with ``expand=properties`` only from sop-sync's own comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sop_sync.model.changes import MARKER_VERSION, Ref

PROPERTY = "sop-sync"
OWNED_LABEL = "sop-sync"
REQUEST_LABEL_PREFIX = "sop-sync-"


def request_label(key: str) -> str:
    """``sop-sync-<kunci>``: the label every issue of one request carries."""
    return f"{REQUEST_LABEL_PREFIX}{key}"


def finder_labels(key: str) -> tuple[str, str]:
    """The labels sop-sync adds to find an owned issue again."""
    return (OWNED_LABEL, request_label(key))


def is_finder(label: str) -> bool:
    """True for ``sop-sync`` and ``sop-sync-<kunci>`` (kept out of :attr:`Issue.labels`)."""
    return label == OWNED_LABEL or label.startswith(REQUEST_LABEL_PREFIX)


@dataclass(frozen=True)
class Marker:
    """Request key, SOP id, step (None for the epic), digest and request data."""

    key: str
    sop: str
    step: int | None = None
    data: dict[str, str] = field(default_factory=dict, hash=False)
    digest: str = ""
    version: int = MARKER_VERSION

    @property
    def ref(self) -> Ref:
        """The object's ref."""
        return Ref(self.key, self.step)

    def with_digest(self, digest: str) -> Marker:
        """The same marker for a new description."""
        return Marker(self.key, self.sop, self.step, self.data, digest, self.version)

    def with_data(self, data: dict[str, str]) -> Marker:
        """The same marker with new request data."""
        return Marker(self.key, self.sop, self.step, data, self.digest, self.version)


def to_json(marker: Marker) -> dict[str, Any]:
    """The property value."""
    value: dict[str, Any] = {"v": marker.version, "kunci": marker.key, "sop": marker.sop}
    if marker.step is not None:
        value["langkah"] = marker.step
    if marker.digest:
        value["sha"] = marker.digest
    if marker.data:
        value["data"] = dict(marker.data)
    return value


def entity(marker: Marker) -> list[dict[str, Any]]:
    """``properties`` of a create or edit body."""
    return [{"key": PROPERTY, "value": to_json(marker)}]


def from_json(value: Any) -> Marker | None:
    """The marker in a property value (None when absent or damaged)."""
    if not isinstance(value, dict):
        return None
    try:
        step = value.get("langkah")
        data = value.get("data") or {}
        return Marker(
            key=str(value["kunci"]),
            sop=str(value["sop"]),
            step=int(step) if step is not None else None,
            data={str(k): str(v) for k, v in data.items()},
            digest=str(value.get("sha", "")),
            version=int(value.get("v", MARKER_VERSION)),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def of_issue(raw: dict[str, Any]) -> Marker | None:
    """The marker of a searched or read issue (``properties`` asked for)."""
    return from_json((raw.get("properties") or {}).get(PROPERTY))


def reply_properties(in_reply_to: str | None) -> list[dict[str, Any]]:
    """``properties`` of a comment that answers comment ``in_reply_to``."""
    return [] if in_reply_to is None else [{"key": PROPERTY, "value": {"re": in_reply_to}}]


def reply_of(comment: dict[str, Any]) -> str | None:
    """The comment a comment answers, from its ``sop-sync`` property (``expand=properties``)."""
    for item in comment.get("properties") or ():
        if isinstance(item, dict) and item.get("key") == PROPERTY:
            value = item.get("value")
            if isinstance(value, dict) and value.get("re") is not None:
                return str(value["re"])
    return None
