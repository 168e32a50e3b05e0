"""Fixtures for the Jira adapter's own tests: a seeded emulator per flavour."""

from tests.fakes.jira.support import flavour_fixtures
from tests.trackers.jira.backends import seeded

fake, cloud, dc = flavour_fixtures(seeded)
