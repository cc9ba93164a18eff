"""What keeps a preparation cheap: freed pages reused (allocator.py), the thumbnail made from
the already reduced image."""

from __future__ import annotations

import io
import platform
import resource

import pytest
from PIL import Image

from tests import images
from visiondesk.domain import ApiMode, Detail
from visiondesk.imaging import policy_for, prepare
from visiondesk.imaging.allocator import keep_freed_memory
from visiondesk.imaging.encode import THUMBNAIL_SIDE, make_thumbnail

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="the thresholds are glibc's")
def test_repeated_preparation_faults_in_few_new_pages() -> None:
    assert keep_freed_memory()
    data = images.encode(images.screenshot(3840, 2160, seed=7), "PNG")
    policy = policy_for(ApiMode.CHAT, "gpt-4o", Detail.HIGH)
    prepare(data, policy, cache=None)  # maps the working set once
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    prepare(data, policy, cache=None)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    # ~50 MB is allocated and freed per preparation: ~12,000 faults when it is not kept.
    assert faults < 3000


@pytest.mark.parametrize(("size", "expected"), [((1365, 768), (192, 108)), ((50, 400), (24, 192))])
def test_thumbnail_fits_the_side_and_keeps_the_aspect(
    size: tuple[int, int], expected: tuple[int, int]
) -> None:
    thumbnail = Image.open(io.BytesIO(make_thumbnail(images.screenshot(*size))))
    assert max(thumbnail.size) == THUMBNAIL_SIDE
    assert thumbnail.size == expected


def test_a_small_image_is_not_enlarged_for_its_thumbnail() -> None:
    thumbnail = Image.open(io.BytesIO(make_thumbnail(images.screenshot(120, 80))))
    assert thumbnail.size == (120, 80)
