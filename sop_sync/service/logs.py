"""The service's logs: one JSON object a line, named fields only, every string scrubbed.

A log line says what happened to which delivery or job, never what was in it: bodies, headers
and note texts are not fields, and a field not named in :data:`FIELDS` is dropped, so a
careless ``extra=`` cannot leak one. Strings pass :func:`sop_sync.secrets.scrub` (the values
of secret variables, passwords in URLs). Records of other libraries (uvicorn's) keep only
their message, scrubbed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

from sop_sync.secrets import scrub

FIELDS = (
    "source",
    "kind",
    "delivery",
    "job",
    "status",
    "ms",
    "reason",
    "jobs",
    "worker",
    "attempts",
    "error",
    "changes",
    "details",
    "requests",
    "host",
    "port",
    "workers",
)
"""The fields a line may carry besides ``ts``, ``level``, ``event`` and ``message``."""
MAX_FIELD = 500
"""Characters kept of one string field (an error message is not a dump)."""
LOGGER = "sop_sync.service"


def _clean(value: Any) -> Any:
    if isinstance(value, bool | int | float) or value is None:
        return value
    text = value if isinstance(value, str) else str(value)
    return scrub(text.replace("\n", " ")[:MAX_FIELD])


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "event", ...FIELDS}`` on one line.

    ``event`` is the ``event`` given in ``extra`` (then the message follows as ``message``),
    else the message.
    """

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON line."""
        message = _clean(record.getMessage())
        event = record.__dict__.get("event")
        line: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "event": _clean(event) if event else message,
        }
        if event and message != line["event"]:
            line["message"] = message
        for name in FIELDS:
            if name in record.__dict__:
                line[name] = _clean(record.__dict__[name])
        if record.exc_info and record.exc_info[1] is not None and "error" not in line:
            error = record.exc_info[1]
            line["error"] = _clean(f"{type(error).__name__}: {error}")
        return json.dumps(line, ensure_ascii=False, sort_keys=False)


def configure_logging(level: str | int = "INFO") -> None:
    """Send every log record (the service's and uvicorn's) to stderr as JSON lines.

    Run uvicorn with ``log_config=None`` so it keeps these handlers.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


def logger() -> logging.Logger:
    """The service's logger."""
    return logging.getLogger(LOGGER)
