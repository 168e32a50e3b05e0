"""Jira issues read as a request template: wiki text given back as Markdown, line for line."""

from __future__ import annotations

from sop_sync.trackers.jira.discussions import markdown_of


def test_headings_lists_and_mentions_become_markdown_on_their_lines() -> None:
    """`h2.` headings, `*` items and mentions (DC and Cloud) read as the template reader needs."""
    wiki = (
        "h2. Data Permohonan\n\n* *Judul:* Absensi\n* *Peran:* analis-sistem=[~sari], "
        "[~accountid:5b10ac8d82e05b22cc7d4ef5]\n{code}\nh2. bukan judul\n{code}"
    )
    assert markdown_of(wiki).split("\n") == [
        "## Data Permohonan",
        "",
        "- *Judul:* Absensi",
        "- *Peran:* analis-sistem=@sari, @5b10ac8d82e05b22cc7d4ef5",
        "```",
        "h2. bukan judul",
        "```",
    ]
