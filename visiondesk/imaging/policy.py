"""What the target of a turn accepts, gathered in one hashable value the pipeline obeys."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from visiondesk.domain import ApiMode, Detail
from visiondesk.imaging.models import VisionRule, rule_for

WEB_FORMATS = frozenset({"image/png", "image/jpeg", "image/webp"})
"""Accepted by OpenAI and Azure in every mode; GIF is left out because Ollama refuses it and
OpenAI refuses animated ones, so GIFs are always re-encoded."""
SAFE_FORMATS = frozenset({"image/png", "image/jpeg"})
"""Decoded by every server VisionDesk knows, for those that may lack WebP (Profile.accepts_webp
says which)."""

DEFAULT_MAX_PIXELS = 120_000_000
"""Above this an image is refused as a decompression bomb before any pixel is decoded."""


@dataclass(frozen=True, slots=True)
class ImagePolicy:
    """How to prepare images for one model, detail level and API mode."""

    model: str = "gpt-4o"
    detail: Detail = Detail.HIGH
    mode: ApiMode = ApiMode.CHAT
    formats: frozenset[str] = field(default=WEB_FORMATS)
    keep_urls: bool = True
    """Send https sources as URLs for the server to fetch (False: fetch and send the bytes)."""
    photo_format: str = "image/jpeg"
    jpeg_quality: int = 85
    max_pixels: int = DEFAULT_MAX_PIXELS

    def __post_init__(self) -> None:
        if self.photo_format not in ("image/jpeg", "image/webp"):
            raise ValueError(f"photos are sent as JPEG or WebP, not {self.photo_format}")
        if self.photo_format not in self.formats or "image/png" not in self.formats:
            raise ValueError("the target must accept PNG and the photo format")
        if not 1 <= self.jpeg_quality <= 100:
            raise ValueError("jpeg_quality is 1..100")
        if self.max_pixels < 1:
            raise ValueError("max_pixels must be positive")

    @property
    def webp(self) -> bool:
        """The server decodes WebP: graphics go as lossless WebP, transparent photos as lossy
        WebP with alpha."""
        return "image/webp" in self.formats

    @property
    def pixels(self) -> ImagePolicy:
        """This policy without its API mode, which decides only `formats` and `keep_urls`
        (both kept): two policies with equal `pixels` prepare the very same image, so compare
        columns in Chat and Responses share one preparation."""
        return replace(self, mode=ApiMode.CHAT)

    @property
    def rule(self) -> VisionRule:
        return rule_for(self.model)[0]

    @property
    def model_known(self) -> bool:
        return rule_for(self.model)[1]


def policy_for(
    mode: ApiMode | str,
    model: str,
    detail: Detail | str = Detail.HIGH,
    *,
    accepts_urls: bool = True,
    accepts_webp: bool = True,
    prefer_webp: bool = False,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> ImagePolicy:
    """The policy for a turn; `accepts_urls=False` for servers such as Ollama (base64 only),
    `accepts_webp=False` for servers that may not decode WebP (Profile.accepts_webp), which
    also outranks `prefer_webp` (photos as WebP)."""
    return ImagePolicy(
        model=model,
        detail=Detail(detail),
        mode=ApiMode(mode),
        formats=WEB_FORMATS if accepts_webp else SAFE_FORMATS,
        keep_urls=accepts_urls,
        photo_format="image/webp" if prefer_webp and accepts_webp else "image/jpeg",
        max_pixels=max_pixels,
    )
