"""Jira emulator handlers for the site: server info, people, fields, catalogues.

Each cites its Cloud platform OpenAPI operation; DC serves the same under /rest/api/2.
Admin webhooks (``/rest/webhooks/1.0/webhook``) are in :mod:`webhooks`.
"""

from __future__ import annotations

from tests.fakes.jira import render as r
from tests.fakes.jira import view
from tests.fakes.jira.api import Answer, Call, Json, bad_request, error, offset_page, require
from tests.fakes.jira.catalog import CATEGORIES, ISSUE_TYPES, PERMISSIONS, RESOLUTIONS, STATUSES

# DC: a 9.12 LTS reports deploymentType "Server" like every self-managed Jira (GitLab's
# Jira integration, gitlab-org/gitlab#229223, shows 8.5.5 doing so); the jira library
# treats anything but "Cloud" as self-managed (jira/client.py ``JIRA._is_cloud``).
DC_VERSION = [9, 12, 15]


def server_info(call: Call) -> Answer:
    """``GET /rest/api/3/serverInfo`` (getServerInfo); may be called anonymously."""
    state = call.state
    common = {
        "baseUrl": state.base_url,
        "buildDate": "2024-11-20T00:00:00.000+0000",
        "serverTime": state.now(),
        "scmInfo": "0" * 40,
        "serverTitle": "Jira",
    }
    if state.cloud:
        return 200, common | {
            "version": "1001.0.0-SNAPSHOT",
            "versionNumbers": [1001, 0, 0],
            "deploymentType": "Cloud",
            "buildNumber": 100282,
            "defaultLocale": {"locale": "en_US"},
        }
    number = DC_VERSION[0] * 1000000 + DC_VERSION[1] * 1000 + DC_VERSION[2]
    return 200, common | {
        "version": ".".join(map(str, DC_VERSION)),
        "versionNumbers": DC_VERSION,
        "deploymentType": "Server",
        "buildNumber": number,
        "databaseBuildNumber": number,
    }


def myself(call: Call) -> Answer:
    """``GET /rest/api/3/myself`` (getCurrentUser)."""
    return 200, r.user_json(call.state, call.actor, call.rest)


def list_fields(call: Call) -> Answer:
    """``GET /rest/api/3/field`` (getFields): system and custom fields with ``schema``."""
    return 200, view.field_list(call.state)


def list_issue_types(call: Call) -> Answer:
    """``GET /rest/api/3/issuetype`` (getIssueAllTypes)."""
    return 200, [r.type_json(call.state, t, call.rest) for t in ISSUE_TYPES[call.state.flavour]]


def list_resolutions(call: Call) -> Answer:
    """``GET /rest/api/3/resolution`` (getResolutions)."""
    return 200, [r.resolution_json(call.state, name, call.rest) for name in RESOLUTIONS]


def list_statuses(call: Call) -> Answer:
    """``GET /rest/api/3/status`` (getStatuses): every status with its ``statusCategory``."""
    return 200, [r.status_json(call.state, sid, call.rest) for sid in STATUSES]


def list_status_categories(call: Call) -> Answer:
    """``GET /rest/api/3/statuscategory`` (getStatusCategories)."""
    base = r.api(call.state, call.rest)
    return 200, [{"self": f"{base}/statuscategory/{c['id']}", **c} for c in CATEGORIES.values()]


def my_permissions(call: Call) -> Answer:
    """``GET /rest/api/3/mypermissions`` (getMyPermissions): ``havePermission`` per key.

    Cloud requires ``permissions`` (comma-separated keys); DC lists every permission without
    it. ``projectKey`` narrows to one project (here: the same answer, see ``FakeJira.deny``).
    """
    wanted = call.params("permissions") or list(PERMISSIONS)
    if call.state.cloud and not call.params("permissions"):
        raise bad_request("The 'permissions' query parameter is required.")
    key = call.param("projectKey")
    if key is not None and call.state.project(key) is None:
        raise error(404, f"No project could be found with key '{key}'.")
    shown = {
        name: {
            "id": str(n),
            "key": name,
            "name": name.replace("_", " ").title(),
            "type": "PROJECT",
            "havePermission": call.state.allowed(call.user, name),
        }
        for n, name in enumerate(wanted)
    }
    return 200, {"permissions": shown}


# --- people ---------------------------------------------------------------------------------


def _matches(user: Json, text: str) -> bool:
    lowered = text.lower()
    words = [user["displayName"].lower(), *user["displayName"].lower().split()]
    return any(w.startswith(lowered) for w in words) or user["email"].lower().startswith(lowered)


def search_users(call: Call) -> Answer:
    """``GET /rest/api/3/user/search`` (findUsers): a list, no page wrapper.

    Cloud matches ``query`` against display name and email prefixes, ``accountId`` exactly;
    DC matches ``username`` against user name, display name and email.
    """
    state = call.state
    if state.cloud:
        account, text = call.param("accountId"), call.param("query")
        if not account and not text:
            raise bad_request("The query parameter 'query' or 'accountId' is required.")
        found = [
            u
            for u in state.users.values()
            if (account and u["accountId"] == account) or (text and _matches(u, text))
        ]
    else:
        text = call.param("username") or ""
        if not text:
            raise bad_request("The username query parameter was not provided")
        found = [
            u
            for u in state.users.values()
            if u["name"].lower().startswith(text.lower()) or _matches(u, text)
        ]
    page = offset_page(found, call, cap=1000)
    return 200, [r.user_json(state, u, call.rest) for u in page["values"]]


def get_user(call: Call) -> Answer:
    """``GET /rest/api/3/user`` (getUser): Cloud by ``accountId``, DC by ``username``/``key``."""
    ref = call.param("accountId") or call.param("username") or call.param("key")
    user = call.state.user(ref) if ref else None
    if user is None:
        raise error(404, f"The user with the key '{ref}' does not exist.")
    return 200, r.user_json(call.state, user, call.rest)


def list_application_links(call: Call) -> Answer:
    """``GET /rest/applinks/latest/listApplicationlinks`` (Application Links plugin; admins).

    The jira library's ``add_remote_link`` lists these first and reads ``{"list": [...]}``
    (jira/client.py ``applicationlinks``); this site has none.
    """
    require(call, "ADMINISTER", "You are not authorized to perform this action.")
    return 200, {"list": []}
