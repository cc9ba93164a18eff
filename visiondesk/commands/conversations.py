"""`visiondesk conversations` and `visiondesk export ID`: the saved history read from the
command line (safe beside a running window: the history is opened read-only), so an export
can be scripted and checked like any other file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from visiondesk.commands import COMMANDS
from visiondesk.errors import VisionDeskError
from visiondesk.escaping import for_terminal

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_parser(commands: Any) -> None:
    """Both commands: `conversations` and `export`."""
    listing = commands.add_parser(
        "conversations",
        help=COMMANDS["conversations"].summary,
        description="One line per saved conversation, newest first: id, turns, mode, model, "
        "title. Exit 0, or 1 when the history cannot be read.",
    )
    listing.add_argument("--search", default="", help="only those whose text contains this")
    listing.set_defaults(run=list_conversations)
    export = commands.add_parser(
        "export",
        help=COMMANDS["export"].summary,
        description="Write the same export the window writes (File → Export): one "
        "self-contained HTML file, or a Markdown file with its images in an images/ folder "
        "beside it. Exit 0, 1 when it cannot be written, 2 for an unknown id.",
    )
    export.add_argument("conversation", type=int, metavar="ID", help="from `conversations`")
    export.add_argument("--format", choices=("html", "md"), default="html")
    export.add_argument("--out", type=Path, required=True, metavar="FILE")
    export.set_defaults(run=export_conversation)


def _history() -> Any:
    from visiondesk.config.paths import data_dir
    from visiondesk.store import History

    return History(data_dir(), read_only=True)


def list_conversations(options: argparse.Namespace) -> int:
    try:
        history = _history()
    except VisionDeskError as error:
        print(f"visiondesk conversations: {error}", file=sys.stderr)
        return EXIT_FAILED
    try:
        for conversation in history.conversations(options.search):
            turns = sum(1 for m in history.messages(conversation.id) if m.role == "user")
            line = (
                f"{conversation.id}\t{turns} turn(s)\t{conversation.mode}\t"
                f"{conversation.model}\t{' '.join(conversation.title.split())}"
            )
            print(for_terminal(line))
    except VisionDeskError as error:
        print(f"visiondesk conversations: {error}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        history.close()
    return EXIT_OK


def export_conversation(options: argparse.Namespace) -> int:
    from visiondesk.store.export import to_html, to_markdown

    try:
        history = _history()
    except VisionDeskError as error:
        print(f"visiondesk export: {error}", file=sys.stderr)
        return EXIT_FAILED
    target: Path = options.out
    try:
        if history.conversation(options.conversation) is None:
            print(f"visiondesk export: no conversation {options.conversation}", file=sys.stderr)
            return EXIT_USAGE
        if options.format == "md":
            written = to_markdown(history, options.conversation, target.parent, target.name)
        else:
            written = to_html(history, options.conversation, target)
    except (VisionDeskError, OSError) as error:
        print(f"visiondesk export: could not write {target}: {error}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        history.close()
    print(f"exported to {written}", file=sys.stderr)
    return EXIT_OK
