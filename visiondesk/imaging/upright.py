"""The picture the mark-up editor draws on: the upright original, scaled to fit the screen.

Marks are in pixels of the upright original (after EXIF orientation, before crop or shrink), so
the editor needs that original's size to map its view back: original_size / preview size.
Reading, sniffing, the pixel limit and the orientation are the pipeline's own (decode.py).
"""

from __future__ import annotations

import io
import warnings

from visiondesk.errors import ImageError
from visiondesk.imaging.decode import _TRANSPOSE, _orientation, open_image, shrink
from visiondesk.imaging.pixels import normalise_mode
from visiondesk.imaging.policy import DEFAULT_MAX_PIXELS
from visiondesk.imaging.sniff import sniff
from visiondesk.imaging.sources import BytesSource, ImageInput, read_source

Size = tuple[int, int]


def upright_preview(
    source: ImageInput, max_side: int = 2048, max_pixels: int = DEFAULT_MAX_PIXELS
) -> tuple[bytes, Size]:
    """PNG bytes of `source` upright and fitted within `max_side`, and the upright original's
    (width, height). Every failure is an ImageError, as in the pipeline."""
    read = read_source(source)
    if not isinstance(read, BytesSource):
        raise ImageError(read.label, "is a URL; only a file or pasted image can be marked up")
    sniffed = sniff(read.data[:512])
    if sniffed.mime is None:
        raise ImageError(read.label, f"is not an image VisionDesk can read ({sniffed.kind})")
    image = open_image(read.data, read.label, sniffed, max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image.load()
            orientation = _orientation(image)
            image = normalise_mode(image)
            if orientation in _TRANSPOSE:
                image = image.transpose(_TRANSPOSE[orientation])
    except MemoryError:
        raise ImageError(read.label, "is too large to decode in the memory available") from None
    except Exception as exc:
        raise ImageError(read.label, f"is damaged or truncated ({exc})") from None
    original = image.size
    image = shrink(image, fitted_size(original, max_side))
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue(), original


def fitted_size(original: Size, max_side: int = 2048) -> Size:
    """The preview's size for an upright original of `original` (as upright_preview makes)."""
    scale = min(1.0, max_side / max(original))
    return (max(1, round(original[0] * scale)), max(1, round(original[1] * scale)))
