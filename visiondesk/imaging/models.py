"""How each model family looks at images: the table from API-FACTS §5.

The guide has been revised several times and the revisions disagree; this table follows the
revision named beside each entry, and `usage` returned by the API stays the source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TileRule:
    """Tile models: fit 2048², shortest side 768, count 512-px tiles."""

    base_tokens: int
    tile_tokens: int
    supports_original: bool = False


@dataclass(frozen=True, slots=True)
class PatchBudget:
    """A patch budget: at most `patches` 32-px patches and `max_side` pixels on the long side."""

    patches: int
    max_side: int


@dataclass(frozen=True, slots=True)
class PatchRule:
    """Patch models: count 32-px patches within a budget, then apply a token multiplier."""

    multiplier: float
    high: PatchBudget
    low: PatchBudget | None = None  # None: low means "fit 512×512"
    original: PatchBudget | None = None  # None: the model has no `original` detail
    auto_is_original: bool = False


VisionRule = TileRule | PatchRule

DEFAULT_RULE = TileRule(85, 170)
"""Unknown models are estimated with gpt-4o's tile rule, the most common one."""

_B1536 = PatchBudget(1536, 2048)
_B2500 = PatchBudget(2500, 2048)
_B6144 = PatchBudget(6144, 2048)
_ORIGINAL_54 = PatchBudget(10_000, 6000)
_ORIGINAL_56 = PatchBudget(30_000, 65_535)

# Longest matching prefix wins, so "gpt-4o-mini" beats "gpt-4o" and "gpt-5.4-mini" beats "gpt-5.4".
_RULES: dict[str, VisionRule] = {
    "gpt-4o": TileRule(85, 170),
    "chatgpt-4o": TileRule(85, 170),
    "gpt-4.1": TileRule(85, 170),
    "gpt-4.5": TileRule(85, 170),
    "gpt-4o-mini": TileRule(2833, 5667),
    "gpt-5": TileRule(70, 140),
    "gpt-5.1": TileRule(70, 140),
    "o1": TileRule(75, 150),
    "o3": TileRule(75, 150),
    "computer-use": TileRule(65, 129),
    # Patch models, older revision budgets (1,536 patches, 2048 px) with the newer multipliers.
    "gpt-4.1-mini": PatchRule(1.62, _B1536),
    "gpt-4.1-nano": PatchRule(2.46, _B1536),
    "o4-mini": PatchRule(1.72, _B1536),
    "gpt-5-mini": PatchRule(1.2, _B1536),
    "gpt-5-nano": PatchRule(1.5, _B1536),
    # Latest revision: gpt-5.2 uses a 6,144 budget.
    "gpt-5.2": PatchRule(1.2, _B6144),
    # gpt-5.4 family: `low` has a 2048 px cap and 6,144 patches; `original` 10,000 / 6000 px.
    "gpt-5.4": PatchRule(1.2, _B2500, low=_B6144, original=_ORIGINAL_54),
    "gpt-5.5": PatchRule(1.2, _B2500, low=_B6144, original=_ORIGINAL_54, auto_is_original=True),
    # gpt-5.6 and gpt-6: `original` never downscales server-side but refuses > 30,000 patches.
    "gpt-5.6": PatchRule(1.2, _B2500, original=_ORIGINAL_56, auto_is_original=True),
    "gpt-6": PatchRule(1.2, _B2500, original=_ORIGINAL_56, auto_is_original=True),
}


def rule_for(model: str) -> tuple[VisionRule, bool]:
    """The rule for `model` and whether it was known (False: the gpt-4o fallback)."""
    name = model.strip().lower()
    # Provider prefixes such as "openai/gpt-4o" (OpenRouter) name the same model.
    name = name.rsplit("/", 1)[-1]
    best = ""
    for prefix in _RULES:
        if _matches(name, prefix) and len(prefix) > len(best):
            best = prefix
    if not best:
        return DEFAULT_RULE, False
    return _RULES[best], True


def _matches(name: str, prefix: str) -> bool:
    """`gpt-5` matches `gpt-5` and `gpt-5-2025-08-07`, not `gpt-5.4`."""
    if not name.startswith(prefix):
        return False
    rest = name[len(prefix) :]
    return rest == "" or rest[0] in "-:@_"
