"""The `visiondesk` command: the window by default; `prepare`, `send`, `batch`, `doctor`,
`emulator`, `backup`, `capture`, `conversations` and `export` as commands; a first word that
is none of them, no file and no URL is a typo (exit 2), never an image for the window.

No Qt is imported here; the window module is loaded only when the window is wanted, so the
subcommands start fast and run on machines without a display.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from visiondesk.commands import COMMANDS

if TYPE_CHECKING:
    import argparse

EXIT_USAGE = 2
EXIT_NO_DISPLAY = 1
EXIT_BROKEN_PIPE = 1


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0] not in COMMANDS and not args[0].startswith("-")):
        if args and not openable(args[0]):
            print(f"visiondesk: {not_a_command(args[0])}", file=sys.stderr)
            return EXIT_USAGE
        return gui_main(args)
    if args == ["--self-test"] or args[:1] == ["--capture"]:
        return gui_main(args)
    command = next((arg for arg in args if not arg.startswith("-")), None)
    parser = _parser(command if command in COMMANDS else None)
    options = parser.parse_args(args)
    if options.command is None:  # e.g. `visiondesk --some-flag` with no subcommand
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code: int = options.run(options)
    except BrokenPipeError:  # `visiondesk prices | head`: the reader has gone, quietly
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit must not fail too
        return EXIT_BROKEN_PIPE
    return code


def openable(word: str) -> bool:
    """Whether the window could open `word`: a path that exists (even a broken link: the
    window says why) or a URL. Anything else is a typo of a command (`visiondesk captur`)."""
    import os

    return os.path.lexists(word) or "://" in word or word.startswith(("file:", "data:"))


def not_a_command(word: str) -> str:
    """One line naming the commands, the closest first when one is close."""
    import difflib

    close = difflib.get_close_matches(word, COMMANDS, n=1)
    guess = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{word!r} is not a command or a file{guess} — commands: {', '.join(COMMANDS)}"


def gui_main(argv: Sequence[str] | None = None) -> int:
    """Open the window with any image paths given; the double-click entry point."""
    problem = display_problem()
    if problem:  # Qt would abort (core dump, exit 134) instead
        print(f"visiondesk: {problem}", file=sys.stderr)
        return EXIT_NO_DISPLAY
    from visiondesk.ui.app import run_app  # Qt is loaded only for the window

    # run_app secures the folders and removes stale history temporaries once the window shows.
    return run_app(list(sys.argv[1:] if argv is None else argv))


def display_problem() -> str:
    """Why the window cannot open here (no display, or libraries Qt needs are missing), in
    one line with the command that installs them; "" when it can. Checked before Qt loads:
    Qt would abort with a core dump (exit 134) or a traceback instead."""
    import os

    if not sys.platform.startswith("linux"):
        return ""
    platforms = [p for p in os.environ.get("QT_QPA_PLATFORM", "").split(";") if p]
    desktop = all(p.startswith(("xcb", "wayland")) for p in platforms)
    if desktop and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return (
            "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset, e.g. "
            "over ssh); use ssh -X, or the commands: visiondesk --help"
        )
    x11 = desktop and bool(os.environ.get("DISPLAY")) and not os.environ.get("WAYLAND_DISPLAY")
    missing = missing_window_libraries(x11=x11)
    if not missing:
        return ""
    command = hint_for(missing) or "install them with your distribution's package manager"
    return f"the window needs libraries that are missing ({', '.join(missing)}): {command}"


def missing_window_libraries(*, x11: bool, cache: str = "/etc/ld.so.cache") -> list[str]:
    """The shared libraries Qt will load for this window that the loader does not know. Read
    from the loader's cache (~0.1 ms; ldconfig -p takes 30 ms)."""
    from visiondesk.system_packages import NEEDS, QT, WINDOW, missing_libraries

    wanted = [
        need.provides
        for need in NEEDS
        if ".so" in need.provides and (need.uses == QT or (x11 and need.uses == WINDOW))
    ]
    return [need.provides for need in missing_libraries(wanted, cache)]


def hint_for(libraries: list[str]) -> str:
    from visiondesk.system_packages import NEEDS, hint

    return hint([need for need in NEEDS if need.provides in libraries])


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser for `command` alone (only its module is imported: a script that runs
    `visiondesk prepare` per file pays for preparing, not for batch's asyncio or the
    version's importlib.metadata), or the list of commands from their table, which imports
    none of them (`visiondesk --help`, `--version`)."""
    import argparse
    import importlib

    class Version(argparse.Action):
        def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
            from visiondesk import __version__

            parser.exit(message=f"visiondesk {__version__}\n")

    class Formatter(argparse.HelpFormatter):
        """argparse's own, told the width: it makes one for every add_argument, and finding
        the width itself imports shutil (with bz2 and lzma, ~3 ms of every command's start)."""

        def __init__(self, prog: str, **kwargs: Any) -> None:
            super().__init__(prog, **{"width": _help_width(), **kwargs})

    class Parser(argparse.ArgumentParser):
        """Every parser, the commands' too (argparse makes those of the parser's class)."""

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**{"formatter_class": Formatter, **kwargs})

    parser = Parser(
        prog="visiondesk",
        description="Ask vision models about images. With no command (or only image paths), "
        "opens the window.",
    )
    parser.add_argument("--version", action=Version, nargs=0, help="show the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    if command is None:
        for name, entry in COMMANDS.items():
            commands.add_parser(name, help=entry.summary)
    else:
        module = importlib.import_module(f"visiondesk.commands.{COMMANDS[command].module}")
        module.add_parser(commands)
    return parser


def _help_width() -> int:
    """The width argparse would find (shutil.get_terminal_size's: $COLUMNS, else the
    terminal's, else 80), less its margin of 2."""
    import os

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns) - 2
    stdout = sys.__stdout__
    try:
        size = os.get_terminal_size(stdout.fileno()).columns if stdout is not None else 0
    except (ValueError, OSError):  # not a terminal, or closed
        size = 0
    return (size if size > 0 else 80) - 2
