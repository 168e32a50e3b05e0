"""Posting a note once: after an uncertain answer, the note GitLab saved is looked for first.

Every note sop-sync posts goes through :func:`post` (on owned issues and epics, on issues it
does not own, on merge requests): a 502 after GitLab saved the note, or a lost connection,
is followed by a look at the newest notes before the note is sent again
(:meth:`.session.GitLabSession.create`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sop_sync.trackers.gitlab.marker import split_reply
from sop_sync.trackers.gitlab.session import PER_PAGE, GitLabSession

NOTE_SKEW = dt.timedelta(minutes=5)
"""How far GitLab's clock may be behind ours when a lost note is looked for."""


def post(
    session: GitLabSession,
    notes: Any,
    body: str,
    doing: str,
    *,
    who: dict[str, Any] | None = None,
    same: Callable[[dict[str, Any]], bool] | None = None,
) -> dict[str, Any]:
    """Post ``body`` through ``notes`` (python-gitlab's note manager of an issue, epic or MR).

    After an uncertain answer the note sent is, among the newest notes: one ``same`` accepts
    when given; else one by us (the ``sudo`` user of ``who``, else the token's) that answers
    the same note when ``body`` carries a reply tag (an answer is never posted twice), or
    that has the same body and is dated from this attempt on (less ``NOTE_SKEW``).
    """
    sent = dt.datetime.now(dt.UTC)
    extra = who or {}
    _, answers = split_reply(body)

    def ours(note: dict[str, Any]) -> bool:
        author = extra.get("sudo") or session.own_username()
        if (note.get("author") or {}).get("username") != author:
            return False
        text = str(note.get("body") or "")
        if answers is not None:
            return split_reply(text)[1] == answers
        when = dt.datetime.fromisoformat(str(note.get("created_at")).replace("Z", "+00:00"))
        return text.strip() == body.strip() and when >= sent - NOTE_SKEW

    def find() -> dict[str, Any] | None:
        rows = session.call(
            f"looking for the note just sent ({doing})",
            lambda: notes.list(
                order_by="created_at", sort="desc", per_page=PER_PAGE, get_all=False
            ),
        )
        accept = same or ours
        return next((dict(n.attributes) for n in rows if accept(dict(n.attributes))), None)

    def send() -> dict[str, Any]:
        return dict(notes.create({"body": body}, **extra).attributes)

    return session.create(doing, send, find)
