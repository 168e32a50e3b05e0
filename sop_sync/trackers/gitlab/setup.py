"""``sop-sync gitlab setup``: prepare a project once, idempotently.

Creates the labels every SOP in the mappings folder uses (with colours and descriptions; on
Premium the labels an epic carries as group labels, see :mod:`.labels`),
turns on "Pipelines must succeed" (the merge-request gate works on Free through it), and
registers the project webhook with a secret, and, when asked, installs the request template
as the project's issue template (``.gitlab/issue_templates/Permohonan Aplikasi.md`` on the
default branch: GitLab lists it in the new issue form). A second run changes nothing.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from sop_sync.model.changes import Label
from sop_sync.model.tracker import Capabilities
from sop_sync.plan.labels import label_set
from sop_sync.sop.model import Sop
from sop_sync.trackers.gitlab import labels
from sop_sync.trackers.gitlab.session import GitLabSession, RefusedError

HOOK_EVENTS = ("issues_events", "note_events", "merge_requests_events", "pipeline_events")
ISSUE_TEMPLATE = ".gitlab/issue_templates/Permohonan Aplikasi.md"
"""Where GitLab looks for a project's issue templates (user/project/description_templates.md)."""


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
    issue_template: str | None = None,
    signing_token: str | None = None,
) -> list[str]:
    """Bring the project to the state sop-sync needs; return what was done.

    ``issue_template``: the request template's text, installed as the project's issue template.
    ``signing_token``: GitLab's HMAC signing token for the webhook (``whsec_…``; GitLab ignores
    it while its ``webhook_signing_token`` flag is off), beside the secret token.
    """
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
        if signing_token:
            data["signing_token"] = signing_token
        if existing is None:

            def registered() -> Any:  # after an uncertain answer: a hook with this URL
                found = session.call("listing webhooks", lambda: project.hooks.list(get_all=True))
                return next((h for h in found if h.attributes.get("url") == webhook_url), None)

            doing = "registering the webhook"
            session.create(doing, lambda: project.hooks.create(data), registered)
            done.append(f"webhook {webhook_url}")
        elif not all(existing.attributes.get(event) for event in HOOK_EVENTS):
            session.call("updating the webhook", lambda: project.hooks.update(existing.id, data))
            done.append(f"webhook {webhook_url} (events updated)")
        elif signing_token and existing.attributes.get("signing_token_present") is False:
            session.call("updating the webhook", lambda: project.hooks.update(existing.id, data))
            done.append(f"webhook {webhook_url} (signing token set)")
    if issue_template is not None:
        installed = install_issue_template(session, issue_template)
        done += [installed] if installed else []
    return done


def install_issue_template(
    session: GitLabSession, content: str, path: str = ISSUE_TEMPLATE
) -> str | None:
    """Commit ``content`` to ``path`` on the default branch unless it is there already.

    Repository files API (doc/api/repository_files.md): read the file, then create it or
    update it only when the bytes differ. Content goes base64-encoded (the ``text`` encoding
    is refused by some GitLab versions, gitlab-org/gitlab#342430). What was done, or None.
    """
    project = session.project
    branch = str(project.attributes.get("default_branch") or "main")
    found = _read(session, path, branch)
    wanted = content.encode("utf-8")
    if found is not None and found.decode() == wanted:
        return None
    data = {
        "branch": branch,
        "content": base64.b64encode(wanted).decode("ascii"),
        "encoding": "base64",
        "commit_message": f"sop-sync: templat isu {path.rsplit('/', 1)[-1]}",
    }
    if found is None:

        def committed() -> Any:  # after an uncertain answer: the file with these bytes
            made = _read(session, path, branch)
            return made if made is not None and made.decode() == wanted else None

        session.create(
            f"creating {path!r}",
            lambda: project.files.create({"file_path": path, **data}),
            committed,
        )
        return f"issue template {path}"
    session.call(f"updating {path!r}", lambda: project.files.update(path, data))
    return f"issue template {path} (updated)"


def _read(session: GitLabSession, path: str, branch: str) -> Any:
    """The file at ``path`` on ``branch`` (python-gitlab's object), None when there is none."""
    files = session.project.files
    try:
        return session.call(f"reading {path!r}", lambda: files.get(file_path=path, ref=branch))
    except RefusedError as error:
        if error.status != 404:
            raise
        return None
