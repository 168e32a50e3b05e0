"""GitLab emulator: editing a note (routes: server.py).

doc/api/notes.md "Modify existing issue note": ``PUT /projects/:id/issues/:issue_iid/notes/
:note_id`` with ``body``; the answer is the note. Only its author may edit a note
(NotePolicy ``admin_note``), or an administrator; a system note cannot be edited.
"""

from __future__ import annotations

from tests.fakes.gitlab import webhooks
from tests.fakes.gitlab.api import Answer, Call, forbidden, issue_of, not_found
from tests.fakes.gitlab.state import now


def update_note(call: Call) -> Answer:
    """doc/api/notes.md "Modify existing issue note"."""
    project, issue = issue_of(call)
    notes = call.state.notes.get(("issue", project["id"], issue["iid"]), [])
    note = next((n for n in notes if n["id"] == int(call.path("nid"))), None)
    if note is None:
        raise not_found("Note")
    call.require("body")
    mine = note["author"]["username"] == call.user["username"]
    if note["system"] or not (mine or call.user["username"] in call.state.admins):
        raise forbidden()
    note["body"] = str(call.text("body"))
    note["updated_at"] = now()
    webhooks.note_saved(call.state, note, call.user, "update")  # "Comment events", 16.11+
    return 200, note
