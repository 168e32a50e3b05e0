"""``sop-sync jira setup``: check once what sop-sync needs from a Jira project.

Nothing is changed: a Jira admin's decisions (issue type schemes, workflows, link types,
permission schemes) are theirs. :func:`setup_project` returns, one line each, what an admin
must change; an empty list means the project is ready. It checks:

- the request's type (Epic: hierarchy level 1 on Cloud, the Epic type on DC) and the steps'
  (Task, else Story, else any standard type);
- on DC the Epic Name and Epic Link fields (``schema.custom`` gh-epic-label / gh-epic-link);
- the "Blocks" issue link type (``GET /issueLinkType``);
- the account's project permissions (``GET /mypermissions?projectKey=…&permissions=…``): browse,
  create, edit (labels, fields, the marker property), transition, comment, link, attach, and
  administer projects (versions are the phase timeline);
- transitions to a Done status and back, on an issue of the steps' type when the project has
  one (``GET /issue/{key}/transitions``; nothing is moved). Without one, sop-sync names a
  missing transition the first time it closes a step.

:func:`register_webhook` is the one change it makes, when asked (``--webhook-url``): the
admin webhook that sends the project's issue and comment events to the sync service, signed
with the secret (Jira's admin resource ``/rest/webhooks/1.0/webhook``, Cloud and DC). An
account that may not manage webhooks gets the steps a Jira admin follows in Jira's UI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jira.exceptions import JIRAError

from sop_sync.errors import TrackerError
from sop_sync.trackers.jira.links import BLOCKS
from sop_sync.trackers.jira.meta import category_of, epic_fields_of_site
from sop_sync.trackers.jira.session import JiraSession

PERMISSIONS = {
    "BROWSE_PROJECTS": "Browse projects (to find its issues)",
    "CREATE_ISSUES": "Create issues (epics and steps)",
    "EDIT_ISSUES": "Edit issues (fields, labels and the sop-sync issue property)",
    "TRANSITION_ISSUES": "Transition issues (close, reopen)",
    "ADD_COMMENTS": "Add comments (sop-sync's replies)",
    "LINK_ISSUES": "Link issues (the Blocks order)",
    "CREATE_ATTACHMENTS": "Create attachments (evidence)",
    "ADMINISTER_PROJECTS": "Administer projects (versions: the phase timeline)",
}


def setup_project(session: JiraSession) -> list[str]:
    """What a Jira admin must change before sop-sync can run the SOP here (empty: ready)."""
    key = session.project.key
    todo: list[str] = []
    for check in (session.epic_type, session.step_type):
        try:
            check()
        except TrackerError as error:
            todo.append(error.message.removeprefix("Jira: "))
    if not session.cloud:
        todo += _dc_fields(session)
    todo += _link_type(session)
    todo += _permissions(session, key)
    todo += _transitions(session)
    return todo


def _dc_fields(session: JiraSession) -> list[str]:
    fields = epic_fields_of_site(session.call("reading fields", lambda: session.rest.get("field")))
    return [
        f"this Data Center site has no {name} field ({what}): Jira Software must be installed "
        "and the field restored (Administration → Issues → Custom fields)"
        for name, what, found in (
            ("Epic Name", "gh-epic-label", fields.name),
            ("Epic Link", "gh-epic-link", fields.link),
        )
        if found is None
    ]


def _link_type(session: JiraSession) -> list[str]:
    found = session.call("listing issue link types", lambda: session.rest.get("issueLinkType"))
    names = {str(t.get("name", "")).casefold() for t in found.get("issueLinkTypes") or []}
    if BLOCKS.casefold() in names:
        return []
    return [
        f"no {BLOCKS!r} issue link type (outward 'blocks', inward 'is blocked by'): add it in "
        "Administration → Issues → Issue linking"
    ]


def _permissions(session: JiraSession, key: str) -> list[str]:
    found = session.call(
        "reading the account's permissions",
        lambda: session.rest.get(
            "mypermissions", projectKey=key, permissions=",".join(PERMISSIONS)
        ),
    )
    held = found.get("permissions") or {}
    return [
        f"the account lacks the project permission {name} in {key}: {why} — grant it in the "
        "project's permission scheme (Project settings → Permissions)"
        for name, why in PERMISSIONS.items()
        if not (held.get(name) or {}).get("havePermission")
    ]


def _transitions(session: JiraSession) -> list[str]:
    try:
        kind = session.step_type()
    except TrackerError:
        return []
    jql = f'project = "{session.project.key}" AND issuetype = {kind["id"]} ORDER BY key DESC'
    found = session.call(
        "finding an issue to read transitions from",
        lambda: session.rest.get("search/jql" if session.cloud else "search", jql=jql,
                                 fields="status", maxResults=1),
    )  # fmt: skip
    issues: list[dict[str, Any]] = found.get("issues") or []
    if not issues:
        return []
    issue = issues[0]
    status = (issue.get("fields") or {}).get("status")
    listed = (
        session.call(
            f"listing transitions of {issue['key']}",
            lambda: session.rest.get(f"issue/{issue['key']}/transitions"),
        ).get("transitions")
        or []
    )
    targets = {category_of(t.get("to")) for t in listed}
    here = category_of(status)
    name = (status or {}).get("name", "its status")
    if here == "done" and not targets & {"new", "indeterminate"}:
        return [
            f"the workflow of {kind['name']} offers no transition from {name!r} back to an "
            f"open status (checked on {issue['key']}): add a Reopen transition"
        ]
    if here != "done" and not targets & {"done", "indeterminate"}:
        return [
            f"the workflow of {kind['name']} offers no transition from {name!r} towards a "
            f"Done status (checked on {issue['key']}): add one, or grant Transition issues"
        ]
    return []


WEBHOOKS = "rest/webhooks/1.0/webhook"
WEBHOOK_EVENTS = ("jira:issue_created", "jira:issue_updated", "comment_created")
JQL_FILTER = "issue-related-events-section"


@dataclass(frozen=True)
class WebhookOutcome:
    """What :func:`register_webhook` did, or what a Jira admin must do instead.

    ``done``: None when the webhook was in place already; ``steps``: for an admin, when the
    account may not manage webhooks.
    """

    done: str | None = None
    steps: tuple[str, ...] = ()


def _webhook_call(session: JiraSession, method: str, path: str, body: Any = None) -> Any:
    """One call to the webhook resource (outside ``/rest/api``), on the client's session."""
    url = f"{session.server}/{path}"
    data = None if body is None else json.dumps(body)
    with session.rest.slot():
        answer = session.client._session.request(method, url, data=data)
    return answer.json() if answer.content else None


def register_webhook(session: JiraSession, url: str, secret: str) -> WebhookOutcome:
    """Register the project's admin webhook to ``url``, idempotently.

    Events: issue created and updated, comment created; filtered by the JQL ``project =
    KEY``; signed with ``secret`` (``X-Hub-Signature``). A webhook already registered to
    ``url`` is updated when its events, filter or status differ, else left alone (Jira never
    shows a secret back, so an unchanged webhook keeps the one it has). Refused with 401/403
    (the resource is for administrators): the steps an admin follows instead.
    """
    jql = f"project = {session.project.key}"
    wanted = {
        "name": f"sop-sync {session.project.key}",
        "url": url,
        "events": list(WEBHOOK_EVENTS),
        "filters": {JQL_FILTER: jql},
        "excludeBody": False,
        "enabled": True,
        "secret": secret,
    }

    def register() -> WebhookOutcome:
        try:
            hooks = _webhook_call(session, "GET", WEBHOOKS) or []
        except JIRAError as error:
            if error.status_code not in (401, 403):
                raise
            return WebhookOutcome(steps=_admin_steps(session, url, jql, error.status_code))
        existing = next((h for h in hooks if h.get("url") == url), None)
        if existing is None:
            _webhook_call(session, "POST", WEBHOOKS, wanted)
            return WebhookOutcome(done=f"webhook {url}")
        if (
            set(existing.get("events") or []) == set(WEBHOOK_EVENTS)
            and (existing.get("filters") or {}).get(JQL_FILTER) == jql
            and existing.get("enabled", True)
        ):
            return WebhookOutcome()
        hook_id = existing.get("id") or str(existing.get("self", "")).rsplit("/", 1)[-1]
        _webhook_call(session, "PUT", f"{WEBHOOKS}/{hook_id}", wanted)
        return WebhookOutcome(done=f"webhook {url} (events updated)")

    outcome: WebhookOutcome = session.call("registering the webhook", register)
    return outcome


def _admin_steps(session: JiraSession, url: str, jql: str, status: int) -> tuple[str, ...]:
    where = (
        "Settings (⚙) → System → WebHooks"
        if session.cloud
        else "Administration (⚙) → System → Advanced → WebHooks"
    )
    return (
        f"the account may not register webhooks (HTTP {status}: Jira's webhooks are for "
        "administrators); a Jira admin registers it once:",
        f"1. {where} → Create a WebHook",
        f"2. Name: sop-sync {session.project.key}; Status: Enabled; URL: {url}",
        "3. Secret: the value of SOP_SYNC_WEBHOOK_SECRET (hand it over privately)",
        "4. Events: Issue created, Issue updated, Comment created",
        f"5. JQL filter: {jql}",
        "6. Leave 'Exclude body' off, and Create",
    )
