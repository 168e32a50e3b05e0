"""The hidden marker in an issue description, reply tags in notes, and upload links.

``<!-- sop-sync:v1 {"kunci": "absensi", "langkah": 7, "sop": "karanganyar", "sha": "…"} -->``

GitLab has no column for it, so the marker is an HTML comment at the end of the description:
invisible when rendered, found again by sop-sync. It also keeps the digest of the text
sop-sync wrote (``sha``), which the diff compares. A reply of sop-sync's names the note it
answers in the same way: ``<!-- sop-sync:re 123 -->`` at the end of the note.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from sop_sync.model.changes import MARKER_VERSION, Ref

_MARKER = re.compile(r"\n?<!-- sop-sync:v(\d+) (\{.*?\}) -->\s*\Z", re.DOTALL)
_REPLY = re.compile(r"\n*<!-- sop-sync:re (\S+) -->\s*\Z")
# GitLab upload links, relative (/uploads/<32 hex>/<name>) and absolute (webhook bodies:
# https://host/-/project/<id>/uploads/<hex>/<name>); see reference/gitlab.md "Attachments".
# The link text may hold escaped brackets (sop-sync writes the name given there).
UPLOAD = re.compile(
    r"\[(?P<alt>(?:\\.|[^\]\\\n])*)\]\((?P<url>(?:https?://[^\s)]+)?/(?:-/project/\d+/)?uploads/"
    r"(?P<secret>[0-9a-f]{32})/(?P<name>[^\s)]+))\)"
)
# CarrierWave::SanitizedFile#sanitize, which GitLab's FileUploader stores uploads with
# (app/uploaders/file_uploader.rb: the url and the link text use ``file.filename``): every
# character outside [[:word:].-+] becomes "_" (carrierwave lib/carrierwave/sanitized_file.rb)
_UNSAFE = re.compile(r"[^\w.\-+]")
_ESCAPED = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Marker:
    """What makes an object sop-sync's: request key, SOP id, step (None for the epic), data."""

    key: str
    sop: str
    step: int | None = None
    data: dict[str, str] = field(default_factory=dict, hash=False)
    version: int = MARKER_VERSION
    digest: str = ""
    """Digest of the description text sop-sync wrote (see ``text_digest``)."""
    safe: bool = False
    """On a request: made by a sop-sync that never sends a create twice blind (``"aman"``).

    Older versions let python-gitlab resend a POST after a 5xx: a step issue made twice, of
    which only the second was linked to its parent issue (Free). A request without the mark
    may have such a copy, so reading it alone looks past the links (:mod:`.listing`). Set
    when the request is created, kept by every update, never added to an older request.
    """

    @property
    def ref(self) -> Ref:
        """The object's ref."""
        return Ref(self.key, self.step)


def render(marker: Marker) -> str:
    """The HTML comment; ``>`` and ``-`` escaped so user data cannot close it."""
    body: dict[str, object] = {"kunci": marker.key, "sop": marker.sop}
    if marker.step is not None:
        body["langkah"] = marker.step
    if marker.data:
        body["data"] = marker.data
    if marker.digest:
        body["sha"] = marker.digest
    if marker.safe:
        body["aman"] = True
    text = json.dumps(body, ensure_ascii=True, sort_keys=True)
    text = text.replace(">", "\\u003e").replace("<", "\\u003c").replace("--", "-\\u002d")
    return f"<!-- sop-sync:v{marker.version} {text} -->"


def attach(description: str, marker: Marker) -> str:
    """The description as stored: the text, then the marker on its own line."""
    return f"{description}\n{render(marker)}"


def split(stored: str | None) -> tuple[str, Marker | None]:
    """The description as written by sop-sync, and the marker (None when absent or broken)."""
    text = (stored or "").replace("\r\n", "\n")
    start = max(text.rfind("<!-- sop-sync:v") - 1, 0)  # the last one: user text may quote one
    match = _MARKER.search(text, start)
    if match is None:
        return text, None
    try:
        body = json.loads(match.group(2))
        marker = Marker(
            key=str(body["kunci"]),
            sop=str(body["sop"]),
            step=int(body["langkah"]) if "langkah" in body else None,
            data={str(k): str(v) for k, v in body.get("data", {}).items()},
            version=int(match.group(1)),
            digest=str(body.get("sha", "")),
            safe=body.get("aman") is True,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return text, None
    return text[: match.start()], marker


def sanitize_filename(name: str) -> str:
    """The name GitLab stores an upload under (CarrierWave's ``sanitize``)."""
    name = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name)
    if re.fullmatch(r"\.+", name):
        name = f"_{name}"
    return name or "unnamed"


def upload_links(text: str) -> list[tuple[str, str]]:
    """``(file name, url)`` of every upload linked in Markdown ``text``.

    The name is the link's text when it is the name the file was given (GitLab stores
    ``Laporan UAT (final).pdf`` as ``Laporan_UAT__final_.pdf``: the text cleaned as GitLab
    cleans names gives the stored name), else the stored name from the URL (GitLab's own
    link text for an image leaves out the extension; a person may write any text; where
    Python's word characters and Ruby's ``[[:word:]]`` differ, the stored name is the safe
    answer).
    """
    found = []
    for m in UPLOAD.finditer(text):
        alt = _ESCAPED.sub(r"\1", m.group("alt"))
        stored = urllib.parse.unquote(m.group("name"))
        name = alt if alt and sanitize_filename(alt) == m.group("name") else stored
        found.append((name, m.group("url")))
    return found


def upload_markdown(filename: str, uploaded: dict[str, Any]) -> str:
    """The link to an upload, its text the name given (GitLab's ``markdown`` has the stored one).

    Images stay embedded (``!``) as in GitLab's own ``markdown``.
    """
    text = re.sub(r"([\\\[\]])", r"\\\1", re.sub(r"[\r\n]", " ", filename))
    embedded = "!" if str(uploaded.get("markdown", "")).startswith("!") else ""
    return f"{embedded}[{text}]({uploaded['url']})"


def with_reply(body: str, in_reply_to: str | None) -> str:
    """A note body as stored: the text, then the reply tag when it answers a note."""
    return body if in_reply_to is None else f"{body}\n\n<!-- sop-sync:re {in_reply_to} -->"


def split_reply(stored: str) -> tuple[str, str | None]:
    """The note text and the note it answers (None when it has no reply tag)."""
    match = _REPLY.search(stored)
    if match is None:
        return stored, None
    return stored[: match.start()], match.group(1)
