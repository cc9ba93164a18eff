"""Rectangles of the virtual desktop for capture: `--region X,Y,W,H` read and checked against
the screens, before (and without) Qt.

Coordinates are the virtual desktop's in physical pixels, as X11 numbers the root window (and
ImageMagick's `import -window root -crop` reads it): each screen's own top-left corner, its
size in device pixels (a 2× screen of 1440×900 logical pixels is 2880×1800 here), and a
region may span screens or reach left of or above the primary one (negative X or Y).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_REGION = re.compile(r"\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*")


class RegionError(ValueError):
    """A region that cannot be captured, said in one line a person can act on."""


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    @property
    def empty(self) -> bool:
        return self.width <= 0 or self.height <= 0

    def intersection(self, other: Rect) -> Rect | None:
        """The part both cover; None when they do not overlap."""
        x, y = max(self.x, other.x), max(self.y, other.y)
        overlap = Rect(x, y, min(self.right, other.right) - x, min(self.bottom, other.bottom) - y)
        return None if overlap.empty else overlap

    def __str__(self) -> str:
        return f"{self.x},{self.y},{self.width},{self.height}"


def parse_region(text: str) -> Rect:
    """`X,Y,W,H` in whole pixels (X and Y may be negative, W and H must be positive)."""
    match = _REGION.fullmatch(text)
    if match is None:
        raise RegionError(
            f"--region wants X,Y,W,H in whole pixels (e.g. 0,0,800,600), not {text!r}"
        )
    region = Rect(*(int(part) for part in match.groups()))
    if region.empty:
        raise RegionError(f"the region {region} is empty: its width and height must be at least 1")
    return region


def desktop(screens: Sequence[Rect]) -> Rect:
    """The smallest rectangle holding every screen: what `--screen` with no number grabs."""
    if not screens:
        raise RegionError("no screen to capture: the display reports none")
    x, y = min(s.x for s in screens), min(s.y for s in screens)
    return Rect(x, y, max(s.right for s in screens) - x, max(s.bottom for s in screens) - y)


def checked(region: Rect, screens: Sequence[Rect]) -> Rect:
    """`region` when some screen shows part of it (the rest comes out black); else why not."""
    if region.empty:
        raise RegionError(f"the region {region} is empty: its width and height must be at least 1")
    if not any(region.intersection(screen) for screen in screens):
        shown = "; ".join(str(screen) for screen in screens) or "none"
        raise RegionError(f"the region {region} is outside every screen (screens: {shown})")
    return region


def screen_number(number: int, screens: Sequence[Rect]) -> Rect:
    """Screen `number`, counted from 1 in the order the display lists them."""
    if not 1 <= number <= len(screens):
        raise RegionError(f"there is no screen {number}: this display has {len(screens)}")
    return screens[number - 1]
