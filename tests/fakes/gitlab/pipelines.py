"""GitLab emulator handlers: merge-request pipelines, their jobs, and retrying a job.

The emulator runs nothing: a pipeline is created with one job, the gate (``sop-sync-gate``,
the job of ``templates/ci/sop-gate.gitlab-ci.yml``), and both stay ``created`` until a test
says otherwise (:func:`start` with a status). Shapes follow doc/api/merge_requests.md
("List merge request pipelines", "Create merge request pipeline") and doc/api/jobs.md
("List pipeline jobs", "Retry a job"). A created or retried pipeline sends a Pipeline Hook
(:func:`tests.fakes.gitlab.webhooks.pipeline_saved`).
"""

from __future__ import annotations

from tests.fakes.gitlab import webhooks
from tests.fakes.gitlab.api import Answer, Call, forbidden, not_found, project_of
from tests.fakes.gitlab.state import Json, State, now, user_basic

GATE_JOB = "sop-sync-gate"
FINISHED = ("success", "failed", "canceled", "skipped")
RETRYABLE = ("success", "failed", "canceled")
"""app/models/ci/build.rb ``retryable?``: a finished job (not skipped or manual)."""


def _shown(row: Json) -> Json:
    """A pipeline or job without the emulator's own keys (``_``-prefixed)."""
    return {k: v for k, v in row.items() if not k.startswith("_")}


def mr_ref(mr: Json) -> str:
    """The ref of a merge request's pipelines (doc/ci/pipelines/merge_request_pipelines.md)."""
    return f"refs/merge-requests/{mr['iid']}/head"


def start(
    state: State,
    project: Json,
    mr: Json,
    user: Json,
    status: str = "created",
    gate: str | None = None,
    job: str = GATE_JOB,
) -> Json:
    """A merge-request pipeline with one job ``job`` (status ``gate``, else the pipeline's)."""
    pipelines = state.pipelines[project["id"]]
    pid = state.next_id("ci_pipelines")
    pipeline = {
        "id": pid,
        "iid": len(pipelines) + 1,
        "project_id": project["id"],
        "sha": mr["sha"],
        "ref": mr_ref(mr),
        "status": status,
        "source": "merge_request_event",
        "created_at": now(),
        "updated_at": now(),
        "finished_at": now() if status in FINISHED else None,
        "web_url": f"{project['web_url']}/-/pipelines/{pid}",
        "user": user_basic(user),
    }
    pipelines.append(pipeline)
    _add_job(state, project, pipeline, job, gate or status, user)
    return pipeline


def _add_job(
    state: State, project: Json, pipeline: Json, name: str, status: str, user: Json
) -> Json:
    """doc/api/jobs.md "List pipeline jobs": one job of ``pipeline``."""
    jid = state.next_id("ci_builds")
    job = {
        "id": jid,
        "status": status,
        "stage": "test",
        "name": name,
        "ref": pipeline["ref"],
        "tag": False,
        "coverage": None,
        "allow_failure": False,
        "created_at": now(),
        "started_at": None,
        "finished_at": now() if status in FINISHED else None,
        "erased_at": None,
        "duration": None,
        "queued_duration": None,
        "user": user_basic(user),
        "commit": {"id": pipeline["sha"], "short_id": pipeline["sha"][:8]},
        "pipeline": {k: pipeline[k] for k in ("id", "iid", "project_id", "ref", "sha", "status")},
        "web_url": f"{project['web_url']}/-/jobs/{jid}",
        "artifacts": [],
        "runner": None,
        "tag_list": [],
        "failure_reason": "script_failure" if status == "failed" else None,
        "_retried": False,
    }
    state.jobs.setdefault(project["id"], []).append(job)
    return job


def _merge_request(call: Call) -> tuple[Json, Json]:
    project = project_of(call)
    mr = call.state.merge_requests[project["id"]].get(int(call.match["iid"]))
    if mr is None:
        raise not_found()
    return project, mr


def list_mr_pipelines(call: Call) -> Answer:
    """doc/api/merge_requests.md "List merge request pipelines" (newest first)."""
    project, mr = _merge_request(call)
    found = [p for p in reversed(call.state.pipelines[project["id"]]) if p["ref"] == mr_ref(mr)]
    return 200, [_shown(p) for p in found]


def create_mr_pipeline(call: Call) -> Answer:
    """doc/api/merge_requests.md "Create merge request pipeline" (201, the new pipeline)."""
    project, mr = _merge_request(call)
    pipeline = start(call.state, project, mr, call.user)
    webhooks.pipeline_saved(call.state, pipeline, call.user, mr)  # "Pipeline events"
    return 201, _shown(pipeline)


def list_pipeline_jobs(call: Call) -> Answer:
    """doc/api/jobs.md "List pipeline jobs" (``scope[]``; retried jobs with ``include_retried``).

    Newest first, as GitLab orders them (by id, descending).
    """
    project = project_of(call)
    pid = int(call.match["pipeline"])
    if not any(p["id"] == pid for p in call.state.pipelines[project["id"]]):
        raise not_found()
    scopes = call.many("scope")
    retried = bool(call.flag("include_retried"))
    jobs = [
        j
        for j in call.state.jobs.get(project["id"], [])
        if j["pipeline"]["id"] == pid
        and (retried or not j["_retried"])
        and (not scopes or j["status"] in scopes)
    ]
    return 200, [_shown(j) for j in sorted(jobs, key=lambda j: -j["id"])]


def retry_job(call: Call) -> Answer:
    """doc/api/jobs.md "Retry a job": a new job in the same pipeline (201); 403 if not retryable.

    lib/api/ci/jobs.rb: ``forbidden!('Job is not retryable')`` unless the job is finished.
    """
    project = project_of(call)
    jid = int(call.match["job"])
    job = next((j for j in call.state.jobs.get(project["id"], []) if j["id"] == jid), None)
    if job is None:
        raise not_found()
    if job["status"] not in RETRYABLE or job["_retried"]:
        raise forbidden("403 Forbidden - Job is not retryable")
    runs = call.state.pipelines[project["id"]]
    pipeline = next(p for p in runs if p["id"] == job["pipeline"]["id"])
    job["_retried"] = True
    pipeline |= {"status": "pending", "updated_at": now(), "finished_at": None}
    again = _add_job(call.state, project, pipeline, job["name"], "pending", call.user)
    requests = call.state.merge_requests[project["id"]].values()
    mr = next((m for m in requests if mr_ref(m) == pipeline["ref"]), None)
    webhooks.pipeline_saved(call.state, pipeline, call.user, mr)  # the pipeline runs again
    return 201, _shown(again)


def finish(state: State, project: Json, pipeline: Json, status: str) -> None:
    """A test's runner: the pipeline and its current jobs end with ``status``."""
    pipeline |= {"status": status, "updated_at": now(), "finished_at": now()}
    for job in state.jobs.get(project["id"], []):
        if job["pipeline"]["id"] == pipeline["id"] and not job["_retried"]:
            job |= {"status": status, "finished_at": now()}
            job["pipeline"]["status"] = status
