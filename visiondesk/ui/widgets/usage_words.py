"""An answer's tokens in words, the same in the transcript and in a compare column's header:
"1,234 in (1,024 cached) · 56 out"."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from visiondesk.events import Usage


def tokens_words(usage: Usage) -> str:
    cached = f" ({usage.cached_input_tokens:,} cached)" if usage.cached_input_tokens else ""
    return f"{usage.input_tokens:,} in{cached} · {usage.output_tokens:,} out"
