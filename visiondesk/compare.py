"""Compare: the same images and question through several models, modes or detail levels. A
column is a plain value, written on the command line as `MODEL[:MODE[:DETAIL]]`."""

from __future__ import annotations

from dataclasses import dataclass

from visiondesk.domain import ApiMode, Detail

MIN_COLUMNS, MAX_COLUMNS = 2, 4
"""Fewer is one answer; more no longer fit side by side (nor in a person's head)."""
_MODES = {mode.value: mode for mode in ApiMode}
_DETAILS = {detail.value: detail for detail in Detail}


class SpecError(ValueError):
    """A column spec that names no model or no mode, or too few or too many columns."""


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """What one column asks: a model, through a mode, at a detail level."""

    model: str
    mode: ApiMode
    detail: Detail

    def __str__(self) -> str:
        return f"{self.model} · {self.mode.value} · detail {self.detail.value}"


def parse_spec(text: str, mode: ApiMode | None, detail: Detail) -> ColumnSpec:
    """`MODEL[:MODE[:DETAIL]]`, read from the right so a model's own colons stay its own
    (`llava:13b`, `llava:13b:chat:low`); what is missing comes from `mode` and `detail`."""
    parts = text.strip().split(":")
    chosen_detail = detail
    if len(parts) > 1 and parts[-1].lower() in _DETAILS:
        chosen_detail = _DETAILS[parts.pop().lower()]
    chosen_mode = mode
    if len(parts) > 1 and parts[-1].lower() in _MODES:
        chosen_mode = _MODES[parts.pop().lower()]
    model = ":".join(parts).strip()
    if not model:
        raise SpecError(f"--compare {text!r} names no model (MODEL[:MODE[:DETAIL]])")
    if chosen_mode is None:
        modes = ", ".join(_MODES)
        raise SpecError(f"--compare {text!r} names no mode: add :MODE ({modes}) or give --mode")
    return ColumnSpec(model, chosen_mode, chosen_detail)


def parse_specs(texts: list[str], mode: ApiMode | None, detail: Detail) -> list[ColumnSpec]:
    """Every column, MIN_COLUMNS to MAX_COLUMNS of them."""
    if not MIN_COLUMNS <= len(texts) <= MAX_COLUMNS:
        raise SpecError(
            f"compare takes {MIN_COLUMNS} to {MAX_COLUMNS} columns (--compare given "
            f"{len(texts)} time{'s' if len(texts) != 1 else ''})"
        )
    return [parse_spec(text, mode, detail) for text in texts]
