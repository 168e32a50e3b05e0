"""GitLab merge requests for the gate: which request an MR names, re-running its gate, notes.

The gate job (``templates/ci/sop-gate.gitlab-ci.yml``) runs in merge-request pipelines. When
the request it waits for is signed off, the service starts a new merge-request pipeline
(doc/api/merge_requests.md "Create merge request pipeline"); where GitLab refuses that (an MR
from a fork, a role that may not run pipelines there), it retries the failed gate job instead
(doc/api/jobs.md "Retry a job").
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import partial
from typing import Any

from gitlab.exceptions import GitlabError

from sop_sync.errors import TrackerError
from sop_sync.rules.gate import issue_keys, key_from_description
from sop_sync.trackers.base import MergeRequestRef
from sop_sync.trackers.gitlab import notes
from sop_sync.trackers.gitlab.marker import split
from sop_sync.trackers.gitlab.session import GitLabSession, RefusedError
from sop_sync.trackers.gitlab.session import explain as explain_error

GATE_JOBS = frozenset({"sop-sync-gate", "sop-gate"})
"""Job names that are the gate: the include's, and the short name agencies use."""
NOTE_MARK = "<!-- sop-sync:penjelasan-mr -->"
"""Hidden in the explanation note, so that it is posted once per merge request."""
JIRA_KEY = re.compile(r"(?P<project>[A-Z][A-Z0-9_]+)-\d+")
REFERENCE = re.compile(r"#\d+|/issues/\d+")
"""An issue reference in a description: without one, an MR closes no issue from it."""


class GitLabMergeRequests:
    """Reads merge requests on the connected GitLab, re-runs their gate, posts notes."""

    def __init__(self, session: GitLabSession) -> None:
        self.session = session

    def _handle(self, project: str | int, iid: int) -> Any:
        """A merge request without reading it (python-gitlab's lazy objects)."""
        return self.session.gl.projects.get(project, lazy=True).mergerequests.get(iid, lazy=True)

    def request_key(self, project: str, iid: int) -> str | None:
        """The request a merge request names: its `SOP: <kunci>` line, else an issue it closes."""
        doing = f"reading merge request !{iid}"
        handle = self.session.gl.projects.get(project, lazy=True)
        mr = self.session.call(doing, lambda: handle.mergerequests.get(iid))
        return key_from_description(mr.description) or self._closed_request(mr, doing)

    def _closed_request(self, mr: Any, doing: str, key: str | None = None) -> str | None:
        """The request (``key``, or any) of a sop-sync issue the MR closes on merge."""
        for issue in self.session.call(doing, lambda: mr.closes_issues(get_all=True)):
            _, marker = split(issue.attributes.get("description"))
            if marker is not None and key in (None, marker.key):
                return marker.key
        return None

    def request_of_issue(self, issue: str) -> str | None:
        """The request of issue ``#<iid>`` of the tracker project (None for other references)."""
        if not issue.lstrip("#").isdigit():
            return None
        iid = int(issue.lstrip("#"))
        try:
            found = self.session.project.issues.get(iid)
        except GitlabError as error:
            if error.response_code == 404:
                return None
            raise TrackerError(explain_error(f"reading issue #{iid}", error)) from None
        _, marker = split(found.attributes.get("description"))
        return marker.key if marker is not None else None

    def open_for(self, key: str, *, issue_keys: Collection[str] = ()) -> list[MergeRequestRef]:
        """The open MRs naming request ``key`` (in the group, else all the token sees).

        Named by a ``SOP: <kunci>`` line, by Jira keys among ``issue_keys`` in the title,
        description or source branch, or (requests on GitLab) by closing one of its issues:
        only an MR whose description references an issue is asked what it closes.
        """
        jira = sorted({k.upper() for k in issue_keys if JIRA_KEY.fullmatch(k.upper())})
        group = self.session.group
        manager = group.mergerequests if group is not None else self.session.gl.mergerequests
        scope = {} if group is not None else {"scope": "all"}
        doing = f"listing open merge requests for {key!r}"
        found = self.session.list(doing, manager, state="opened", **scope)
        named = [mr for mr in found if self._names(mr, key, jira)]
        return self.session.parallel([partial(self._with_pipeline, mr) for mr in named])

    def _names(self, mr: dict[str, Any], key: str, jira: list[str]) -> bool:
        description = mr.get("description") or ""
        if key_from_description(description) == key:
            return True
        if jira:
            texts = (mr.get("title"), description, mr.get("source_branch"))
            projects = {k.rsplit("-", 1)[0] for k in jira}
            named = {k for p in projects for k in issue_keys(p, *texts)}
            return bool(named & set(jira))
        if not REFERENCE.search(description):
            return False
        handle = self._handle(mr["project_id"], int(mr["iid"]))
        return self._closed_request(handle, f"reading merge request !{mr['iid']}", key) == key

    def _with_pipeline(self, mr: dict[str, Any]) -> MergeRequestRef:
        """The MR with its latest pipeline and that pipeline's gate job."""
        project, iid = str(mr["project_id"]), int(mr["iid"])
        ref = MergeRequestRef(project, iid, str(mr.get("web_url") or ""))
        doing = f"reading the pipelines of merge request !{iid}"
        handle = self._handle(project, iid)
        latest = self.session.call(doing, lambda: handle.pipelines.list(per_page=1, page=1))
        if not latest:
            return ref
        pipeline = latest[0]
        runs = self.session.gl.projects.get(project, lazy=True).pipelines
        jobs = self.session.list(doing, runs.get(pipeline.id, lazy=True).jobs)
        gates = sorted((j for j in jobs if j.get("name") in GATE_JOBS), key=lambda j: j["id"])
        gate = gates[-1] if gates else None
        return MergeRequestRef(
            project,
            iid,
            ref.web_url,
            pipeline_id=int(pipeline.id),
            pipeline_status=str(pipeline.attributes.get("status") or ""),
            gate_job_id=int(gate["id"]) if gate else None,
            gate_failed=bool(gate and gate.get("status") == "failed"),
        )

    def rerun(self, mr: MergeRequestRef) -> None:
        """A new MR pipeline; if GitLab refuses one, a retry of the gate job (if any).

        A second pipeline or job costs runner time, so neither is sent again blind: after an
        uncertain answer (5xx, lost connection) a pipeline newer than the latest one read
        (``mr.pipeline_id``, read just before: pipeline ids only grow, whatever the clocks)
        is the one started, and a gate job newer than ``mr.gate_job_id`` in that pipeline the
        retry. Only a refusal (4xx but 401) turns to the job; an uncertain failure that
        outlasts the budget is raised (GitLab may have started the pipeline: the next pass
        reads it).
        """
        s = self.session
        handle = self._handle(mr.project, mr.iid)
        doing = f"starting a pipeline for merge request !{mr.iid}"

        def started() -> Any:
            latest = s.call(doing, lambda: handle.pipelines.list(per_page=1, page=1))
            newer = [p for p in latest if int(p.id) > (mr.pipeline_id or 0)]
            return newer[0] if newer else None

        try:
            s.create(doing, lambda: handle.pipelines.create(), started)
            return
        except RefusedError as error:
            if error.status == 401 or mr.gate_job_id is None or mr.pipeline_id is None:
                raise
            refused = error.message
        runs = s.gl.projects.get(mr.project, lazy=True)
        gate_job, pipeline = mr.gate_job_id, mr.pipeline_id
        retrying = f"retrying gate job {gate_job}"

        def retried() -> dict[str, Any] | None:
            jobs = s.list(retrying, runs.pipelines.get(pipeline, lazy=True).jobs)
            again = [j for j in jobs if j.get("name") in GATE_JOBS and j["id"] > gate_job]
            return again[0] if again else None

        job = runs.jobs.get(gate_job, lazy=True)
        try:
            s.create(retrying, lambda: job.retry(), retried)
        except TrackerError as error:
            raise TrackerError(f"{refused}; {error.message}") from None

    def explain(self, project: str, iid: int, text: str) -> bool:
        """Post ``text`` on the MR unless sop-sync's explanation is there already."""
        handle = self._handle(project, iid)
        found = self.session.list(f"reading the notes of merge request !{iid}", handle.notes)
        if any(NOTE_MARK in str(note.get("body") or "") for note in found):
            return False
        body = f"{text.rstrip()}\n\n{NOTE_MARK}\n"
        notes.post(
            self.session,
            handle.notes,
            body,
            f"commenting on merge request !{iid}",
            same=lambda note: NOTE_MARK in str(note.get("body") or ""),
        )
        return True
