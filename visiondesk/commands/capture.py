"""`visiondesk capture --region X,Y,W,H | --screen [N] | --window --out FILE.png`: pixels of
the screens into a PNG, without opening the window.

Everything that can be refused is refused before Qt loads (the region's form, the output
path, a missing display), so a script's mistake costs no Qt start; the grabbing itself is
`visiondesk.ui.capture.grab`, which the window's capture shares, imported inside `run`.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from visiondesk.atomic_files import write_atomically
from visiondesk.commands import COMMANDS
from visiondesk.regions import RegionError, checked, desktop, parse_region, screen_number

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
ALL_SCREENS = 0
"""`--screen` with no number: the whole virtual desktop."""


class Refused(Exception):
    """Why this capture cannot be done as asked, in one line (exit 2)."""


def add_parser(commands: Any) -> None:
    capture = commands.add_parser(
        "capture",
        help=COMMANDS["capture"].summary,
        description="Grab pixels of the screens into a PNG file without opening the window. "
        "Coordinates are the virtual desktop's in physical pixels (a 2x screen counts its "
        "device pixels; screens left of or above the primary one have negative X or Y). Needs "
        "an X11 display (Wayland: the desktop portal, coming). Exit 0 when written, 2 for a "
        "region, screen, window or file that cannot be captured (or no display), 1 when the "
        "display or the disk failed.",
    )
    what = capture.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--region",
        metavar="X,Y,W,H",
        help="a rectangle of the desktop; parts that no screen shows come out black",
    )
    what.add_argument(
        "--screen",
        nargs="?",
        type=int,
        const=ALL_SCREENS,
        metavar="N",
        help="screen N (from 1), or every screen with no N",
    )
    what.add_argument(
        "--window",
        action="store_true",
        help="the active window (X11: _NET_ACTIVE_WINDOW)",
    )
    capture.add_argument(
        "--out",
        required=True,
        metavar="FILE.png",
        help="where the PNG goes (written whole or not at all); - for standard output",
    )
    capture.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    try:
        region = parse_region(options.region) if options.region is not None else None
        target = output_path(options.out)
        problem = display_problem(os.environ)
        if problem:
            raise Refused(problem)
        window = active_window() if options.window else None
    except (Refused, RegionError) as refused:
        return _say(refused, EXIT_USAGE)

    from visiondesk.ui.capture import grab  # Qt loads only once the capture can be done

    try:
        if window is not None:
            image = grab.grab_window(window)
        else:
            screens = grab.screens()
            if region is None:
                whole = options.screen == ALL_SCREENS
                region = desktop(screens) if whole else screen_number(options.screen, screens)
            image = grab.grab_region(checked(region, screens))
        data = grab.png_bytes(image)
    except RegionError as refused:
        return _say(refused, EXIT_USAGE)
    except grab.GrabError as failed:
        return _say(failed, EXIT_FAILED)
    try:
        if target is None:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            write_atomically(target, data, private=False)  # a file to hand on
    except OSError as failed:
        where = "standard output" if target is None else str(target)
        return _say(f"cannot write {where}: {failed.strerror or failed}", EXIT_FAILED)
    if target is not None:
        print(f"Captured {image.width()}x{image.height()} pixels into {target}")
    return EXIT_OK


def _say(problem: object, code: int) -> int:
    print(f"visiondesk capture: {problem}", file=sys.stderr)
    return code


def output_path(out: str) -> Path | None:
    """Where the PNG goes (None: standard output), refused when it cannot be a PNG file: a
    folder, a special file (a FIFO, a device), a folder that does not exist, a terminal."""
    if out == "-":
        if sys.stdout.isatty():
            raise Refused("will not write PNG bytes to a terminal: redirect them, or give a file")
        return None
    path = Path(out)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise Refused(f"{out}: the folder {path.parent} does not exist") from None
        return path
    except OSError:
        return path  # e.g. no permission: writing says so
    if stat.S_ISDIR(mode):
        raise Refused(f"{out} is a folder: give a file name, e.g. {path / 'capture.png'}")
    if not stat.S_ISREG(mode):
        raise Refused(f"{out} is a special file (not a regular file): give a file name")
    return path


def display_problem(environ: Mapping[str, str]) -> str:
    """Why no pixels can be grabbed here, in one line; "" when they can (checked before Qt
    loads: without a display Qt aborts with a core dump instead)."""
    if not sys.platform.startswith("linux"):
        return ""
    platform = environ.get("QT_QPA_PLATFORM", "").split(";")[0]
    if platform and not platform.startswith(("xcb", "wayland")):
        return (
            f"capture needs a display, and QT_QPA_PLATFORM={platform} has none: unset it, "
            "or run this in the desktop session"
        )
    if platform.startswith("wayland") or (environ.get("WAYLAND_DISPLAY") and not platform):
        return (
            "capture on Wayland needs the desktop portal's Screenshot (coming); for now run "
            "it in an X11 session, or with QT_QPA_PLATFORM=xcb for what XWayland shows"
        )
    if not environ.get("DISPLAY"):
        return (
            "no display to capture (DISPLAY is unset, e.g. over ssh): run it in the desktop "
            "session, or set DISPLAY to that display"
        )
    return _missing_libraries()


def _missing_libraries() -> str:
    from visiondesk.system_packages import NEEDS, QT, WINDOW, hint, missing_libraries

    wanted = [n.provides for n in NEEDS if ".so" in n.provides and n.uses in (QT, WINDOW)]
    missing = missing_libraries(wanted)
    if not missing:
        return ""
    command = hint(missing) or "install them with your distribution's package manager"
    names = ", ".join(need.provides for need in missing)
    return f"capture needs libraries that are missing ({names}): {command}"


def active_window() -> int:
    """The X11 window that has the focus, as the window manager announces it (read with
    python-xlib: Qt itself cannot read another program's property)."""
    if sys.platform != "linux":
        raise Refused("--window works on X11 only; use --region X,Y,W,H or --screen")
    from visiondesk.desktop.x11_windows import X11Unavailable
    from visiondesk.desktop.x11_windows import active_window as focused

    try:
        window = focused()
    except X11Unavailable as error:
        raise Refused(f"--window: {error}; use --region X,Y,W,H") from None
    if window == 0:
        raise Refused(
            "--window: no active window is known (the window manager sets none in "
            "_NET_ACTIVE_WINDOW); use --region X,Y,W,H or --screen"
        )
    return window
