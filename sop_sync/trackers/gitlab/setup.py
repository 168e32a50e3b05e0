"""``sop-sync gitlab setup``: prepare a project once, idempotently.

Creates the labels every SOP in the mappings folder uses (with colours and descriptions; on
Premium the labels an epic carries as group labels, see :mod:`.labels`),
turns on "Pipelines must succeed" (the merge-request gate works on Free through it), and
registers the project webhook with a secret. A second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from sop_sync.model.changes import Label
from sop_sync.model.tracker import Capabilities
from sop_sync.plan.labels import label_set
from sop_sync.sop.model import Sop
from sop_sync.trackers.gitlab import labels
from sop_sync.trackers.gitlab.session import GitLabSession

HOOK_EVENTS = ("issues_events", "note_events", "merge_requests_events", "pipeline_events")


def all_labels(sops: Iterable[Sop], capabilities: Capabilities) -> list[Label]:
    """Every label the SOPs need, once each."""
    found: dict[str, Label] = {}
    for sop in sops:
        for label in label_set(sop, capabilities).definitions:
            found.setdefault(label.name, label)
    return list(found.values())


def setup_project(
    session: GitLabSession,
    sops: Iterable[Sop],
    webhook_url: str | None = None,
    secret: str | None = None,
) -> list[str]:
    """Bring the project to the state sop-sync needs; return what was done."""
    done: list[str] = []
    for label in all_labels(sops, session.capabilities):
        if labels.ensure(session, label):  # an epic's labels in the group (Premium)
            where = "group label" if labels.at_group(session, label.name) else "label"
            done.append(f"{where} {label.name}")
    project = session.project
    if not project.attributes.get("only_allow_merge_if_pipeline_succeeds"):
        session.call(
            "turning on 'Pipelines must succeed'",
            lambda: session.gl.projects.update(
                project.id, {"only_allow_merge_if_pipeline_succeeds": True}
            ),
        )
        done.append("Pipelines must succeed: on")
    if webhook_url:
        hooks = session.call("listing webhooks", lambda: project.hooks.list(get_all=True))
        existing = next((h for h in hooks if h.attributes.get("url") == webhook_url), None)
        data = {"url": webhook_url, "token": secret, **dict.fromkeys(HOOK_EVENTS, True)}
        if existing is None:
            session.call("registering the webhook", lambda: project.hooks.create(data))
            done.append(f"webhook {webhook_url}")
        elif not all(existing.attributes.get(event) for event in HOOK_EVENTS):
            session.call("updating the webhook", lambda: project.hooks.update(existing.id, data))
            done.append(f"webhook {webhook_url} (events updated)")
    return done
