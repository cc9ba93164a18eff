"""Other programs' windows on an X11 display, which Qt cannot see: where each one is (for the
capture overlay's "click a window") and which one has the focus (`visiondesk capture --window`).

Read with python-xlib. The root window's children are the top-level windows in stacking order,
bottom first; under a reparenting window manager they are its frames, so a window's place
includes its title bar and borders, as a person sees it. Coordinates are the root's: the
virtual desktop's physical pixels (`visiondesk.regions`).
"""

from __future__ import annotations

import logging

from Xlib import X
from Xlib import error as xerror
from Xlib.display import Display

from visiondesk.regions import Rect

log = logging.getLogger(__name__)
MAX_WINDOWS = 4096
"""More top-level windows than this are not looked at (a display flooded by one program)."""


class X11Unavailable(RuntimeError):
    """No X11 display could be opened, or it did not answer."""


def _open(name: str | None) -> Display:
    try:
        return Display(name)
    except (xerror.DisplayError, xerror.XError, OSError) as error:
        raise X11Unavailable(f"the X11 display could not be opened ({error})") from None


def open_windows(display: str | None = None) -> list[Rect]:
    """The visible top-level windows, topmost first (a window that goes while it is read is
    left out). `display`: an X11 display name; the DISPLAY variable's when None."""
    connection = _open(display)
    try:
        children = connection.screen().root.query_tree().children[-MAX_WINDOWS:]
        places: list[Rect] = []
        for window in reversed(children):
            try:
                attributes = window.get_attributes()
                if attributes.map_state != X.IsViewable or attributes.win_class != X.InputOutput:
                    continue
                geometry = window.get_geometry()
            except xerror.XError:  # gone meanwhile
                continue
            border = geometry.border_width
            width, height = geometry.width + 2 * border, geometry.height + 2 * border
            if width > 1 and height > 1:  # 1×1 helpers some toolkits map off-screen
                places.append(Rect(geometry.x, geometry.y, width, height))
        return places
    except xerror.XError as error:
        raise X11Unavailable(f"the X11 display did not answer ({error})") from None
    finally:
        connection.close()


def active_window(display: str | None = None) -> int:
    """The window that has the focus, as the window manager announces it on the root window
    (_NET_ACTIVE_WINDOW); 0 when none is announced (no window manager, or nothing focused)."""
    connection = _open(display)
    try:
        root = connection.screen().root
        atom = connection.intern_atom("_NET_ACTIVE_WINDOW")
        prop = root.get_full_property(atom, X.AnyPropertyType)
        if prop is None or len(prop.value) == 0:
            return 0
        return int(prop.value[0])
    except xerror.XError as error:
        raise X11Unavailable(f"the X11 display did not answer ({error})") from None
    finally:
        connection.close()
