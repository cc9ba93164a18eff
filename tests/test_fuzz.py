"""Mutated image bytes: only ImageError may escape, and nothing hangs.

A short run belongs to `make test`; set VISIONDESK_FUZZ_EXAMPLES for a long one.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import images
from visiondesk.errors import ImageError
from visiondesk.imaging import ImagePolicy, prepare

EXAMPLES = int(os.environ.get("VISIONDESK_FUZZ_EXAMPLES", "150"))

SEEDS = [
    images.encode(images.photo(64, 48), "JPEG"),
    images.jpeg_with_exif(images.photo(64, 48), orientation=6),
    images.encode(images.screenshot(64, 48), "PNG"),
    images.encode(images.transparent(64, 48), "WEBP"),
    images.encode(images.photo(64, 48).convert("P"), "GIF"),
    images.encode(images.photo(64, 48), "BMP"),
    images.encode(images.photo(64, 48), "TIFF"),
    images.png_header_only(70_000, 70_000),
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["truncate", "flip", "overwrite", "magic", "size"]))
        if action == "truncate":
            del data[draw(st.integers(0, len(data))) :]
        elif action == "flip" and data:
            index = draw(st.integers(0, len(data) - 1))
            data[index] ^= 1 << draw(st.integers(0, 7))
        elif action == "overwrite" and data:
            index = draw(st.integers(0, len(data) - 1))
            chunk = draw(st.binary(min_size=1, max_size=16))
            data[index : index + len(chunk)] = chunk
        elif action == "magic":
            magic = draw(st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"BM"]))
            data[: len(magic)] = magic
        elif action == "size" and len(data) > 24:
            # Huge declared dimensions where PNG and BMP keep them.
            index = draw(st.sampled_from([16, 18, 20, 22]))
            data[index : index + 2] = b"\xff\xff"
    return bytes(data)


@settings(
    max_examples=EXAMPLES,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=mutated())
def test_only_image_errors_escape(data: bytes) -> None:
    problem: ImageError | None = None
    try:
        prepare(data, ImagePolicy(max_pixels=50_000_000), label="fuzz", cache=None)
    except ImageError as error:
        problem = error
    if problem is not None:  # a refusal names the image and gives a reason
        assert problem.source == "fuzz"
        assert problem.reason
