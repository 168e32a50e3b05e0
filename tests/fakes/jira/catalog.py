"""What a fresh Jira site holds before anyone works in it: types, statuses, workflows, links.

Ids and names as a default site shows them (Cloud: GET /rest/api/3/issuetype,
/statuscategory, /issueLinkType; DC the same under /rest/api/2); clients must not depend on
the ids, which differ per site, and match custom fields by ``schema.custom``.
"""

from __future__ import annotations

from tests.fakes.jira.api import Json

# Epic custom fields as a DC site has them (ids differ per site: clients match schema.custom)
EPIC_LINK = "customfield_10100"
EPIC_NAME = "customfield_10101"
EPIC_LINK_TYPE = "com.pyxis.greenhopper.jira:gh-epic-link"
EPIC_NAME_TYPE = "com.pyxis.greenhopper.jira:gh-epic-label"

# GET /rest/api/2/statuscategory on any site: ids and keys are fixed by Jira
CATEGORIES: dict[str, Json] = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {
        "id": 4,
        "key": "indeterminate",
        "colorName": "yellow",
        "name": "In Progress",
    },
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
STATUSES: dict[str, Json] = {
    "10000": {"id": "10000", "name": "To Do", "category": "new"},
    "10001": {"id": "10001", "name": "In Progress", "category": "indeterminate"},
    "10002": {"id": "10002", "name": "Done", "category": "done"},
}
RESOLUTIONS = {"Done": "10000", "Won't Do": "10001", "Duplicate": "10002"}

# Jira Software's "simplified workflow": global transitions named after their target status
SIMPLIFIED: list[Json] = [
    {"id": "11", "name": "To Do", "from": None, "to": "10000"},
    {"id": "21", "name": "In Progress", "from": None, "to": "10001"},
    {"id": "31", "name": "Done", "from": None, "to": "10002"},
]
# A classic directed workflow: To Do -> In Progress -> Done, and back
STEPWISE: list[Json] = [
    {"id": "11", "name": "Start Progress", "from": ["10000"], "to": "10001"},
    {"id": "21", "name": "Done", "from": ["10001"], "to": "10002"},
    {"id": "31", "name": "Stop Progress", "from": ["10001"], "to": "10000"},
    {"id": "41", "name": "Reopen", "from": ["10002"], "to": "10000"},
]
WORKFLOWS = {"simplified": SIMPLIFIED, "stepwise": STEPWISE}


def _types(*rows: tuple[str, str, int]) -> dict[str, Json]:
    return {
        type_id: {"id": type_id, "name": name, "level": level, "subtask": level < 0}
        for type_id, name, level in rows
    }


# Cloud: hierarchy levels as GET /rest/api/3/issuetype reports them; DC: a default site's ids
ISSUE_TYPES: dict[str, dict[str, Json]] = {
    "cloud": _types(
        ("10000", "Epic", 1),
        ("10001", "Story", 0),
        ("10002", "Task", 0),
        ("10003", "Bug", 0),
        ("10004", "Subtask", -1),
    ),
    "dc": _types(
        ("10000", "Epic", 1),
        ("10001", "Story", 0),
        ("3", "Task", 0),
        ("1", "Bug", 0),
        ("5", "Sub-task", -1),
    ),
}
# GET /rest/api/2/issueLinkType on a fresh site
LINK_TYPES: list[Json] = [
    {"id": "10000", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
    {"id": "10001", "name": "Cloners", "inward": "is cloned by", "outward": "clones"},
    {"id": "10002", "name": "Duplicate", "inward": "is duplicated by", "outward": "duplicates"},
    {"id": "10003", "name": "Relates", "inward": "relates to", "outward": "relates to"},
]

PERMISSIONS = (
    "BROWSE_PROJECTS",
    "CREATE_ISSUES",
    "EDIT_ISSUES",
    "TRANSITION_ISSUES",
    "ADD_COMMENTS",
    "LINK_ISSUES",
    "CREATE_ATTACHMENTS",
    "ADMINISTER_PROJECTS",
    "ADMINISTER",
)
