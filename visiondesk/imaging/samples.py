"""A generated photo for the app's self-test: no file needed, nothing of the person's read."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def sample_jpeg(width: int = 1600, height: int = 1200) -> bytes:
    """A blue field with a yellow disc, as JPEG bytes."""
    sample = Image.new("RGB", (width, height), (40, 90, 160))
    draw = ImageDraw.Draw(sample)
    draw.ellipse((width // 4, height // 4, width * 3 // 4, height * 3 // 4), fill=(250, 200, 40))
    buffer = io.BytesIO()
    sample.save(buffer, "JPEG")
    return buffer.getvalue()
