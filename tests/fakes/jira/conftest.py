"""Fixtures for the Jira emulator's own tests: a running emulator per flavour."""

from tests.fakes.jira.support import flavour_fixtures, seeded

fake, cloud, dc = flavour_fixtures(seeded)
