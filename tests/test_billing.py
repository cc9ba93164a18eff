"""The pipeline's token estimate against the emulator's independent bill (API-FACTS §5)."""

from __future__ import annotations

import pytest

from tests import images
from visiondesk.domain import Detail
from visiondesk.emulator.billing import image_tokens
from visiondesk.imaging import policy_for, prepare, sizing
from visiondesk.imaging.models import rule_for

MODELS = (
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-5",
    "o3",
    "computer-use-preview",
    "gpt-4.1-mini",
    "gpt-4.1-nano",
    "o4-mini",
    "gpt-5-nano",
    "gpt-5.2",
    "gpt-5.4",
    "gpt-5.4-mini",
    "gpt-5.5",
    "gpt-5.6",
    "gpt-6",
    "some-local-model",
)
SIZES = (
    (1, 1),
    (31, 33),
    (512, 512),
    (513, 200),
    (1024, 1024),
    (1365, 768),
    (1800, 2400),
    (2048, 4096),
    (3840, 2160),
    (4000, 3000),
    (7952, 5304),
    (100, 9000),
    (12_000, 800),
)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("detail", list(Detail))
def test_the_estimate_matches_the_bill_for_what_is_sent(model: str, detail: Detail) -> None:
    rule = rule_for(model)[0]
    for width, height in SIZES:
        plan = sizing.plan(rule, detail, width, height)
        billed = image_tokens(model, plan.detail.value, plan.width, plan.height)
        assert billed == plan.tokens, (model, detail, (width, height), (plan.width, plan.height))


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-5", "gpt-4o-mini", "o1"])
@pytest.mark.parametrize("detail", [Detail.LOW, Detail.HIGH])
def test_tile_models_bill_the_original_as_the_estimate(model: str, detail: Detail) -> None:
    """On tile models the server's own resize lands on the same tiles as ours."""
    rule = rule_for(model)[0]
    for width, height in SIZES:
        plan = sizing.plan(rule, detail, width, height)
        assert image_tokens(model, detail.value, width, height) == plan.tokens


def test_published_worked_examples() -> None:
    assert image_tokens("gpt-4o", "high", 1024, 1024) == 765
    assert image_tokens("gpt-4o", "high", 2048, 4096) == 1105
    assert image_tokens("gpt-4o", "high", 768, 2048) == 1445
    assert image_tokens("gpt-4o", "low", 4000, 3000) == 85
    assert image_tokens("gpt-4.1-mini", "high", 1800, 2400) == 2353  # 1452 patches × 1.62
    assert image_tokens("gpt-5.4", "high", 2048, 2048) == 3000


@pytest.mark.parametrize(
    ("model", "detail"), [("gpt-4o", "high"), ("gpt-4.1-mini", "high"), ("gpt-5.4", "original")]
)
def test_prepared_images_are_billed_what_they_were_estimated(model: str, detail: str) -> None:
    policy = policy_for("chat", model, detail)
    for width, height in ((4000, 3000), (900, 2600), (640, 480)):
        data = images.encode(images.photo(width, height, seed=width), "JPEG", quality=90)
        prepared = prepare(data, policy, label="photo.jpg", cache=None)
        assert prepared.width is not None and prepared.height is not None
        billed = image_tokens(model, prepared.detail.value, prepared.width, prepared.height)
        assert billed == prepared.tokens
