"""Milestones on GitLab: found per request, never all of them, and kept by title for the run.

A request's milestones are titled ``<kunci> · <fase>``. The issues that use a milestone carry
it whole (doc/api/issues.md: ``milestone`` in every issue), so the bulk path needs no
milestone listing at all. When a request's own milestones are wanted (one request read on its
own, a request with steps but none yet) they are listed with ``search=<kunci>``: GitLab's fuzzy
search (lib/gitlab/sql/pattern.rb ``fuzzy_search`` over title and description) matches every
title containing the key when the key has at least 3 characters; shorter keys would have to
equal a whole title, so those list every milestone instead. The answer is a superset, narrowed
by title here. A single unknown title is looked up with ``title=`` (exact, doc/api/milestones.md
"List project milestones"); a milestone to be made is created straight away, and looked up
only when GitLab answers that its title is taken.
"""

from __future__ import annotations

from typing import Any

from sop_sync.errors import TrackerError
from sop_sync.model.changes import EnsureMilestone
from sop_sync.trackers.gitlab import listing
from sop_sync.trackers.gitlab.session import GitLabSession

SEPARATOR = " · "
MIN_SEARCH = 3  # lib/gitlab/sql/pattern.rb MIN_CHARS_FOR_PARTIAL_MATCHING


def key_of(title: str) -> str:
    """The request key a milestone title names."""
    return title.split(SEPARATOR, 1)[0]


def titled_for(title: str, key: str) -> bool:
    """Whether the milestone ``title`` is one of request ``key``'s (``<kunci> · <fase>``)."""
    return title.startswith(f"{key}{SEPARATOR}")


def _store(session: GitLabSession, rows: list[dict[str, Any]]) -> None:
    with session.lock:
        for attrs in rows:
            session.cache.milestones[attrs["title"]] = attrs


def list_for(session: GitLabSession, key: str) -> None:
    """Make sure every milestone titled for request ``key`` is known (one list call)."""
    with session.lock:
        if session.cache.all_milestones or key in session.cache.milestone_keys:
            return
    if len(key) >= MIN_SEARCH:
        rows = listing.milestones(session, search=key)
        _store(session, [a for a in rows if titled_for(a["title"], key)])
        with session.lock:
            session.cache.milestone_keys.add(key)
    else:
        _store(session, listing.milestones(session))
        with session.lock:
            session.cache.all_milestones = True


def known(session: GitLabSession) -> dict[str, dict[str, Any]]:
    """Every milestone known so far, by title."""
    with session.lock:
        return dict(session.cache.milestones)


def find(session: GitLabSession, title: str) -> dict[str, Any] | None:
    """The milestone titled ``title``; looked up by exact title when it is not known yet."""
    with session.lock:
        found = session.cache.milestones.get(title)
        listed = session.cache.all_milestones or key_of(title) in session.cache.milestone_keys
    if found is not None or listed:
        return found
    _store(session, listing.milestones(session, title=title))
    with session.lock:
        return session.cache.milestones.get(title)


def milestone_id(session: GitLabSession, title: str | None) -> int:
    """The id GitLab wants for a milestone title (0 removes the milestone)."""
    if title is None:
        return 0  # GitLab: 0 (or null) removes the milestone
    found = find(session, title)
    if found is None:
        raise TrackerError(f"GitLab: milestone {title!r} does not exist")
    return int(found["id"])


def ensure(session: GitLabSession, c: EnsureMilestone) -> None:
    """Create the milestone, or update its dates and description when they differ."""
    m = c.milestone
    data = {
        "description": m.description,
        "start_date": m.start.isoformat() if m.start else None,
        "due_date": m.due.isoformat() if m.due else None,
    }
    with session.lock:
        have = session.cache.milestones.get(m.title)
    if have is None:  # not seen: made now, else (a title taken) looked up and updated
        try:  # GitLab refuses a second milestone of the title: sending again is safe
            made = session.create(
                f"creating milestone {m.title!r}",
                lambda: session.project.milestones.create({"title": m.title, **data}),
            )
        except TrackerError as error:
            # milestone_responses.rb: 400 "Failed to create milestone {:title=>["has already
            # been taken"]}" when a milestone of the title exists
            have = find(session, m.title) if "already been taken" in error.message else None
            if have is None:
                raise
        else:
            _store(session, [dict(made.attributes)])
            return
    if any((have.get(k) or None) != (v or None) for k, v in data.items()):
        answer = session.call(
            f"updating milestone {m.title!r}",
            lambda: session.project.milestones.update(have["id"], data),
        )
        _store(session, [{**have, **answer}])
