"""Pure arithmetic: the size a model looks at and what that costs in input tokens.

Follows API-FACTS §5. Nothing here touches pixels, so the rules are easy to test exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from visiondesk.domain import Detail
from visiondesk.imaging.models import PatchBudget, PatchRule, TileRule, VisionRule

PATCH = 32
TILE = 512
LOW_SIDE = 512


@dataclass(frozen=True, slots=True)
class SizePlan:
    """The pixels to send, their token cost, and the detail to put in the request."""

    width: int
    height: int
    tokens: int
    detail: Detail
    note: str | None = None


def fit_within(width: int, height: int, max_width: int, max_height: int) -> tuple[int, int]:
    """Scale down (never up) to fit the box, keeping the aspect ratio within one pixel."""
    scale = min(1.0, max_width / width, max_height / height)
    return _scaled(width, height, scale)


def _scaled(width: int, height: int, scale: float) -> tuple[int, int]:
    if scale >= 1.0:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


def tile_size(width: int, height: int) -> tuple[int, int]:
    """High detail on tile models: fit 2048×2048, then make the shortest side at most 768.

    Both steps are folded into one scale and rounded once, so rounding cannot compound.
    """
    scale = min(1.0, 2048 / max(width, height))
    scale *= min(1.0, 768 / (min(width, height) * scale))
    return _scaled(width, height, scale)


def tile_tokens(rule: TileRule, width: int, height: int) -> int:
    tiles = math.ceil(width / TILE) * math.ceil(height / TILE)
    return rule.base_tokens + rule.tile_tokens * tiles


def patches(width: int, height: int) -> int:
    return math.ceil(width / PATCH) * math.ceil(height / PATCH)


def patch_size(width: int, height: int, budget: PatchBudget) -> tuple[int, int]:
    """Cap the long side, then shrink until the patch count fits the budget (guide algorithm)."""
    scale = min(1.0, budget.max_side / max(width, height))
    capped = _scaled(width, height, scale)
    if patches(*capped) <= budget.patches:
        return capped
    w, h = width * scale, height * scale
    shrink = math.sqrt(PATCH * PATCH * budget.patches / (w * h))
    # Shrink a little more so both sides land on whole patches, as the guide does.
    cols, rows = w * shrink / PATCH, h * shrink / PATCH
    shrink *= min(math.floor(cols) / cols, math.floor(rows) / rows)
    final = scale * shrink
    new_w, new_h = max(1, int(width * final + 1e-6)), max(1, int(height * final + 1e-6))
    # Flooring both sides can skew a long thin image by more than a pixel: derive the short
    # side from the long one instead, unless that would cost another row of patches.
    if width >= height:
        better = (new_w, max(1, round(new_w * height / width)))
    else:
        better = (max(1, round(new_h * width / height)), new_h)
    return better if patches(*better) <= budget.patches else (new_w, new_h)


def patch_tokens(rule: PatchRule, width: int, height: int) -> int:
    return math.ceil(round(patches(width, height) * rule.multiplier, 6))


def plan(rule: VisionRule, detail: Detail, width: int, height: int) -> SizePlan:
    """The largest image worth sending at `detail`, in the orientation the model sees."""
    if width < 1 or height < 1:
        raise ValueError("an image has at least one pixel on each side")
    if isinstance(rule, TileRule):
        return _plan_tile(rule, detail, width, height)
    return _plan_patch(rule, detail, width, height)


def _plan_tile(rule: TileRule, detail: Detail, width: int, height: int) -> SizePlan:
    if detail is Detail.LOW:
        w, h = fit_within(width, height, LOW_SIDE, LOW_SIDE)
        return SizePlan(w, h, rule.base_tokens, detail)
    note = None
    if detail is Detail.ORIGINAL and not rule.supports_original:
        note = "this model has no 'original' detail: sized and sent as 'high'"
        detail = Detail.HIGH
    w, h = tile_size(width, height)
    return SizePlan(w, h, tile_tokens(rule, w, h), detail, note)


def _plan_patch(rule: PatchRule, detail: Detail, width: int, height: int) -> SizePlan:
    note = None
    budget: PatchBudget | None
    if detail is Detail.LOW:
        budget = rule.low
        if budget is None:
            w, h = fit_within(width, height, LOW_SIDE, LOW_SIDE)
            return SizePlan(w, h, patch_tokens(rule, w, h), detail)
    elif detail is Detail.ORIGINAL or (detail is Detail.AUTO and rule.auto_is_original):
        budget = rule.original
        if budget is None:
            note = "this model has no 'original' detail: sized and sent as 'high'"
            detail, budget = Detail.HIGH, rule.high
    else:
        budget = rule.high
    w, h = patch_size(width, height, budget)
    return SizePlan(w, h, patch_tokens(rule, w, h), detail, note)


def seen_units(model: str, width: int, height: int, detail: Detail) -> str:
    """What the model cut the image into, in words: its 512-pixel tiles (tile models at high
    detail), its 32-pixel patches (patch models), or one low-detail view."""
    from visiondesk.imaging.models import rule_for

    rule, _known = rule_for(model)
    if isinstance(rule, TileRule):
        if detail is Detail.LOW:
            return "one low-detail view"
        across, down = math.ceil(width / TILE), math.ceil(height / TILE)
        return f"{across}×{down} tiles"
    return f"{patches(width, height):,} patches"
