"""The picture with its redactions burnt in: what is kept and saved once a redaction exists.

A redacted attachment is prepared from these bytes, never from the original, so nothing that
leaves the machine or reaches the history (the sent image, its hash, an upload, the saved
source) derives from the pixels under a redaction. They are made once per set of redactions,
independent of the model: at full upright size, losslessly (PNG), without metadata.
"""

from __future__ import annotations

from visiondesk.imaging.decode import upright_image
from visiondesk.imaging.encode import encode_png
from visiondesk.imaging.policy import ImagePolicy
from visiondesk.imaging.sources import BytesSource, ImageInput, fetch_url, read_source
from visiondesk.marks import Marks, Redact

FAST_PNG = 1
"""zlib level of the redacted copy: it stays on this machine, so speed beats size (a 12 MP
screenshot in well under a second on one core)."""


def redacted_png(
    source: ImageInput,
    redactions: tuple[Redact, ...],
    label: str,
    max_pixels: int = ImagePolicy().max_pixels,
) -> bytes:
    """`source` upright with each redaction's pixels replaced, as PNG; raises ImageError."""
    from visiondesk.imaging import marks as marking  # ImageDraw and fonts: only when redacting

    loaded = read_source(source, label)
    data = loaded.data if isinstance(loaded, BytesSource) else fetch_url(loaded.url)
    image = upright_image(data, label, max_pixels)
    try:
        redacted = marking.apply(image, Marks(tuple(redactions)), image.size)
    finally:
        image.close()
    try:
        return encode_png(redacted, FAST_PNG)
    finally:
        redacted.close()
