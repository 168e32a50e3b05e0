"""Tracker adapters: every tracker speaks the small protocol in :mod:`sop_sync.trackers.base`."""
