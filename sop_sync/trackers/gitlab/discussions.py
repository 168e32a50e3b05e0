"""Issues sop-sync does not own, on GitLab: read one with its notes, comment on it.

A reference is ``<project>#<iid>``: the project's id (as webhooks name it) or its path. The
issue may live in another project than the tracker's. Notes come oldest first; a reply tag
(``<!-- sop-sync:re N -->``, :mod:`.marker`) counts only on the token user's own notes, as on
owned issues (:mod:`.history`): anyone can type one.

The notes of a request's own epic (GitLab Free: its parent issue) are read here too, for the
documents only (:meth:`GitLabDiscussions.request_comments`): observing a request does not read
them, so ``check``, ``status`` and the reconciles do not pay for them.
"""

from __future__ import annotations

from typing import Any

from sop_sync.errors import InputError
from sop_sync.model.tracker import Issue, Note
from sop_sync.trackers.base import ForeignIssue
from sop_sync.trackers.gitlab import notes
from sop_sync.trackers.gitlab.history import moment
from sop_sync.trackers.gitlab.marker import split, split_reply, with_reply
from sop_sync.trackers.gitlab.session import GitLabSession


def parse_ref(ref: str) -> tuple[str, int]:
    """``12#5`` or ``diskominfo/aplikasi#5`` -> (project, iid)."""
    project, _, iid = ref.rpartition("#")
    if not project or not iid.isdigit():
        raise InputError(f"malformed GitLab issue reference {ref!r}: write <project>#<iid>")
    return project, int(iid)


class GitLabDiscussions:
    """The :class:`~sop_sync.trackers.base.Discussions` protocol on the connected GitLab."""

    def __init__(self, session: GitLabSession) -> None:
        self.session = session

    def _issue(self, ref: str, *, lazy: bool) -> Any:
        project, iid = parse_ref(ref)
        s = self.session
        handle = s.gl.projects.get(project, lazy=True)
        if lazy:
            return handle.issues.get(iid, lazy=True)
        return s.call(f"reading issue {ref}", lambda: handle.issues.get(iid))

    def read(self, ref: str) -> ForeignIssue:
        """The issue, its notes oldest first, and the request it belongs to (if sop-sync's)."""
        s = self.session
        issue = self._issue(ref, lazy=False)
        rows = s.list(f"reading notes of {ref}", issue.notes, sort="asc", order_by="created_at")
        tagged = any(split_reply(str(row.get("body") or ""))[1] for row in rows)
        own = s.own_username() if tagged else ""
        a = issue.attributes
        text, marker = split(a.get("description"))
        return ForeignIssue(
            ref=f"{a['project_id']}#{a['iid']}",
            title=str(a.get("title") or ""),
            description=text,
            author=str((a.get("author") or {}).get("username", "")),
            url=str(a.get("web_url") or ""),
            notes=tuple(_note(row, own) for row in rows),
            request_key=marker.key if marker is not None else None,
        )

    def request_comments(self, epic: Issue) -> tuple[Note, ...]:
        """The notes of the request's epic or parent issue, oldest first: one call.

        Read even when the listing counted none (a parent issue's ``user_notes_count``): the
        listing may be older than a comment written since. The epic is the one the run listed
        (a request gone since has none).
        """
        s = self.session
        owned = s.requests().get(epic.ref.key)
        if owned is None:
            return ()
        where = owned.marker.ref.describe()
        rows = s.list(
            f"reading notes of {where}", s.handle(owned).notes, sort="asc", order_by="created_at"
        )
        tagged = any(split_reply(str(row.get("body") or ""))[1] for row in rows)
        own = s.own_username() if tagged else ""
        return tuple(_note(row, own) for row in rows)

    def comment(self, ref: str, text: str, in_reply_to: str | None = None) -> None:
        """A note on the issue; an answer carries the reply tag (and is never posted twice)."""
        issue = self._issue(ref, lazy=True)
        notes.post(self.session, issue.notes, with_reply(text, in_reply_to), f"commenting on {ref}")


def _note(row: dict[str, Any], own: str) -> Note:
    body, in_reply_to = split_reply(str(row.get("body") or ""))
    author = str((row.get("author") or {}).get("username", ""))
    return Note(
        str(row["id"]),
        author,
        body,
        moment(row["created_at"]),
        bool(row.get("system")),
        in_reply_to if own and author == own else None,
    )
