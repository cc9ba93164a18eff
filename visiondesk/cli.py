"""The `visiondesk` command: the window by default; `prepare`, `send`, `batch`, `doctor`,
`emulator` and `backup` as commands.

No Qt is imported here; the window module is loaded only when the window is wanted, so the
subcommands start fast and run on machines without a display.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

SUBCOMMANDS = ("prepare", "send", "batch", "doctor", "emulator", "backup")
EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0] not in SUBCOMMANDS and not args[0].startswith("-")):
        return gui_main(args)
    if args == ["--self-test"]:
        return gui_main(args)
    parser = _parser()
    options = parser.parse_args(args)
    if options.command is None:  # e.g. `visiondesk --some-flag` with no subcommand
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    code: int = options.run(options)
    return code


def gui_main(argv: Sequence[str] | None = None) -> int:
    """Open the window with any image paths given; the double-click entry point."""
    from visiondesk.ui.app import run_app  # Qt is loaded only for the window

    # run_app secures the folders and removes stale history temporaries once the window shows.
    return run_app(list(sys.argv[1:] if argv is None else argv))


def _parser() -> argparse.ArgumentParser:
    # Loaded here, not at the top: a double-click goes straight to the window, and these
    # (importlib.metadata for the version, asyncio, dataclasses) cost it ~190 ms in the bundle.
    import argparse

    from visiondesk import __version__
    from visiondesk.commands import backup, batch, doctor, emulator, prepare, send

    parser = argparse.ArgumentParser(
        prog="visiondesk",
        description="Ask vision models about images. With no command (or only image paths), "
        "opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"visiondesk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in (prepare, send, batch, doctor, emulator, backup):
        command.add_parser(commands)
    return parser
