"""The bundle's entry point: the same `visiondesk` command (window by default)."""

import sys

from visiondesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
