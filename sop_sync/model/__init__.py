"""Plain values shared by the core and the adapters: requests, tracker values, changes, labels.

Nothing here does I/O or knows a tracker; every other package may import from here.
"""
