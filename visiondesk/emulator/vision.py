"""Decode the images a request carries, enforce the real rules, and report what arrived."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from visiondesk import rules
from visiondesk.domain import ApiMode
from visiondesk.emulator.billing import image_tokens
from visiondesk.emulator.errors import HttpError, rejected
from visiondesk.imaging.probe import Probe


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """What the emulator saw of one image; the answer and `usage` are built from these."""

    via: str  # "data_url", "file", "url"
    mime: str | None  # from the bytes
    declared_mime: str | None  # from the data URL label
    width: int | None
    height: int | None
    bytes: int
    detail: str
    tokens: int
    file_id: str | None = None
    url: str | None = None


def refuse(problems: Iterable[rules.Violation]) -> None:
    """Answer the first error the rules found, as the real API answers the first it meets."""
    for problem in problems:
        if problem.is_error:
            raise rejected(problem)


def from_part(reading: rules.PartReading, model: str) -> ImageFacts | None:
    """The image of a part the rules accepted (refusing the part otherwise)."""
    refuse(reading.problems)
    image = reading.image
    if image is None:
        return None
    refuse(image.problems)
    if image.source is rules.Source.URL:
        return from_url(str(image.url), image.detail, model, image.url_path)
    if image.source is rules.Source.FILE:
        return None  # the mode looks the file up in its store, then calls from_bytes
    assert image.data is not None and image.probe is not None
    return _facts(image.data, image.probe, image.detail, model, "data_url", image.declared_mime)


def from_bytes(
    data: bytes,
    detail: str,
    model: str,
    param: str | None,
    *,
    via: str,
    declared: str | None = None,
    file_id: str | None = None,
) -> ImageFacts:
    judged = rules.judge_bytes(data, declared, param or "", ApiMode.CHAT)
    refuse(judged.problems)
    assert judged.probe is not None
    return _facts(data, judged.probe, detail, model, via, declared, file_id)


def _facts(
    data: bytes,
    probe: Probe,
    detail: str,
    model: str,
    via: str,
    declared: str | None,
    file_id: str | None = None,
) -> ImageFacts:
    assert probe.width is not None and probe.height is not None
    tokens = billed_tokens(model, detail, probe.width, probe.height)
    return ImageFacts(
        via, probe.mime, declared, probe.width, probe.height, len(data), detail, tokens, file_id
    )


def from_url(url: str, detail: str, model: str, param: str) -> ImageFacts:
    """An https URL (the rules refuse others): the emulator is offline, so it records the URL
    without downloading it."""
    tokens = billed_tokens(model, detail, 768, 2048)
    return ImageFacts("url", None, None, None, None, 0, detail, tokens, url=url)


def billed_tokens(model: str, detail: str, width: int, height: int) -> int:
    """API-FACTS §5, from the emulator's own implementation (never the client's sizing code)."""
    return image_tokens(model, detail, width, height)


def repriced(facts: ImageFacts, model: str) -> ImageFacts:
    if facts.width is None or facts.height is None:
        return replace(facts, tokens=billed_tokens(model, facts.detail, 768, 2048))
    return replace(facts, tokens=billed_tokens(model, facts.detail, facts.width, facts.height))


def text_tokens(text: str) -> int:
    """A rough count (4 characters a token) — the emulator runs no tokenizer."""
    return max(1, (len(text) + 3) // 4) if text else 0


__all__ = ["HttpError", "ImageFacts"]
