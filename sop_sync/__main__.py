"""``python -m sop_sync``: the same as the ``sop-sync`` command."""

import os
import sys

try:
    from sop_sync.cli import main
except KeyboardInterrupt:  # before sop-sync could take over Ctrl-C
    sys.stderr.write("interrupted\n")
    sys.stderr.flush()
    os._exit(130)

main()
