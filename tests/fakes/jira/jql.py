"""A small JQL: the subset sop-sync sends, parsed strictly, other JQL refused as Jira does.

Grammar (Atlassian "Advanced searching" reference: fields, operators, keywords)::

    query   := [or] [ORDER BY field [ASC|DESC] {"," field [ASC|DESC]}]
    or      := and {OR and}          and := unary {AND unary}
    unary   := NOT unary | "(" or ")" | clause
    clause  := field ("=" | "!=" | "~") value | field [NOT] IN "(" value {"," value} ")"
             | field IS [NOT] (EMPTY | NULL)

Fields: project, key/issuekey/id, labels, parent, "Epic Link"/cf[10100], issuetype/type,
status, statusCategory, resolution, assignee/reporter (``currentUser()``), fixVersion,
summary/description/text (``~``). Errors answer 400 with Jira's texts: "Error in the JQL Query:
...", "Field 'x' does not exist or you do not have permission to view it.", "The value 'X' does
not exist for the field 'project'.", "An issue with key 'X' does not exist for field 'key'.".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from tests.fakes.jira.api import ApiError, Json, bad_request
from tests.fakes.jira.catalog import STATUSES
from tests.fakes.jira.jql_fields import resolve
from tests.fakes.jira.state import State

Predicate = Callable[[Json], bool]
TOKEN = re.compile(
    r"\s*(?:(?P<string>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')|(?P<op>!=|!~|<=|>=|[=~<>(),])"
    r"|(?P<word>[\w.\-\[\]]+(?:\(\))?))"
)
KEYWORDS = {"and", "or", "not", "in", "is", "empty", "null", "order", "by", "asc", "desc"}
SORTABLE = {
    "key": "key",
    "issuekey": "key",
    "id": "id",
    "created": "created",
    "updated": "updated",
    "rank": "id",
    "summary": "summary",
    "priority": "id",
    "status": "status",
}


@dataclass
class Token:
    """A word, quoted string or operator, with its 1-based character position."""

    kind: str
    text: str
    at: int

    @property
    def word(self) -> str:
        """Keywords compare in lower case."""
        return self.text.lower() if self.kind == "word" else ""


@dataclass
class Query:
    """A parsed query: the filter (None: everything) and the sort keys."""

    where: Predicate | None
    order: list[tuple[str, bool]] = field(default_factory=list)

    def run(self, state: State, user: Json | None = None) -> list[Json]:
        """The matching issues ``user`` may browse, sorted (no ORDER BY: newest first)."""
        if not state.allowed(user, "BROWSE_PROJECTS"):
            return []
        found = [i for i in state.issues.values() if self.where is None or self.where(i)]
        found.sort(key=lambda i: int(i["id"]), reverse=True)
        for name, descending in reversed(self.order):
            found.sort(key=partial(_sort_key, state, name=name), reverse=descending)
        return found


def _sort_key(state: State, issue: Json, *, name: str) -> Any:
    if name == "key":
        project, number = issue["key"].rsplit("-", 1)
        return (project, int(number))
    if name == "id":
        return int(issue["id"])
    if name == "status":
        return STATUSES[issue["status"]]["name"]
    return issue[name]


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``; an unknown character is a JQL error at its position."""
    tokens, at = [], 0
    while text[at:].strip():
        found = TOKEN.match(text, at)
        if found is None or found.end() == at:
            where = len(text) - len(text[at:].lstrip()) + 1
            raise jql_error(
                f"The character '{text[where - 1]}' is a reserved JQL character.", where
            )
        kind = found.lastgroup or "word"
        raw = found[kind]
        value = re.sub(r"\\(.)", r"\1", raw[1:-1]) if kind == "string" else raw
        tokens.append(Token(kind, value, found.start(kind) + 1))
        at = found.end()
    return tokens


def jql_error(message: str, at: int) -> ApiError:
    """Jira's parse error text."""
    return bad_request(f"Error in the JQL Query: {message} (line 1, character {at})")


class Parser:
    """Recursive descent over the tokens, resolving values against the state as it goes."""

    def __init__(self, text: str, state: State, user: Json | None) -> None:
        self.tokens, self.state, self.user, self.pos = tokenize(text), state, user, 0
        self.end = len(text) + 1

    def peek(self) -> Token | None:
        """The next token."""
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, *words: str) -> Token:
        """The next token, which must be one of ``words`` (keywords or operators) if given."""
        token = self.peek()
        if token is None or (words and token.word not in words and token.text not in words):
            shown = f"'{token.text}'" if token else "the end of the query"
            expected = " or ".join(f"'{w.upper()}'" for w in words) or "a value"
            raise jql_error(
                f"Expecting {expected} but got {shown}.", token.at if token else self.end
            )
        self.pos += 1
        return token

    def query(self) -> Query:
        """The whole query."""
        where = None
        token = self.peek()
        if token is not None and token.word != "order":
            where = self.disjunction()
        order = []
        if self.peek() is not None:
            self.take("order")
            self.take("by")
            while True:
                name = self.take().text.lower()
                if name not in SORTABLE:
                    raise bad_request(f"Not able to sort using field '{name}'.")
                direction = self.peek()
                descending = direction is not None and direction.word == "desc"
                if direction is not None and direction.word in ("asc", "desc"):
                    self.pos += 1
                order.append((SORTABLE[name], descending))
                if self.peek() is None:
                    break
                self.take(",")
        return Query(where, order)

    def disjunction(self) -> Predicate:
        """``and {OR and}``."""
        parts = [self.conjunction()]
        while (token := self.peek()) is not None and token.word == "or":
            self.pos += 1
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else lambda i: any(p(i) for p in parts)

    def conjunction(self) -> Predicate:
        """``unary {AND unary}``."""
        parts = [self.unary()]
        while (token := self.peek()) is not None and token.word == "and":
            self.pos += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else lambda i: all(p(i) for p in parts)

    def unary(self) -> Predicate:
        """``NOT unary | ( or ) | clause``."""
        if self.peek() is None:
            raise jql_error("Expecting a field name but got the end of the query.", self.end)
        token = self.take()
        if token.word == "not":
            inner = self.unary()
            return lambda i: not inner(i)
        if token.text == "(":
            inner = self.disjunction()
            self.take(")")
            return inner
        if token.kind == "op" or token.word in KEYWORDS:
            raise jql_error(f"Expecting a field name but got '{token.text}'.", token.at)
        return self.clause(token)

    def clause(self, name: Token) -> Predicate:
        """One ``field operator value`` clause."""
        op = self.take()
        if op.word == "is":
            negate = self.take("not", "empty", "null").word == "not"
            if negate:
                self.take("empty", "null")
            return resolve(self.state, name.text, "!=" if negate else "=", [None])
        if op.word == "not":
            self.take("in")
            return resolve(self.state, name.text, "not in", self.values())
        if op.word == "in":
            return resolve(self.state, name.text, "in", self.values())
        if op.text not in ("=", "!=", "~", "!~"):
            raise jql_error(f"Expecting operator but got '{op.text}'.", op.at)
        value = self.take()
        if value.kind == "op":
            raise jql_error(f"Expecting a value but got '{value.text}'.", value.at)
        return resolve(self.state, name.text, op.text, [self.literal(value)])

    def values(self) -> list[str | None]:
        """``( value {, value} )``."""
        self.take("(")
        found = [self.literal(self.take())]
        while self.take(",", ")").text == ",":
            found.append(self.literal(self.take()))
        return found

    def literal(self, token: Token) -> str | None:
        """A value: ``currentUser()`` is the caller, ``EMPTY``/``NULL`` are None."""
        if token.kind == "op":
            raise jql_error(f"Expecting a value but got '{token.text}'.", token.at)
        if token.kind == "word" and token.word in ("empty", "null"):
            return None
        if token.kind == "word" and token.word == "currentuser()":
            return self.user["id"] if self.user else None
        return token.text


def parse(text: str, state: State, user: Json | None) -> Query:
    """Parse ``text`` (400 with Jira's error body when it is not in the subset)."""
    return Parser(text, state, user).query()
