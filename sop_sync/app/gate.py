"""The merge-request gate as a use case: find the request an MR belongs to, then decide.

The decision itself is pure (:mod:`sop_sync.rules.gate`); this module reads the CI variables'
values it is given and asks the code host about the merge request.
"""

from __future__ import annotations

from collections.abc import Mapping

from sop_sync.app.enforce import check
from sop_sync.app.requests import existing_request, request_of
from sop_sync.app.sops import find_sop
from sop_sync.config import Settings
from sop_sync.errors import ConfigError, InputError
from sop_sync.rules.gate import GateResult, gate, key_from_description
from sop_sync.trackers.base import Connection


def merge_request_key(connection: Connection, env: Mapping[str, str]) -> str:
    """The request an MR belongs to: a ``SOP: <kunci>`` line, else the issues it closes."""
    key = key_from_description(env.get("CI_MERGE_REQUEST_DESCRIPTION"))
    if key:
        return key
    project = env.get("CI_MERGE_REQUEST_PROJECT_ID") or env.get("CI_PROJECT_ID")
    iid = env.get("CI_MERGE_REQUEST_IID")
    if not (project and iid):
        raise InputError(
            "not in a merge-request pipeline: CI_MERGE_REQUEST_IID is not set "
            '(run the job with `rules: - if: $CI_PIPELINE_SOURCE == "merge_request_event"`)'
        )
    if connection.merge_requests is None:
        raise ConfigError("the merge-request gate needs a GitLab code host to read the MR")
    key = connection.merge_requests.request_key(project, int(iid))
    if key:
        return key
    raise InputError(
        f"merge request !{iid} names no request: add a line `SOP: <kunci>` to its description "
        "or close a step issue with it ('Closes #12')"
    )


def run_gate(connection: Connection, settings: Settings, key: str) -> GateResult:
    """Whether the request's merge requests may merge: UAT signed off, every step before done."""
    summary = existing_request(connection.tracker, key)
    if summary is None:
        raise InputError(f"no request {key!r} in this tracker")
    request = request_of(summary)
    sop = find_sop(settings.mappings_dir, request.sop_id)
    _, evaluation = check(connection, sop, request, settings.closing.policy(sop.id))
    return gate(sop, evaluation)
