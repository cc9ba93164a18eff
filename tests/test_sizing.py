"""The size and token rules of API-FACTS §5, checked against the worked examples."""

from __future__ import annotations

import pytest

from visiondesk.domain import Detail
from visiondesk.imaging import sizing
from visiondesk.imaging.models import DEFAULT_RULE, PatchBudget, PatchRule, TileRule, rule_for

GPT_4O = TileRule(85, 170)


def test_1024_square_costs_765_tokens_on_gpt_4o() -> None:
    plan = sizing.plan(rule_for("gpt-4o")[0], Detail.HIGH, 1024, 1024)
    assert (plan.width, plan.height, plan.tokens) == (768, 768, 765)


def test_2048_by_4096_costs_1105_tokens() -> None:
    plan = sizing.plan(GPT_4O, Detail.HIGH, 2048, 4096)
    assert (plan.width, plan.height, plan.tokens) == (768, 1536, 1105)


def test_largest_tile_image_costs_1445() -> None:
    assert sizing.plan(GPT_4O, Detail.HIGH, 768, 2048).tokens == 1445
    assert sizing.plan(GPT_4O, Detail.HIGH, 10_000, 30_000).tokens <= 1445


def test_patch_budget_1536_gives_1056_by_1408_and_1452_patches() -> None:
    size = sizing.patch_size(1800, 2400, PatchBudget(1536, 2048))
    assert size == (1056, 1408)
    assert sizing.patches(*size) == 1452


def test_patch_budget_2500_with_multiplier() -> None:
    rule = PatchRule(1.2, PatchBudget(2500, 2048))
    plan = sizing.plan(rule, Detail.HIGH, 2048, 2048)
    assert (plan.width, plan.height, plan.tokens) == (1600, 1600, 3000)


def test_gpt_4_1_mini_uses_its_patch_rule() -> None:
    rule, known = rule_for("gpt-4.1-mini-2025-04-14")
    assert known
    assert isinstance(rule, PatchRule)
    plan = sizing.plan(rule, Detail.HIGH, 1800, 2400)
    assert (plan.width, plan.height) == (1056, 1408)
    assert plan.tokens == 2353  # ceil(1452 × 1.62)


def test_low_detail_is_base_tokens_and_512_box() -> None:
    plan = sizing.plan(GPT_4O, Detail.LOW, 4000, 3000)
    assert (plan.width, plan.height, plan.tokens) == (512, 384, 85)


def test_never_upscales() -> None:
    for detail in Detail:
        plan = sizing.plan(GPT_4O, detail, 100, 50)
        assert (plan.width, plan.height) == (100, 50)
    plan = sizing.plan(rule_for("gpt-5.6")[0], Detail.ORIGINAL, 300, 200)
    assert (plan.width, plan.height) == (300, 200)


def test_original_on_a_tile_model_is_sent_as_high_with_a_note() -> None:
    plan = sizing.plan(GPT_4O, Detail.ORIGINAL, 1024, 1024)
    assert plan.detail is Detail.HIGH
    assert plan.note
    assert "original" in plan.note


def test_gpt_5_6_original_stays_within_30000_patches() -> None:
    rule = rule_for("gpt-5.6")[0]
    plan = sizing.plan(rule, Detail.ORIGINAL, 7952, 5304)  # the observed 400 in API-FACTS
    assert sizing.patches(plan.width, plan.height) <= 30_000
    assert plan.detail is Detail.ORIGINAL
    # 4800×6400 is exactly 30,000 patches and goes through untouched.
    plan = sizing.plan(rule, Detail.ORIGINAL, 4800, 6400)
    assert (plan.width, plan.height) == (4800, 6400)


def test_gpt_5_5_auto_means_original() -> None:
    rule = rule_for("gpt-5.5")[0]
    plan = sizing.plan(rule, Detail.AUTO, 4000, 3000)
    assert sizing.patches(plan.width, plan.height) <= 10_000
    assert sizing.patches(plan.width, plan.height) > 2500


def test_gpt_5_4_low_uses_the_6144_budget() -> None:
    rule = rule_for("gpt-5.4")[0]
    plan = sizing.plan(rule, Detail.LOW, 4000, 3000)
    assert max(plan.width, plan.height) <= 2048
    assert 2500 < sizing.patches(plan.width, plan.height) <= 6144


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o", TileRule(85, 170)),
        ("gpt-4o-2024-08-06", TileRule(85, 170)),
        ("gpt-4o-mini", TileRule(2833, 5667)),
        ("openai/gpt-4o-mini", TileRule(2833, 5667)),
        ("gpt-5", TileRule(70, 140)),
        ("o1", TileRule(75, 150)),
        ("o3-mini", TileRule(75, 150)),
    ],
)
def test_model_lookup_takes_the_longest_prefix(model: str, expected: TileRule) -> None:
    assert rule_for(model) == (expected, True)


def test_unknown_models_fall_back_to_the_tile_rule() -> None:
    assert rule_for("llava:13b") == (DEFAULT_RULE, False)
    assert rule_for("gpt-5.4x") == (DEFAULT_RULE, False)  # not a prefix match at a boundary
