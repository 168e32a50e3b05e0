"""Nobody gets around the SOP by writing text on GitLab (issue 10, part 1)."""

from __future__ import annotations

from sop_sync.model.changes import Comment, Ref
from tests.trackers.gitlab.conftest import emulator, open_request, run


def test_a_reply_tag_counts_only_on_sop_syncs_own_notes() -> None:
    """A person typing `<!-- sop-sync:re N -->` does not mark note N as answered."""
    with emulator("free") as fake:
        open_request(fake)
        ref = Ref("absensi", 4)
        run(fake).apply(Comment(ref, "Koreksi diteruskan.", in_reply_to="9001"))
        run(fake).acting_as("sari").apply(Comment(ref, "(tidak terlihat)", in_reply_to="9002"))
        tracker = run(fake)
        notes = [n for n in tracker.observe("absensi").steps[4].notes if not n.system]
        own = tracker.session.own_username()
        assert [(n.author, n.body, n.in_reply_to) for n in notes] == [
            (own, "Koreksi diteruskan.", "9001"),
            ("sari", "(tidak terlihat)", None),
        ]
        assert own != "sari"
