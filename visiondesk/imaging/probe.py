"""Look at image bytes without preparing them: format, size, frames, and whether they decode.

The rules (visiondesk/rules) need these facts to judge a request, but only imaging/ and the
emulator may import Pillow, so the rules ask here.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image

from visiondesk.imaging.policy import DEFAULT_MAX_PIXELS
from visiondesk.imaging.sniff import sniff


@dataclass(frozen=True, slots=True)
class Probe:
    """What a byte string is. `decodes` is False for damaged or non-image data."""

    kind: str  # "PNG", "BMP", "a PDF document", …
    mime: str | None  # from the magic bytes; None when not an image format
    width: int | None
    height: int | None
    frames: int
    decodes: bool


def probe(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> Probe:
    """Sniff the magic bytes, then decode every pixel once to prove the image is whole; a
    header claiming more than `max_pixels` is refused unread (a decompression bomb)."""
    sniffed = sniff(data[:512])
    if sniffed.mime is None:
        return Probe(sniffed.kind, None, None, None, 0, False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    return Probe(sniffed.kind, sniffed.mime, width, height, 1, False)
                frames = int(getattr(image, "n_frames", 1))
                image.load()
    except Exception:
        return Probe(sniffed.kind, sniffed.mime, None, None, 0, False)
    return Probe(sniffed.kind, sniffed.mime, width, height, frames, True)
