"""The embedded local tracker: one SQLite file. Import :mod:`.facade` for the tracker."""
