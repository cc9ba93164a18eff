"""A compare column's header in words: what its model saw (sent size, tokens per image) and,
once answered, its tokens, price (with the date of the prices), time to first token and total
time. Plain Python, so the words are tested without a window."""

from __future__ import annotations

from dataclasses import dataclass

from visiondesk.domain import PreparedImage, file_name
from visiondesk.imaging.sizing import seen_units
from visiondesk.ui.widgets.usage_words import tokens_words
from visiondesk.workspace.comparing import Comparison

BLIND_NAMES = "ABCD"


@dataclass(frozen=True, slots=True)
class ColumnHeader:
    title: str
    seen: str = ""
    totals: str = ""
    can_pick: bool = False
    hidden: bool = False
    """Blind, not yet picked: nothing may tell which column is which."""
    closable: bool = True
    """Closing it would not stop another column's answer (closing one of two ends all)."""


def header_for(compare: Comparison, index: int) -> ColumnHeader:
    """Blind mode names the columns A–D only, and says nothing of what each one is, until the
    person has picked."""
    column = compare.columns[index]
    others = [c for place, c in enumerate(compare.columns) if place != index]
    closable = len(compare.columns) > 2 or not any(other.running for other in others)
    if compare.hidden:
        name = f"Answer {BLIND_NAMES[index]}"
        return ColumnHeader(name, can_pick=compare.can_pick, hidden=True, closable=closable)
    title = column.title(compare.profile_name(index))
    last = column.last
    if last is None:
        return ColumnHeader(title, closable=closable)
    seen = "; ".join(_seen(image, column.spec.model) for image in last.seen)
    seen = f"Saw: {seen}" if seen else ("" if not last.sources else "Preparing the images…")
    parts: list[str] = []
    if last.usage is not None:
        parts.append(tokens_words(last.usage))
        cost = compare.cost(index)
        parts.append(
            "price unknown" if cost is None else f"${cost:.4f} (prices of {compare.prices.taken})"
        )
    if last.first_token_seconds is not None:
        parts.append(f"first token {last.first_token_seconds:.2f} s")
    if last.seconds is not None:
        parts.append(f"{last.seconds:.1f} s in all")
    return ColumnHeader(title, seen, " · ".join(parts), closable=closable)


def _seen(image: PreparedImage, model: str) -> str:
    name = file_name(image.label)
    if image.url is not None or image.width is None or image.height is None:
        return f"{name} as its URL (up to {image.tokens:,} tokens)"
    units = seen_units(model, image.width, image.height, image.detail)
    return f"{name} {image.width}×{image.height}, {units}, {image.tokens:,} tokens"
