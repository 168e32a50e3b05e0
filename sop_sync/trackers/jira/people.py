"""People: sop-sync's usernames (in ``--peran`` and the settings) and Jira's users.

Data Center names people by ``name``, which is the username: nothing to look up.

Jira Cloud names people only by ``accountId`` (Atlassian's GDPR change: no usernames in the
REST API). The assumption: **a sop-sync username is the local part of the person's Atlassian
e-mail address** (``sari`` for ``sari@diskominfo.go.id``), or their display name. A username
is found once per run with ``GET /user/search?query=<username>`` (Cloud OpenAPI findUsers,
matching display names and e-mail prefixes) and kept; an account id read back (authors,
assignees) becomes the username it was found as, else the local part of the e-mail Jira
shows, else the account id itself. Sites that hide e-mail addresses list people in the
settings instead: ``tracker.accounts: {sari: 5f0a…}``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sop_sync.errors import TrackerError

Lookup = Callable[[str], list[dict[str, Any]]]
"""``GET /user/search`` for a query (the session's guarded call)."""


class People:
    """Usernames and Jira users, both ways, cached for the run."""

    def __init__(self, cloud: bool, lookup: Lookup, accounts: dict[str, str] | None = None):
        self.cloud = cloud
        self.lookup = lookup
        self.lock = threading.Lock()
        self.accounts: dict[str, str] = dict(accounts or {})
        self.names: dict[str, str] = {v: k for k, v in self.accounts.items()}

    def reference(self, username: str) -> dict[str, str]:
        """How Jira names ``username`` in a user field: ``accountId`` (Cloud) or ``name``."""
        if not self.cloud:
            return {"name": username}
        return {"accountId": self.account(username)}

    def account(self, username: str) -> str:
        """The account id of ``username`` (Cloud), looked up once per run."""
        with self.lock:
            if username in self.accounts:
                return self.accounts[username]
        found = self._find(username)
        if found is None:
            raise TrackerError(
                f"Jira: no Jira user for {username!r} (used in --peran or people): sop-sync "
                "matches the e-mail's local part or the display name; list the account id "
                "in tracker.accounts"
            )
        with self.lock:
            self.accounts[username] = found
            self.names[found] = username
        return found

    def _find(self, username: str) -> str | None:
        wanted = username.casefold()
        for user in self.lookup(username):
            email = str(user.get("emailAddress") or "")
            local = email.partition("@")[0].casefold() if email else ""
            if wanted in (local, str(user.get("displayName", "")).casefold()):
                return str(user["accountId"])
        return None

    def warm(self, usernames: Iterable[str]) -> None:
        """Look up several usernames at once (Cloud); unknown ones fail later, when used."""
        if not self.cloud:
            return
        with self.lock:
            missing = sorted({n for n in usernames if n not in self.accounts})
        if not missing:
            return

        def quiet(name: str) -> None:
            with contextlib.suppress(TrackerError):  # unknown ones fail when used
                self.account(name)

        with ThreadPoolExecutor(min(len(missing), 8)) as pool:
            list(pool.map(quiet, missing))

    def name_of(self, user: dict[str, Any] | None) -> str:
        """The username behind a user object Jira returned ("" for nobody)."""
        if not user:
            return ""
        if not self.cloud:
            return str(user.get("name") or user.get("key") or "")
        account = str(user.get("accountId") or "")
        with self.lock:
            if account in self.names:
                return self.names[account]
        email = str(user.get("emailAddress") or "")
        return email.partition("@")[0] if email else account
