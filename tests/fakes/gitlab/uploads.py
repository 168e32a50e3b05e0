"""GitLab emulator: project uploads, with the file names GitLab stores (routes: server.py).

doc/api/project_markdown_uploads.md "Upload a file" answers ``{id, alt, url, full_path,
markdown}``. The name in all of them is the *cleaned* one: GitLab's ``FileUploader``
(app/uploaders/file_uploader.rb: ``secure_url`` and ``markdown_name`` use ``file.filename``)
stores the upload through CarrierWave, whose ``SanitizedFile#filename`` replaces every
character outside ``[[:word:].-+]`` with ``_`` (carrierwave lib/carrierwave/sanitized_file.rb
``sanitize``; GitLab keeps CarrierWave's default ``sanitize_regexp``). So
``Laporan UAT (final).pdf`` is linked as ``/uploads/<hex>/Laporan_UAT__final_.pdf`` with the
link text ``Laporan_UAT__final_.pdf``: the original name is not kept anywhere in the answer.
"""

from __future__ import annotations

import re
import secrets

from tests.fakes.gitlab.api import Answer, Call, missing, not_found, project_of
from tests.fakes.gitlab.state import Json, State, now, user_basic

# CarrierWave::SanitizedFile.sanitize_regexp: /[^[:word:]\.\-\+]/ (Python's \w is Unicode too)
_UNSAFE = re.compile(r"[^\w.\-+]")
# app/helpers/uploader_helper.rb (Gitlab::FileTypeDetection): images and videos are embedded
# and named without their extension; SVG ("dangerous") is embedded but keeps its name
_IMAGE_OR_VIDEO = {"png", "jpg", "jpeg", "gif", "bmp", "tiff", "ico", "webp",
                   "mp4", "m4v", "mov", "webm", "ogv"}  # fmt: skip
_DANGEROUS = {"svg"}


def sanitize_filename(name: str) -> str:
    """CarrierWave ``SanitizedFile#sanitize``: basename, unsafe characters to ``_``."""
    name = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name)
    if re.fullmatch(r"\.+", name):
        name = f"_{name}"
    return name or "unnamed"


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename.lstrip(".") else ""


def markdown_name(filename: str) -> str:
    """``FileUploader#markdown_name``: images and videos without their extension."""
    shown = filename
    if _extension(filename) in _IMAGE_OR_VIDEO:
        shown = filename[: -len(_extension(filename)) - 1]
    return shown.replace("]", "\\]")


def store(state: State, project: Json, filename: str, data: bytes, user: Json) -> Json:
    """Store an upload and answer as GitLab does (``full_path`` as since 17.1)."""
    secret = secrets.token_hex(16)
    name = sanitize_filename(filename)
    url = f"/uploads/{secret}/{name}"
    alt = markdown_name(name)
    embedded = _extension(name) in _IMAGE_OR_VIDEO | _DANGEROUS
    answer = {
        "id": state.next_id("uploads"),
        "alt": alt,
        "url": url,
        "full_path": f"/-/project/{project['id']}/uploads/{secret}/{name}",
        "markdown": f"{'!' if embedded else ''}[{alt}]({url})",
    }
    state.uploads.append(
        {
            **answer,
            "project_id": project["id"],
            "size": len(data),
            "data": data,
            "filename": name,
            "original_filename": filename,
            "created_at": now(),
            "uploaded_by": user_basic(user),
        }
    )
    return answer


def upload(call: Call) -> Answer:
    """doc/api/project_markdown_uploads.md "Upload a file" (multipart field ``file``)."""
    project = project_of(call)
    if "file" not in call.files:
        raise missing("file")
    filename, data = call.files["file"]
    return 201, store(call.state, project, filename, data, call.user)


def delete_upload(call: Call) -> Answer:
    """doc/api/project_markdown_uploads.md "Delete an uploaded file by secret and filename".

    ``DELETE /projects/:id/uploads/:secret/:filename`` (GitLab 17.2, Maintainer): 204, or
    ``404 Not found`` for an upload the project does not have. The emulator serves 17.5, so
    the route exists; a test emulates an older GitLab (no such route: 404) with a Fault.
    """
    project = project_of(call)
    secret, name = call.path("secret"), call.path("file")
    found = next(
        (
            u
            for u in call.state.uploads
            if u["project_id"] == project["id"] and u["url"] == f"/uploads/{secret}/{name}"
        ),
        None,
    )
    if found is None:
        raise not_found()
    call.state.uploads.remove(found)
    return 204, None
