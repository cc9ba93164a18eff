"""`python -m visiondesk` behaves like the `visiondesk` command."""

import sys

from visiondesk.cli import main

sys.exit(main())
