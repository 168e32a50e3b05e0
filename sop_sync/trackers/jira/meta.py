"""What a Jira site and project are like: flavour, issue types, epic fields, statuses.

Nothing here is hard-coded by id (ids differ per site, reference/jira.md):

- the flavour from ``serverInfo.deploymentType`` ("Cloud", else Data Center/Server; the same
  test as jira/client.py ``JIRA._is_cloud``), unless the settings say;
- the request's type from the project's issue types: hierarchy level 1 on Cloud (Cloud
  OpenAPI ``IssueTypeDetails.hierarchyLevel``: epic 1, standard 0, sub-task -1), the type
  named Epic on DC (no levels there);
- Epic Name and Epic Link by ``schema.custom`` (``com.pyxis.greenhopper.jira:gh-epic-label``
  and ``…:gh-epic-link``): on DC from ``GET /field`` (Epic Name is a locked field, always
  required on epics); on Cloud from the epic type's create metadata
  (``GET /issue/createmeta/{project}/issuetypes/{id}``, which the library refuses to call on
  Cloud), where Epic Name is set only if that screen has it; Cloud steps join through
  ``parent`` (Atlassian deprecated Epic Link there);
- status categories from ``GET /status`` (``statusCategory.key``: new, indeterminate, done),
  to read closes and reopens in the changelog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sop_sync.errors import TrackerError

EPIC_NAME = "com.pyxis.greenhopper.jira:gh-epic-label"
EPIC_LINK = "com.pyxis.greenhopper.jira:gh-epic-link"
STEP_TYPES = ("task", "story")


@dataclass(frozen=True)
class EpicFields:
    """Custom field ids: Epic Name (None where the epic screen has none) and Epic Link (DC)."""

    name: str | None = None
    link: str | None = None


@dataclass(frozen=True)
class Project:
    """The project as sop-sync needs it."""

    id: str
    key: str
    types: tuple[dict[str, Any], ...]
    cloud: bool

    @classmethod
    def of(cls, raw: dict[str, Any], cloud: bool) -> Project:
        """From ``GET /project/{key}`` (with its ``issueTypes``)."""
        return cls(str(raw["id"]), str(raw["key"]), tuple(raw.get("issueTypes") or ()), cloud)

    def epic_type(self, name: str | None = None) -> dict[str, Any] | None:
        """The request's issue type (None when the project has none)."""
        for kind in self.types:
            if name is not None:
                if str(kind.get("name", "")).casefold() == name.casefold():
                    return kind
            elif self._is_epic(kind):
                return kind
        return None

    def _is_epic(self, kind: dict[str, Any]) -> bool:
        if self.cloud:
            return kind.get("hierarchyLevel") == 1
        return str(kind.get("name", "")).casefold() == "epic"

    def step_type(self, name: str | None = None) -> dict[str, Any] | None:
        """The steps' issue type: the one named, else Task, else Story, else any standard."""
        epic = self.epic_type()
        standard = [
            k
            for k in self.types
            if not k.get("subtask") and k is not epic and k.get("hierarchyLevel", 0) == 0
        ]
        wanted = [name] if name else list(STEP_TYPES)
        for each in wanted:
            found = next(
                (k for k in standard if str(k["name"]).casefold() == each.casefold()), None
            )
            if found is not None:
                return found
        return None if name else next(iter(standard), None)

    def require_epic_type(self, name: str | None = None) -> dict[str, Any]:
        """The request's type, or a clear error saying what an admin must do."""
        found = self.epic_type(name)
        if found is None:
            what = f"issue type {name!r}" if name else "Epic issue type"
            level = " (hierarchy level 1)" if self.cloud and not name else ""
            raise TrackerError(
                f"Jira: project {self.key} has no {what}{level}: an admin must add it to the "
                "project's issue type scheme (or set tracker.epic_type)"
            )
        return found

    def require_step_type(self, name: str | None = None) -> dict[str, Any]:
        """The steps' type, or a clear error."""
        found = self.step_type(name)
        if found is None:
            what = f"issue type {name!r}" if name else "standard issue type (Task or Story)"
            raise TrackerError(
                f"Jira: project {self.key} has no {what}: an admin must add one "
                "(or set tracker.step_type)"
            )
        return found


def epic_fields_of_site(fields: list[dict[str, Any]]) -> EpicFields:
    """DC: the Epic Name and Epic Link field ids from ``GET /field``."""
    by_type = {str((f.get("schema") or {}).get("custom", "")): str(f["id"]) for f in fields}
    return EpicFields(name=by_type.get(EPIC_NAME), link=by_type.get(EPIC_LINK))


def epic_name_on_screen(createmeta: dict[str, Any]) -> EpicFields:
    """Cloud: the Epic Name field when the epic's create screen has it (pages of ``fields``)."""
    rows = createmeta.get("fields") or createmeta.get("values") or []
    for row in rows:
        if (row.get("schema") or {}).get("custom") == EPIC_NAME:
            return EpicFields(name=str(row.get("fieldId") or row.get("key")))
    return EpicFields()


def categories(statuses: list[dict[str, Any]]) -> dict[str, str]:
    """Status id -> category key, from ``GET /status``."""
    return {str(s["id"]): str((s.get("statusCategory") or {}).get("key", "")) for s in statuses}


def category_of(status: dict[str, Any] | None) -> str:
    """An issue's status category (``new`` when Jira gave none, e.g. a new issue)."""
    return str(((status or {}).get("statusCategory") or {}).get("key") or "new")
