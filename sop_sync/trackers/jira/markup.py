"""Markdown (what sop-sync renders) into Jira wiki markup (what REST v2 takes).

The core writes every description and comment in Markdown (``templates/tracker/*.md.j2``,
the rules' comments); Jira's REST v2 takes wiki markup on both flavours (Cloud converts it to
its document format). The conversion walks markdown-it-py's syntax tree (CommonMark plus
GFM tables and strikethrough, the parser the rules already read comments with) instead of
rewriting with regular expressions, so escapes, code and tables come out right. No
maintained Markdown-to-wiki package fits: the ones on PyPI (md2jira, md-to-jira,
markdown2jira) are line-by-line regular expressions without tables or escaping.

Mapping (Atlassian "Text Formatting Notation Help"): headings ``h2.``; ``*strong*``,
``_em_``, ``-deleted-``, ``{{code}}``; links ``[text|url]``, bare URLs ``[url]``; lists ``*``
and ``#`` (nested by repetition); GFM task items ``☐``/``☑``; tables ``||head||`` and
``|cell|`` (a table with an empty header row keys its rows by their first cell); fenced code
``{code}`` (a language Jira's formatter does not know, such as ``mermaid``, becomes the
block's title: DC shows an error box for unknown languages); block quotes ``{quote}``; rules
``----``.

The other way (wiki text read back) is :func:`.wiki.to_markdown`.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_LANGUAGES = (
    "actionscript ada applescript bash c c# c++ cpp css erlang go groovy haskell html java "
    "javascript js json lua nyan objc perl php python r ruby scala sql swift visualbasic xml yaml"
)
CODE_LANGUAGES = frozenset(_LANGUAGES.split(" "))
"""Languages Jira's ``{code}`` macro formats (others: DC shows an error box)."""
_EFFECTS = set("*_-+^~?")
_ALWAYS = set("{}[]|!")
_URL = re.compile(r"https?://[^\s<>\[\]|{}]+")
_TRAILING = ".,;:!?)"
_LINE_START = re.compile(r"^(h[1-6]|bq)\.", re.MULTILINE)
TASK_OPEN, TASK_DONE = "☐", "☑"
BREAK = " \\\\ "
"""A forced line break inside a list item (wiki ``\\\\``)."""


def _boundary(char: str) -> bool:
    return not char or char.isspace() or not char.isalnum()


def escape(text: str) -> str:
    """Plain text that wiki markup shows as written (URLs become links)."""
    out: list[str] = []
    at = 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(_TRAILING)
        out.append(_escape_plain(text[at : match.start()]))
        out.append(f"[{url}]")
        at = match.start() + len(url)
    out.append(_escape_plain(text[at:]))
    return "".join(out)


def _escape_plain(text: str) -> str:
    chars: list[str] = []
    for i, char in enumerate(text):
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        opens = _boundary(before) and after and not after.isspace()
        closes = before and not before.isspace() and _boundary(after)
        if char in _ALWAYS or (char in _EFFECTS and (opens or closes)) or (char == "#" and not i):
            chars.append("\\" + char)
        else:
            chars.append(char)
    return "".join(chars)


def _code_text(text: str) -> str:
    return "".join("\\" + c if c in _ALWAYS or c in _EFFECTS else c for c in text)


def _inline(node: SyntaxTreeNode) -> str:
    parts: list[str] = []
    for child in node.children:
        kind = child.type
        if kind == "text":
            parts.append(escape(child.content))
        elif kind == "code_inline":
            parts.append("{{" + _code_text(child.content) + "}}")
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "strong":
            parts.append(f"*{_inline(child)}*")
        elif kind == "em":
            parts.append(f"_{_inline(child)}_")
        elif kind == "s":
            parts.append(f"-{_inline(child)}-")
        elif kind == "link":
            url = str(child.attrs.get("href", ""))
            text = _inline(child)
            parts.append(f"[{url}]" if text in (url, escape(url)) else f"[{text}|{url}]")
        elif kind == "image":
            parts.append(f"!{child.attrs.get('src', '')}!")
        else:  # html_inline and anything unknown: shown as text
            parts.append(escape(child.content))
    return "".join(parts)


def _task(text: str) -> str:
    for mark, symbol in (("[ ] ", TASK_OPEN), ("[x] ", TASK_DONE), ("[X] ", TASK_DONE)):
        if text.startswith("\\" + mark[0] + mark[1] + "\\" + mark[2:]):
            return f"{symbol} {text[len(mark) + 2 :]}"
    return text


def _list(node: SyntaxTreeNode, prefix: str) -> list[str]:
    marker = prefix + ("#" if node.type == "ordered_list" else "*")
    lines: list[str] = []
    for item in node.children:
        head: list[str] = []
        nested: list[str] = []
        for block in item.children:
            if block.type in ("bullet_list", "ordered_list"):
                nested += _list(block, marker)
            elif block.type == "paragraph" and block.children:
                head.append(_inline(block.children[0]).replace("\n", " "))
            else:
                head.append(_block(block).replace("\n", " "))
        lines.append(f"{marker} {_task(BREAK.join(head))}".rstrip())
        lines += nested
    return lines


def _table(node: SyntaxTreeNode) -> list[str]:
    """Rows of wiki cells (``||`` header cells).

    A table whose header row is empty is a key/value table: its first column becomes the
    header cells instead.
    """
    rows: list[str] = []
    keyed = False
    for section in node.children:
        for row in section.children:
            cells = [_inline(cell.children[0]) if cell.children else "" for cell in row.children]
            cells = [cell.replace("\n", " ").strip() or " " for cell in cells]
            if section.type == "thead":
                keyed = not any(c.strip() for c in cells)
                if not keyed:
                    rows.append("||" + "||".join(cells) + "||")
            elif keyed:
                rows.append("||" + cells[0] + "|" + "|".join(cells[1:]) + "|")
            else:
                rows.append("|" + "|".join(cells) + "|")
    return rows


def _code(content: str, info: str) -> str:
    language = info.strip().split()[0].lower() if info.strip() else ""
    body = content if content.endswith("\n") else content + "\n"
    if "{code}" in body:
        return "{noformat}\n" + body.replace("{noformat}", "\\{noformat}") + "{noformat}"
    if language in CODE_LANGUAGES:
        return f"{{code:{language}}}\n{body}{{code}}"
    if language:
        title = re.sub(r"[^\w .+-]", "", language)
        return f"{{code:title={title}}}\n{body}{{code}}"
    return "{code}\n" + body + "{code}"


def _block(node: SyntaxTreeNode) -> str:
    kind = node.type
    if kind == "paragraph":
        text = _inline(node.children[0]) if node.children else ""
        return _LINE_START.sub(r"\1\\.", text)
    if kind == "heading":
        level = int(node.tag[1])
        return f"h{level}. " + (_inline(node.children[0]) if node.children else "")
    if kind in ("bullet_list", "ordered_list"):
        return "\n".join(_list(node, ""))
    if kind == "table":
        return "\n".join(_table(node))
    if kind in ("fence", "code_block"):
        return _code(node.content, node.info)
    if kind == "blockquote":
        return "{quote}\n" + _blocks(node) + "\n{quote}"
    if kind == "hr":
        return "----"
    return escape(node.content.strip())  # html_block and anything unknown: shown as text


def _blocks(node: SyntaxTreeNode) -> str:
    return "\n\n".join(text for child in node.children if (text := _block(child)))


def to_wiki(markdown: str) -> str:
    """Jira wiki markup that shows what ``markdown`` shows."""
    return _blocks(SyntaxTreeNode(_PARSER.parse(markdown)))
