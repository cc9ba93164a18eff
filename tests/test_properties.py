"""Property-based checks of the pipeline over random sizes, modes, orientations and policies."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from tests import images
from visiondesk.domain import ApiMode, Detail
from visiondesk.imaging import policy_for, prepare, sizing
from visiondesk.imaging.models import PatchRule, TileRule

WRITABLE = {
    "PNG": {"RGB", "RGBA", "L", "LA", "P", "I;16", "1"},
    "JPEG": {"RGB", "L", "CMYK"},
    "WEBP": {"RGB", "RGBA"},
    "TIFF": {"RGB", "RGBA", "L", "LA", "P", "CMYK", "I;16", "1"},
}
MODELS = ["gpt-4o", "gpt-4o-mini", "gpt-5", "gpt-4.1-mini", "gpt-5.4", "gpt-5.6", "llava"]


def limits_hold(model: str, detail: Detail, width: int, height: int) -> None:
    policy = policy_for(ApiMode.CHAT, model, detail)
    rule = policy.rule
    if detail is Detail.LOW and (isinstance(rule, TileRule) or rule.low is None):
        assert max(width, height) <= 512
    elif isinstance(rule, TileRule):
        assert max(width, height) <= 2048
        assert min(width, height) <= 768
    else:
        assert isinstance(rule, PatchRule)
        wants_original = detail is Detail.ORIGINAL or (
            detail is Detail.AUTO and rule.auto_is_original
        )
        budget = rule.original if wants_original and rule.original else None
        cap = budget.patches if budget else max(rule.high.patches, (rule.low or rule.high).patches)
        assert sizing.patches(width, height) <= cap


def aspect_kept(width: int, height: int, new_width: int, new_height: int) -> bool:
    """The new size has the original's aspect ratio within one pixel."""
    return (
        abs(new_width * height / width - new_height) <= 1
        or abs(new_height * width / height - new_width) <= 1
    )


@settings(max_examples=300, deadline=None)
@given(
    width=st.integers(1, 20_000),
    height=st.integers(1, 20_000),
    model=st.sampled_from(MODELS),
    detail=st.sampled_from(list(Detail)),
)
def test_planned_sizes_obey_the_policy_and_keep_the_aspect(
    width: int, height: int, model: str, detail: Detail
) -> None:
    policy = policy_for(ApiMode.CHAT, model, detail)
    plan = sizing.plan(policy.rule, detail, width, height)
    assert 1 <= plan.width <= width
    assert 1 <= plan.height <= height
    limits_hold(model, detail, plan.width, plan.height)
    assert aspect_kept(width, height, plan.width, plan.height)
    assert plan.tokens > 0


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    width=st.integers(1, 2600),
    height=st.integers(1, 2600),
    mode=st.sampled_from(["RGB", "RGBA", "L", "LA", "P", "CMYK", "I;16", "1"]),
    fmt=st.sampled_from(["PNG", "JPEG", "WEBP", "TIFF"]),
    orientation=st.integers(1, 8),
    detail=st.sampled_from([Detail.LOW, Detail.HIGH]),
    model=st.sampled_from(["gpt-4o", "gpt-4.1-mini"]),
)
def test_prepared_images_decode_to_the_declared_size_and_mime(
    width: int,
    height: int,
    mode: str,
    fmt: str,
    orientation: int,
    detail: Detail,
    model: str,
) -> None:
    source = images.photo(width, height).convert(mode)
    if mode not in WRITABLE[fmt]:
        fmt = "TIFF"
    exif = Image.Exif()
    exif[0x0112] = orientation
    params = {"exif": exif} if fmt != "TIFF" else {}
    data = images.encode(source, fmt, **params)
    policy = policy_for(ApiMode.CHAT, model, detail)
    prepared = prepare(data, policy, cache=None)
    with Image.open(io.BytesIO(prepared.data)) as out:
        out.load()
        assert out.size == (prepared.width, prepared.height)
        assert Image.MIME[out.format or ""] == prepared.mime
        assert out.mode in ("L", "RGB", "RGBA")
        assert not out.getexif()
    rotated = fmt != "TIFF" and orientation in (5, 6, 7, 8)
    upright = (height, width) if rotated else (width, height)
    assert (prepared.original_width, prepared.original_height) == upright
    plan = sizing.plan(policy.rule, detail, *upright)
    assert (prepared.width, prepared.height) == (plan.width, plan.height)
    assert prepared.width is not None
    assert prepared.height is not None
    limits_hold(model, detail, prepared.width, prepared.height)
    assert aspect_kept(*upright, prepared.width, prepared.height)
