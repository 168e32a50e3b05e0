"""Job keys: what a worker is asked to look at again. Pure; the one place keys are spelt.

- ``request:<kunci>`` — reconcile one request (rules, fixes, documents, the MR gate);
- ``issue:<source>:<ref>`` — an event on an issue whose request the payload does not name
  (a Jira comment carries no labels): the worker finds the request, then enqueues it;
- ``open:<source>:<ref>`` — ``/sop buka`` on an issue written with the request template;
- ``mr:<source>:<project>!<iid>`` — a merge request that names no request (explain once).

``<ref>`` is the tracker's own issue reference: ``<project-id>#<iid>`` on GitLab, the issue key
(``APL-12``) on Jira.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

JobKind = Literal["request", "issue", "open", "mr"]
KINDS: tuple[JobKind, ...] = ("request", "issue", "open", "mr")


@dataclass(frozen=True)
class Job:
    """A parsed job key."""

    kind: JobKind
    subject: str
    """The request key (``request``) or ``<source>:<ref>`` (the others)."""

    @property
    def key(self) -> str:
        """The job key as stored."""
        return f"{self.kind}:{self.subject}"

    @property
    def source(self) -> str:
        """The tracker the subject lives in (``""`` for a request job)."""
        return "" if self.kind == "request" else self.subject.partition(":")[0]

    @property
    def ref(self) -> str:
        """The issue or merge-request reference (``""`` for a request job)."""
        return "" if self.kind == "request" else self.subject.partition(":")[2]


def request_job(key: str) -> str:
    """``request:<kunci>``."""
    return Job("request", key).key


def issue_job(source: str, ref: str) -> str:
    """``issue:<source>:<ref>``."""
    return Job("issue", f"{source}:{ref}").key


def open_job(source: str, ref: str) -> str:
    """``open:<source>:<ref>``."""
    return Job("open", f"{source}:{ref}").key


def mr_job(source: str, project: str, iid: int) -> str:
    """``mr:<source>:<project>!<iid>``."""
    return Job("mr", f"{source}:{project}!{iid}").key


def parse_job(key: str) -> Job:
    """The job a stored key names; ValueError for a key no version of sop-sync wrote."""
    kind, sep, subject = key.partition(":")
    if not sep or not subject or kind not in KINDS:
        raise ValueError(f"not a job key: {key!r}")
    return Job(kind, subject)
