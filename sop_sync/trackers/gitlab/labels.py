"""Where each label lives on GitLab: an epic's labels in the group, the rest in the project.

Epics take group labels only. Given a title, GitLab looks among the group labels of the
epic's group and its ancestors (app/services/labels/available_labels_service.rb, for a group
parent ``only_group_labels``); a missing one is created as a group label in the default
colour when the user may manage the group's labels, else silently dropped
(app/services/labels/find_or_create_service.rb; ``.compact``). A project label of the same
title never counts. An epic that lost ``permohonan`` is never found again (requests are
listed with ``labels=permohonan``) and the next run would open a second one; so on Premium
the labels an epic carries (``permohonan``, ``sop::<id>``) are kept as group labels, and an
epic is created only when they exist there.

A project label and a group label may share a name (creating a group label is refused only by
group labels: lib/api/helpers/label_helpers.rb ``available_labels_for``); the view the diff
compares with prefers the group label for an epic's labels and the project label otherwise.
"""

from __future__ import annotations

from sop_sync.errors import TrackerError
from sop_sync.model.changes import Label, Ref
from sop_sync.model.labels import REQUEST
from sop_sync.trackers.gitlab.session import GitLabSession

EPIC_FAMILIES = ("sop::",)


def at_group(session: GitLabSession, name: str) -> bool:
    """Whether ``name`` is kept as a group label: one an epic carries, on Premium."""
    return session.epics and (name == REQUEST or name.startswith(EPIC_FAMILIES))


def view(session: GitLabSession) -> dict[str, Label]:
    """The label definitions as the plan compares them: each from where it is kept."""
    with session.lock:
        project = dict(session.cache.labels or {})
        group = dict(session.cache.group_labels)
    shown: dict[str, Label] = {}
    for name in sorted(project.keys() | group.keys()):
        label = group.get(name) if at_group(session, name) else project.get(name, group.get(name))
        if label is not None:
            shown[name] = label
    return shown


def ensure(session: GitLabSession, label: Label) -> bool:
    """Create the label where it belongs, or update it there; True when GitLab was changed."""
    with session.lock:
        project = dict(session.cache.labels or {})
        group = dict(session.cache.group_labels)
    in_group = at_group(session, label.name) or (
        label.name not in project and label.name in group and session.group is not None
    )  # a group label already serving the project is edited where it is
    have = (group if in_group else project).get(label.name)
    if have == label:
        return False
    kept = group if in_group else project
    manager = session.group.labels if in_group else session.project.labels  # type: ignore[union-attr]
    where = "group label" if in_group else "label"
    data = {"color": label.color, "description": label.description}
    if have is None:
        try:  # GitLab refuses a second label of the name (409): sending again is safe
            session.create(
                f"creating {where} {label.name!r}",
                lambda: manager.create({"name": label.name, **data}),
            )
        except TrackerError as error:
            if "HTTP 409" not in error.message:  # created meanwhile, or outside our view
                raise
            have = label
    if have is not None:
        session.call(f"updating {where} {label.name!r}", lambda: manager.update(label.name, data))
    with session.lock:
        target = session.cache.group_labels if kept is group else session.cache.labels
        if target is not None:
            target[label.name] = label
    return True


def check_epic_labels(session: GitLabSession, ref: Ref, names: tuple[str, ...]) -> None:
    """Refuse to create an epic whose labels GitLab would drop (not group labels)."""
    with session.lock:
        missing = [n for n in names if at_group(session, n) and n not in session.cache.group_labels]
    if missing:
        group = session.group.get_id() if session.group is not None else "?"
        raise TrackerError(
            f"GitLab: {ref.describe()}: not created: {', '.join(missing)} must first exist as "
            f"labels of the group {group!r}, or GitLab drops them from the "
            "epic and the request is never found again; the token needs a role in the group "
            "that may manage its labels (Reporter/Planner or higher): then `sop-sync gitlab "
            "setup` or a new run creates them"
        )


def check_kept(ref: Ref, wanted: tuple[str, ...], answer: dict[str, object]) -> None:
    """After an epic write: every label asked for is on the epic (GitLab drops silently)."""
    given = answer.get("labels")
    kept = {str(name) for name in given} if isinstance(given, list) else set()
    scopes = {name.rsplit("::", 1)[0] for name in kept & set(wanted) if "::" in name}
    # a scoped label may lose to a sibling asked for in the same call (Premium: one per scope)
    lost = sorted(
        n for n in set(wanted) - kept if "::" not in n or n.rsplit("::", 1)[0] not in scopes
    )
    if lost:
        raise TrackerError(
            f"GitLab: {ref.describe()}: GitLab dropped the labels {', '.join(lost)} (epics take "
            "group labels only, and the token may not create them): give the token a role in "
            "the group that may manage labels and run again"
        )
