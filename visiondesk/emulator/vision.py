"""Decode the images a request carries, enforce the real rules, and report what arrived."""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass, replace
from typing import Any

from PIL import Image

from visiondesk.emulator.billing import image_tokens
from visiondesk.emulator.errors import HttpError, bad_request

ACCEPTED = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
DETAILS = ("auto", "low", "high", "original")
ASSISTANT_DETAILS = ("auto", "low", "high")

UNSUPPORTED_MESSAGE = (
    "You uploaded an unsupported image. Please make sure your image has of one the following "
    "formats: ['png', 'jpeg', 'gif', 'webp']."
)
INVALID_MESSAGE = (
    "The image data you provided does not represent a valid image. Please check your input and "
    "try again with one of the supported image formats: ['image/jpeg', 'image/png', "
    "'image/gif', 'image/webp']."
)


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


def check_detail(value: Any, param: str, allowed: tuple[str, ...] = DETAILS) -> str:
    if value is None:
        return "auto"
    if value not in allowed:
        options = ", ".join(f"'{item}'" for item in allowed[:-1]) + f", and '{allowed[-1]}'"
        raise bad_request(
            f"Invalid value: '{value}'. Supported values are: {options}.",
            param=param,
            code="invalid_value",
        )
    return str(value)


def from_data_url(url: str, detail: str, model: str, param: str) -> ImageFacts:
    header, _, payload = url.partition(",")
    if not header.startswith("data:") or ";base64" not in header:
        raise bad_request(
            "Invalid image URL: expected a base64-encoded data URL.",
            param=param,
            code="invalid_image_url",
        )
    declared = header[5:].split(";")[0] or None
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise bad_request(
            "Invalid base64 image data.", param=param, code="invalid_base64_image"
        ) from None
    return from_bytes(data, detail, model, param, via="data_url", declared=declared)


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
    if not data:
        raise bad_request("The image is empty.", param=param, code="empty_image_file")
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format or ""
            width, height = image.size
            frames = getattr(image, "n_frames", 1)
            image.load()
    except Exception:
        raise bad_request(INVALID_MESSAGE, param=param, code="invalid_image") from None
    if fmt not in ACCEPTED:
        raise bad_request(UNSUPPORTED_MESSAGE, param=param, code="invalid_image_format")
    if fmt == "GIF" and frames > 1:
        raise bad_request(
            "Animated GIFs are not supported. Please send a single frame.",
            param=param,
            code="invalid_image_format",
        )
    tokens = billed_tokens(model, detail, width, height)
    return ImageFacts(
        via, ACCEPTED[fmt], declared, width, height, len(data), detail, tokens, file_id
    )


def from_url(url: str, detail: str, model: str, param: str) -> ImageFacts:
    """An https URL: the emulator is offline, so it records the URL without downloading it."""
    if not url.startswith("https://"):
        raise bad_request(
            f"Invalid image URL: '{url[:60]}'. Expected an https URL or a data URL.",
            param=param,
            code="invalid_image_url",
        )
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
