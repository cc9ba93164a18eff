"""The `visiondesk` command: the window by default; `prepare`, `send`, `batch`, `doctor`,
`emulator`, `backup`, `conversations` and `export` as commands.

No Qt is imported here; the window module is loaded only when the window is wanted, so the
subcommands start fast and run on machines without a display.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

SUBCOMMANDS = (
    "prepare",
    "send",
    "batch",
    "doctor",
    "emulator",
    "backup",
    "conversations",
    "export",
)
EXIT_USAGE = 2
EXIT_NO_DISPLAY = 1
# What Qt's xcb platform plugin loads besides libxcb itself, with the Debian package of each.
XCB_LIBRARIES = {
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


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
    problem = display_problem()
    if problem:  # Qt would abort (core dump, exit 134) instead
        print(f"visiondesk: {problem}", file=sys.stderr)
        return EXIT_NO_DISPLAY
    from visiondesk.ui.app import run_app  # Qt is loaded only for the window

    # run_app secures the folders and removes stale history temporaries once the window shows.
    return run_app(list(sys.argv[1:] if argv is None else argv))


def display_problem() -> str:
    """Why the window cannot open here (no display, or the X11 libraries Qt needs are missing),
    in one line; "" when it can. Checked before Qt loads."""
    import os

    if not sys.platform.startswith("linux"):
        return ""
    platforms = [p for p in os.environ.get("QT_QPA_PLATFORM", "").split(";") if p]
    if any(not p.startswith(("xcb", "wayland")) for p in platforms):
        return ""  # offscreen, vnc, eglfs… (also as a fallback): no desktop needed
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return (
            "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset, e.g. "
            "over ssh); use ssh -X, or the commands: visiondesk --help"
        )
    if os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        missing = missing_xcb_packages()
        if missing:
            packages = " ".join(missing)
            return f"the window needs X11 libraries that are missing: apt install {packages}"
    return ""


def missing_xcb_packages(cache: str = "/etc/ld.so.cache") -> list[str]:
    """The Debian packages of the X11 libraries the loader does not know. Read from the
    loader's cache (~0.1 ms; ldconfig -p takes 30 ms), on Debian and its kin only: elsewhere
    the names differ and Qt says what is missing itself."""
    import os

    if not os.path.exists("/etc/debian_version"):
        return []
    try:
        with open(cache, "rb") as file:
            known = file.read()
    except OSError:
        return []
    folders = [f for f in os.environ.get("LD_LIBRARY_PATH", "").split(":") if f]
    return [
        package
        for name, package in XCB_LIBRARIES.items()
        if name.encode() not in known
        and not any(os.path.exists(os.path.join(f, name)) for f in folders)
    ]


def _parser() -> argparse.ArgumentParser:
    # Loaded here, not at the top: a double-click goes straight to the window, and these
    # (importlib.metadata for the version, asyncio, dataclasses) cost it ~190 ms in the bundle.
    import argparse

    from visiondesk import __version__
    from visiondesk.commands import backup, batch, conversations, doctor, emulator, prepare, send

    parser = argparse.ArgumentParser(
        prog="visiondesk",
        description="Ask vision models about images. With no command (or only image paths), "
        "opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"visiondesk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in (prepare, send, batch, doctor, emulator, backup):
        command.add_parser(commands)
    conversations.add_parsers(commands)
    return parser
