"""`visiondesk backup FOLDER`: a consistent copy of the history, safe while the window runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from visiondesk.commands import COMMANDS
from visiondesk.config.paths import data_dir
from visiondesk.errors import VisionDeskError

EXIT_OK, EXIT_FAILED = 0, 1


def add_parser(commands: Any) -> None:
    backup = commands.add_parser(
        "backup",
        help=COMMANDS["backup"].summary,
        description="Write a consistent copy of the history into FOLDER: history.sqlite3 "
        "(sqlite's backup API) and the images it refers to, readable only by you. Backing up "
        "into the same folder again adds only new images. Exit 0 on success, 1 on failure.",
    )
    backup.add_argument("target", type=Path, metavar="FOLDER", help="where the copy goes")
    backup.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    from visiondesk.store import backup

    try:
        report = backup(data_dir(), options.target)
    except VisionDeskError as error:
        print(f"visiondesk backup: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Backed up {report.database} with {report.images} image file(s).")
    for path in report.missing:
        print(f"  missing before the backup (not copied): {path}", file=sys.stderr)
    return EXIT_OK
