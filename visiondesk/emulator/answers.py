"""The emulator's answer: a Markdown report of the images it decoded, streamed word by word."""

from __future__ import annotations

import re
from collections.abc import Sequence

from visiondesk.emulator.vision import ImageFacts, text_tokens


def compose(prompt: str, images: Sequence[ImageFacts], model: str, earlier_turns: int = 0) -> str:
    lines = [f"**VisionDesk emulator** ({model}) — no model was called."]
    if earlier_turns:
        lines.append(f"This conversation has {earlier_turns} earlier turn(s).")
    if images:
        lines += [
            "",
            f"I received {len(images)} image(s):",
            "",
            "| # | size | type | via | detail | tokens |",
            "|---|---|---|---|---|---|",
        ]
        for number, facts in enumerate(images, 1):
            size = f"{facts.width}×{facts.height}" if facts.width else "not downloaded"
            lines.append(
                f"| {number} | {size} | {facts.mime or 'URL'} | {facts.via} | {facts.detail} "
                f"| {facts.tokens} |"
            )
        lines += ["", f"Image tokens: {sum(f.tokens for f in images)}."]
    else:
        lines += ["", "I received no images."]
    quoted = prompt.strip().replace("\n", " ")
    if quoted:
        lines += ["", f"You asked: “{quoted[:500]}”"]
    return "\n".join(lines) + "\n"


def deltas(text: str) -> list[str]:
    """Word-sized pieces, whitespace kept, so joining them gives `text` back exactly."""
    return re.findall(r"\S+\s*|\s+", text)


def usage(prompt_text: str, images: Sequence[ImageFacts], answer: str) -> tuple[int, int]:
    input_tokens = text_tokens(prompt_text) + sum(facts.tokens for facts in images)
    return input_tokens, len(deltas(answer))
