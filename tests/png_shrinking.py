"""What the streamed PNG decode is compared with, and its threads: shared by its tests."""

from __future__ import annotations

import io
import threading
import time

from PIL import Image

from visiondesk.imaging import png_strips
from visiondesk.imaging.decode import FINAL_FILTER, reduce_factor, shrink


def classic(data: bytes, target: tuple[int, int]) -> Image.Image:
    """Pillow's full decode, then the pipeline's shrink: what the stream must match."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return shrink(image, target)


def streamed(data: bytes, target: tuple[int, int]) -> png_strips.Shrunk | None:
    with Image.open(io.BytesIO(data)) as image:
        factor = reduce_factor(image.size, target)
    return png_strips.shrink_png(data, factor, target, FINAL_FILTER)


def strip_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "png-strips"]


def wait_for_no_strip_threads(timeout: float) -> None:
    """Join every worker still running (each within what is left of `timeout`); fail if one
    outlives it."""
    deadline = time.monotonic() + timeout
    for thread in strip_threads():
        thread.join(max(0.0, deadline - time.monotonic()))
    left = strip_threads()
    if left:
        raise AssertionError(f"png-strips threads still running: {left}")
