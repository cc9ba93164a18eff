"""The emulator's own bill for an image, written from API-FACTS §5 and nothing else.

Deliberately independent of visiondesk.imaging: the client estimates tokens with its sizing
code, the emulator bills with this one, and tests compare the two, so a sizing bug shows up as
a mismatch instead of agreeing with itself. Keep it a plain transcription of the published
formulas (no shared helpers, no shared tables).
"""

from __future__ import annotations

import math
from typing import NamedTuple


class Tiles(NamedTuple):
    base: int
    per_tile: int
    has_original: bool = False


class Patches(NamedTuple):
    multiplier: float
    high: tuple[int, int]  # (patch budget, longest side)
    low: tuple[int, int] | None = None  # None: low is "fit in 512×512"
    original: tuple[int, int] | None = None  # None: no `original` detail (billed as high)
    auto_original: bool = False


_ANY_SIDE = 65_535
_PRICES: dict[str, Tiles | Patches] = {
    "gpt-4o": Tiles(85, 170),
    "chatgpt-4o": Tiles(85, 170),
    "gpt-4.1": Tiles(85, 170),
    "gpt-4.5": Tiles(85, 170),
    "gpt-4o-mini": Tiles(2833, 5667),
    "gpt-5": Tiles(70, 140),
    "gpt-5.1": Tiles(70, 140),
    "o1": Tiles(75, 150),
    "o3": Tiles(75, 150),
    "computer-use": Tiles(65, 129),
    "gpt-4.1-mini": Patches(1.62, (1536, 2048)),
    "gpt-4.1-nano": Patches(2.46, (1536, 2048)),
    "o4-mini": Patches(1.72, (1536, 2048)),
    "gpt-5-mini": Patches(1.2, (1536, 2048)),
    "gpt-5-nano": Patches(1.5, (1536, 2048)),
    "gpt-5.2": Patches(1.2, (6144, 2048)),
    "gpt-5.4": Patches(1.2, (2500, 2048), low=(6144, 2048), original=(10_000, 6000)),
    "gpt-5.5": Patches(
        1.2, (2500, 2048), low=(6144, 2048), original=(10_000, 6000), auto_original=True
    ),
    "gpt-5.6": Patches(1.2, (2500, 2048), original=(30_000, _ANY_SIDE), auto_original=True),
    "gpt-6": Patches(1.2, (2500, 2048), original=(30_000, _ANY_SIDE), auto_original=True),
}
_FALLBACK = _PRICES["gpt-4o"]


def price_for(model: str) -> Tiles | Patches:
    """The longest family name `model` starts with (dated snapshots and provider/ prefixes too)."""
    name = model.strip().lower().split("/")[-1]
    found = [
        family
        for family in _PRICES
        if name == family or (name.startswith(family) and name[len(family)] in "-:@_")
    ]
    return _PRICES[max(found, key=len)] if found else _FALLBACK


def image_tokens(model: str, detail: str, width: int, height: int) -> int:
    """Input tokens for one image of `width`×`height` as it arrived, at `detail`."""
    price = price_for(model)
    if isinstance(price, Tiles):
        return _tile_tokens(price, detail, width, height)
    return _patch_tokens(price, detail, width, height)


def _tile_tokens(price: Tiles, detail: str, width: int, height: int) -> int:
    if detail == "low":
        return price.base
    # Fit in 2048×2048, then the shortest side becomes 768 (never enlarging).
    w, h = float(width), float(height)
    if max(w, h) > 2048:
        w, h = w * 2048 / max(w, h), h * 2048 / max(w, h)
    if min(w, h) > 768:
        w, h = w * 768 / min(w, h), h * 768 / min(w, h)
    w, h = round(w), round(h)
    return price.base + price.per_tile * math.ceil(w / 512) * math.ceil(h / 512)


def _patch_tokens(price: Patches, detail: str, width: int, height: int) -> int:
    if detail == "low":
        if price.low is None:
            width, height = _fit(width, height, 512)
            return _count(width, height, price.multiplier)
        budget, side = price.low
    elif detail == "original" or (detail == "auto" and price.auto_original):
        budget, side = price.original or price.high
    else:
        budget, side = price.high
    width, height = _fit(width, height, side)
    if math.ceil(width / 32) * math.ceil(height / 32) > budget:
        width, height = _shrink_to_budget(width, height, budget)
    return _count(width, height, price.multiplier)


def _fit(width: int, height: int, side: int) -> tuple[int, int]:
    longest = max(width, height)
    if longest <= side:
        return width, height
    return max(1, round(width * side / longest)), max(1, round(height * side / longest))


def _shrink_to_budget(width: int, height: int, budget: int) -> tuple[int, int]:
    """The guide's shrink: scale by sqrt(32²·B/(w·h)), then floor so whole patches fit."""
    shrink = math.sqrt(32 * 32 * budget / (width * height))
    across, down = width * shrink / 32, height * shrink / 32
    shrink *= min(math.floor(across) / across, math.floor(down) / down)
    return max(1, int(width * shrink)), max(1, int(height * shrink))


def _count(width: int, height: int, multiplier: float) -> int:
    patches = math.ceil(width / 32) * math.ceil(height / 32)
    return math.ceil(round(patches * multiplier, 6))
