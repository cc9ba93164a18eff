"""Per-request limits of Chat Completions and Responses (API-FACTS §1, the current guide)."""

from __future__ import annotations

from dataclasses import dataclass

from visiondesk.domain import ApiMode, human_bytes
from visiondesk.rules.catalog import Code, Violation, violation


@dataclass(frozen=True, slots=True)
class Limits:
    max_images: int = 1500
    max_payload_bytes: int = 512 * 2**20


DEFAULT_LIMITS = Limits()


def check_totals(
    images: int, payload_bytes: int, mode: ApiMode, limits: Limits = DEFAULT_LIMITS
) -> list[Violation]:
    """The request as a whole: how many images, how many bytes."""
    problems: list[Violation] = []
    if images > limits.max_images:
        problems.append(
            violation(Code.TOO_MANY_IMAGES, "", mode, count=images, limit=limits.max_images)
        )
    if payload_bytes > limits.max_payload_bytes:
        problems.append(
            violation(
                Code.PAYLOAD_TOO_LARGE,
                "",
                mode,
                size=human_bytes(payload_bytes),
                limit=human_bytes(limits.max_payload_bytes),
            )
        )
    return problems
