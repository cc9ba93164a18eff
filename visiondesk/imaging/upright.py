"""The picture the mark-up editor draws over: the upright original, shrunk to a screen's size
(marks are kept in original pixels; the editor scales between the two)."""

from __future__ import annotations

from visiondesk.imaging.decode import upright_image
from visiondesk.imaging.encode import encode_png
from visiondesk.imaging.policy import ImagePolicy
from visiondesk.imaging.sources import BytesSource, ImageInput, fetch_url, read_source

EDITOR_SIDE = 2048


def upright_preview(
    source: ImageInput, label: str, max_side: int = EDITOR_SIDE
) -> tuple[bytes, tuple[int, int]]:
    """(PNG of the upright picture fitted within `max_side`, the upright original's size);
    raises ImageError."""
    loaded = read_source(source, label)
    data = loaded.data if isinstance(loaded, BytesSource) else fetch_url(loaded.url)
    image = upright_image(data, label, ImagePolicy().max_pixels)
    try:
        size = image.size
        image.thumbnail((max_side, max_side))
        return encode_png(image, 1), size
    finally:
        image.close()
