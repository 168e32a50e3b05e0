"""``python -m sop_sync``: the same as the ``sop-sync`` command."""

from sop_sync.cli import main

main()
