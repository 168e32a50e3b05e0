"""The merge-request gate as a use case: find the request an MR belongs to, then decide.

The decision itself is pure (:mod:`sop_sync.rules.gate`); this module reads the CI variables'
values it is given and asks the code host about the merge request. With the requests kept in
Jira, the MR's title, description and source branch (all CI variables) name the request through
a ``SOP:`` line or a Jira key, so the gate job needs no GitLab API at all.

The service's part: :func:`rerun_gates` after a change the gate depends on (a sign-off, a
closed step), and :func:`explain_merge_request` for an MR that names no request.
"""

from __future__ import annotations

from collections.abc import Mapping

from sop_sync.app.enforce import check
from sop_sync.app.requests import existing_request, request_of
from sop_sync.app.sops import find_sop
from sop_sync.config import JiraSettings, Settings
from sop_sync.errors import ConfigError, InputError
from sop_sync.render.environment import environment
from sop_sync.rules.evaluate import Evaluation
from sop_sync.rules.gate import GateResult, gate, issue_keys, key_from_description
from sop_sync.trackers.base import Connection, MergeRequests

EXPLANATION = "tracker/merge-request-tanpa-permohonan.md.j2"


def _jira_project(settings: Settings | None) -> str | None:
    """The Jira project key when the requests are kept in Jira."""
    if settings is not None and isinstance(settings.tracker, JiraSettings):
        return settings.tracker.project
    return None


def merge_request_key(
    connection: Connection, env: Mapping[str, str], settings: Settings | None = None
) -> str:
    """The request an MR belongs to: a ``SOP: <kunci>`` line, else a Jira key or closed issue."""
    description = env.get("CI_MERGE_REQUEST_DESCRIPTION")
    key = key_from_description(description)
    if key:
        return key
    jira = _jira_project(settings)
    if jira:
        return _key_from_jira_keys(connection, env, jira)
    project = env.get("CI_MERGE_REQUEST_PROJECT_ID") or env.get("CI_PROJECT_ID")
    iid = env.get("CI_MERGE_REQUEST_IID")
    if not (project and iid):
        raise InputError(_not_in_mr_pipeline())
    if connection.merge_requests is None:
        raise ConfigError("the merge-request gate needs a GitLab code host to read the MR")
    key = connection.merge_requests.request_key(project, int(iid))
    if key:
        return key
    raise InputError(
        f"merge request !{iid} names no request: add a line `SOP: <kunci>` to its description "
        "or close a step issue with it ('Closes #12')"
    )


def _not_in_mr_pipeline() -> str:
    return (
        "not in a merge-request pipeline: CI_MERGE_REQUEST_IID is not set "
        '(run the job with `rules: - if: $CI_PIPELINE_SOURCE == "merge_request_event"`)'
    )


def _key_from_jira_keys(connection: Connection, env: Mapping[str, str], project: str) -> str:
    """The request of the first Jira issue the MR's title, description or branch names."""
    iid = env.get("CI_MERGE_REQUEST_IID")
    if not iid:
        raise InputError(_not_in_mr_pipeline())
    named = issue_keys(
        project,
        env.get("CI_MERGE_REQUEST_TITLE"),
        env.get("CI_MERGE_REQUEST_DESCRIPTION"),
        env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"),
    )
    if not named:
        raise InputError(
            f"merge request !{iid} names no request: add a line `SOP: <kunci>` to its "
            f"description, or a Jira key ({project}-12) to its title or source branch"
        )
    lookup = _merge_requests(connection)
    for issue in named:
        key = lookup.request_of_issue(issue)
        if key:
            return key
    raise InputError(
        f"merge request !{iid} names {', '.join(named)}: no request in Jira project {project} "
        "has such an epic or step (or the token cannot see it); name one of the request's "
        "issues, or add a line `SOP: <kunci>`"
    )


def _merge_requests(connection: Connection) -> MergeRequests:
    if connection.merge_requests is None:
        raise ConfigError("the merge-request gate needs a code host for merge requests")
    return connection.merge_requests


def run_gate(connection: Connection, settings: Settings, key: str) -> GateResult:
    """Whether the request's merge requests may merge: UAT signed off, every step before done."""
    return _judge(connection, settings, key, None)


def _judge(
    connection: Connection, settings: Settings, key: str, evaluation: Evaluation | None
) -> GateResult:
    summary = existing_request(connection.tracker, key)
    if summary is None:
        raise InputError(f"no request {key!r} in this tracker")
    request = request_of(summary)
    sop = find_sop(settings.mappings_dir, request.sop_id)
    if evaluation is None:
        _, evaluation = check(connection, sop, request, settings.closing.policy(sop.id))
    return gate(sop, evaluation)


def rerun_gates(
    connection: Connection,
    settings: Settings,
    key: str,
    *,
    evaluation: Evaluation | None = None,
) -> list[str]:
    """Re-run the gate on the request's open MRs once it passes; the MRs re-run (web URLs).

    Only MRs whose latest pipeline failed, was cancelled or is missing (or whose gate job
    failed): a pipeline already running or green is left alone, so a second call after the
    first starts nothing. Nothing while the gate still fails. ``evaluation``: the rules'
    verdicts when the caller has them (the worker after a reconcile), saving a second read.
    """
    if connection.merge_requests is None:
        return []  # no code host: nothing to re-run
    waiting = [mr for mr in connection.merge_requests.open_for(key) if mr.needs_rerun]
    if not waiting or not _judge(connection, settings, key, evaluation).passed:
        return []
    for mr in waiting:
        connection.merge_requests.rerun(mr)
    return [mr.web_url or f"{mr.project}!{mr.iid}" for mr in waiting]


def explanation() -> str:
    """The note for an MR that names no request (Indonesian, then English)."""
    return environment().get_template(EXPLANATION).render()


def explain_merge_request(connection: Connection, project: str, iid: int) -> bool:
    """Explain the ``SOP: <kunci>`` line on an MR that names no request, once.

    False when sop-sync's explanation is already there (or no code host is configured).
    """
    if connection.merge_requests is None:
        return False
    return connection.merge_requests.explain(project, iid, explanation())
