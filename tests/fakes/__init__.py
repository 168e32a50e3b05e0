"""Tracker emulators: stateful HTTP servers on 127.0.0.1 for the real client libraries."""
