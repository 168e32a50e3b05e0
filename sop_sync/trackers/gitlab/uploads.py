"""Uploading a file to a GitLab project, retried by sop-sync itself.

python-gitlab streams the multipart body once, so its own retry would resend an empty body
(the server then waits for bytes that never come); each attempt here starts anew.
"""

from __future__ import annotations

import time
from typing import Any

from sop_sync.errors import TrackerError
from sop_sync.trackers.gitlab.session import GitLabSession

UPLOAD_ATTEMPTS = 5


def upload(
    session: GitLabSession, filename: str, content: bytes, who: dict[str, Any]
) -> dict[str, Any]:
    """Upload a file to the project with sop-sync's own retries; GitLab's answer.

    python-gitlab streams the multipart body once, so its own retry would resend an empty
    body (the server then waits for bytes that never come); each attempt here starts anew.
    """
    doing = f"uploading {filename!r}"
    for attempt in range(UPLOAD_ATTEMPTS):
        try:
            result: dict[str, Any] = session.call(
                doing,
                lambda: session.project.upload(
                    filename,
                    filedata=content,
                    retry_transient_errors=False,
                    obey_rate_limit=False,
                    **who,
                ),
            )
            return result
        except TrackerError as error:
            transient = any(f"HTTP {code}" in error.message for code in (429, 500, 502, 503, 504))
            if not transient or attempt == UPLOAD_ATTEMPTS - 1:
                raise
            time.sleep(0.2 * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover
