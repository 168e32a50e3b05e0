"""The hidden marker round-trips, resists user text, and upload links are found."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sop_sync.trackers.gitlab.marker import (
    Marker,
    attach,
    sanitize_filename,
    split,
    split_reply,
    upload_links,
    upload_markdown,
    with_reply,
)

SECRET = "0123456789abcdef0123456789abcdef"


@given(
    description=st.text(),
    key=st.from_regex(r"[a-z0-9][a-z0-9-]{1,20}", fullmatch=True),
    step=st.none() | st.integers(1, 99),
    data=st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=40), max_size=4),
)
def test_round_trip(description: str, key: str, step: int | None, data: dict[str, str]) -> None:
    """Any description and any data come back exactly, marker and all."""
    description = description.replace("\r", "")
    marker = Marker(key=key, sop="bali", step=step, data=data)
    text, found = split(attach(description, marker))
    assert text == description
    assert found == marker
    assert found is not None
    assert found.data == data


def test_user_data_cannot_close_the_comment() -> None:
    """A title containing `-->` stays inside the JSON and the comment."""
    stored = attach("d", Marker("k", "bali", None, {"judul": "a --> <b>"}))
    assert stored.count("-->") == 1
    assert split(stored)[1] == Marker("k", "bali", None, {"judul": "a --> <b>"})


def test_no_or_broken_marker() -> None:
    """Without a marker (or with a broken one) the issue is not sop-sync's."""
    assert split("teks biasa") == ("teks biasa", None)
    assert split("x\n<!-- sop-sync:v1 {broken} -->")[1] is None
    assert split(None) == ("", None)


def test_upload_links_relative_and_absolute() -> None:
    """Both GitLab upload link forms are found, with their file names."""
    hexa = "0123456789abcdef0123456789abcdef"
    text = (
        f"DFD: ![dfd](/uploads/{hexa}/rancangan-dfd.png) dan "
        f"[erd.pdf](https://gitlab.example.go.id/-/project/12/uploads/{hexa}/erd.pdf)"
    )
    assert upload_links(text) == [
        ("rancangan-dfd.png", f"/uploads/{hexa}/rancangan-dfd.png"),
        ("erd.pdf", f"https://gitlab.example.go.id/-/project/12/uploads/{hexa}/erd.pdf"),
    ]


def test_quoted_marker_in_user_text_does_not_confuse() -> None:
    """A marker-like line typed by a person earlier in the text is kept as text."""
    fake = 'x\n<!-- sop-sync:v1 {"kunci": "lain", "sop": "bali"} -->\ny'
    marker = Marker("asli", "bali", 3)
    assert split(attach(fake, marker)) == (fake, marker)


def test_marker_keeps_the_digest_of_the_text() -> None:
    """The digest of what sop-sync wrote travels in the marker and comes back."""
    stored = attach("Teks", Marker("k", "bali", 3, digest="0123456789abcdef"))
    _, found = split(stored)
    assert found is not None
    assert found.digest == "0123456789abcdef"
    assert '"sha": "0123456789abcdef"' in stored


@given(body=st.text(), note_id=st.none() | st.from_regex(r"[0-9]{1,9}", fullmatch=True))
def test_reply_tag_round_trips(body: str, note_id: str | None) -> None:
    """A reply's note id is hidden at the end of the note and read back, the text unchanged."""
    body = body.rstrip()
    assert split_reply(with_reply(body, note_id)) == (body, note_id)


@given(name=st.text(min_size=1, max_size=40).filter(lambda n: "\r" not in n and "\n" not in n))
def test_given_names_survive_gitlabs_cleaning(name: str) -> None:
    """Any file name round-trips through sop-sync's link to the cleaned upload."""
    stored = sanitize_filename(name)
    link = upload_markdown(name, {"url": f"/uploads/{SECRET}/{stored}", "markdown": "[x](y)"})
    [(found, url)] = upload_links(f"Lampiran: {link}")
    assert url == f"/uploads/{SECRET}/{stored}"
    assert found == (name if sanitize_filename(name) == stored else stored)
    assert found == name or "/" in name or "\\" in name or set(name) <= {"."}


def test_names_from_gitlabs_own_links_and_from_people() -> None:
    """GitLab's image link drops the extension: the stored name is used; so for free text."""
    image = f"![Rancangan_DFD](/uploads/{SECRET}/Rancangan_DFD.png)"
    assert upload_links(image) == [("Rancangan_DFD.png", f"/uploads/{SECRET}/Rancangan_DFD.png")]
    typed = f"lihat [laporan akhir](/uploads/{SECRET}/Laporan_UAT__final_.pdf)"
    assert upload_links(typed)[0][0] == "Laporan_UAT__final_.pdf"
    escaped = upload_markdown("a[1].pdf", {"url": f"/uploads/{SECRET}/a_1_.pdf", "markdown": ""})
    assert escaped == f"[a\\[1\\].pdf](/uploads/{SECRET}/a_1_.pdf)"
    assert upload_links(escaped)[0][0] == "a[1].pdf"
    embedded = upload_markdown("Alur kerja.png", {"url": "/uploads/x", "markdown": "![Alur_kerja]"})
    assert embedded.startswith("![Alur kerja.png]")
