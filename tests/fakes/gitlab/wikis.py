"""GitLab emulator: project wiki pages (routes: server.py), as doc/api/wikis.md describes them.

A page answers ``{content, format, slug, title, encoding}``. The slug is the title with spaces
turned into ``-`` (doc/api/wikis.md "Create a wiki page": "Page with Complex Content" ->
``Page-with-Complex-Content``); a title with ``/`` makes a page in a folder, addressed with the
slash URL-encoded (``dir%2Fpage_name``). Updating the title moves the page to the new slug.
The list leaves out ``content`` unless ``with_content`` is set. Pages are kept per project
beside the emulator's other data.
"""

from __future__ import annotations

from tests.fakes.gitlab.api import Answer, ApiError, Call, not_found, project_of
from tests.fakes.gitlab.state import Json, State

FORMATS = ("markdown", "rdoc", "asciidoc", "org")
DUPLICATE = "Duplicate page: A page with that title already exists"


def slug_of(title: str) -> str:
    """The page slug GitLab derives from a title (spaces become ``-``)."""
    return title.strip().replace(" ", "-")


def pages(state: State, project: Json) -> dict[str, Json]:
    """The wiki pages of ``project`` by slug (kept on the state, created on first use)."""
    store: dict[int, dict[str, Json]] = state.__dict__.setdefault("wiki_pages", {})
    return store.setdefault(int(project["id"]), {})


def _json(page: Json, content: bool = True) -> Json:
    shown = {k: page[k] for k in ("format", "slug", "title", "encoding")}
    return {"content": page["content"], **shown} if content else shown


def _page(call: Call) -> tuple[dict[str, Json], Json]:
    found = pages(call.state, project_of(call))
    page = found.get(call.path("slug"))
    if page is None:
        raise not_found("Wiki Page")  # lib/api/wikis.rb: not_found!('Wiki Page')
    return found, page


def list_pages(call: Call) -> Answer:
    """doc/api/wikis.md "List all wiki pages" (``with_content`` adds the content)."""
    found = pages(call.state, project_of(call))
    with_content = bool(call.flag("with_content"))
    return 200, [_json(page, with_content) for _, page in sorted(found.items())]


def get_page(call: Call) -> Answer:
    """doc/api/wikis.md "Retrieve a wiki page"."""
    _, page = _page(call)
    return 200, _json(page)


def create_page(call: Call) -> Answer:
    """doc/api/wikis.md "Create a wiki page": ``title`` and ``content`` required."""
    found = pages(call.state, project_of(call))
    call.require("title", "content")
    title = str(call.text("title"))
    slug = slug_of(title)
    if not slug:
        raise ApiError(400, {"message": "Title can't be blank"})
    if slug in found:
        raise ApiError(400, {"message": DUPLICATE})
    page_format = call.choice("format", FORMATS, "markdown")
    found[slug] = {
        "title": title,
        "slug": slug,
        "content": str(call.text("content")),
        "format": page_format,
        "encoding": "UTF-8",
    }
    return 201, _json(found[slug])


def update_page(call: Call) -> Answer:
    """doc/api/wikis.md "Update a wiki page": ``content`` or ``title`` (or both)."""
    found, page = _page(call)
    call.at_least_one("content", "title")
    if call.has("content"):
        page["content"] = str(call.text("content", ""))
    if call.has("format"):
        page["format"] = call.choice("format", FORMATS, page["format"])
    if call.has("title"):
        title = str(call.text("title", ""))
        slug = slug_of(title)
        if slug != page["slug"] and slug in found:
            raise ApiError(400, {"message": DUPLICATE})
        del found[page["slug"]]
        page["title"], page["slug"] = title, slug
        found[slug] = page
    return 200, _json(page)


def delete_page(call: Call) -> Answer:
    """doc/api/wikis.md "Delete a wiki page": 204 No Content."""
    found, page = _page(call)
    del found[page["slug"]]
    return 204, None
