"""The small pieces of a batch: finding images, the price table, splitting input files,
adaptive concurrency."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from visiondesk.batch.limits import AdaptiveLimit
from visiondesk.batch.provider import parts_needed
from visiondesk.batch.scan import file_sha256, find_images
from visiondesk.config.prices import DEFAULTS_TAKEN, PriceTable


def test_folders_are_walked_in_name_order_skipping_hidden_and_other_files(tmp_path: Path) -> None:
    for name in ("b.png", "a.JPG", "notes.txt", ".hidden.png", "sub/c.webp", ".git/d.png"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    names = [p.relative_to(tmp_path).as_posix() for p in find_images([tmp_path])]
    assert names == ["a.JPG", "b.png", "sub/c.webp"]
    flat = [p.name for p in find_images([tmp_path], recursive=False)]
    assert flat == ["a.JPG", "b.png"]
    # a file named on its own is always taken (and refused later if it is no image)
    both = list(find_images([tmp_path / "notes.txt", tmp_path / "b.png", tmp_path]))
    assert [p.name for p in both][:2] == ["notes.txt", "b.png"] and len(both) == 4


def test_an_unreadable_file_still_gets_a_key(tmp_path: Path) -> None:
    assert file_sha256(tmp_path / "missing.png").startswith("unreadable:")


def test_the_price_table_is_written_with_its_date_and_can_be_edited(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    table = PriceTable.load(path)
    assert json.loads(path.read_text())["taken"] == DEFAULTS_TAKEN == table.taken
    price = table.price("gpt-4o-2024-08-06")
    assert price is not None and price.cost(1_000_000) == pytest.approx(2.5)
    assert price.cost(1_000_000, batch=True) == pytest.approx(1.25)
    assert table.price("gpt-4o-mini") != price and table.price("my-local-llava") is None
    path.write_text(
        json.dumps({"taken": "2030-01-01", "models": {"llava": {"input": 1, "output": 2}}})
    )
    edited = PriceTable.load(path)
    assert edited.taken == "2030-01-01" and edited.price("llava") is not None
    path.write_text("{broken")
    assert PriceTable.load(path).taken == DEFAULTS_TAKEN


def test_input_files_split_at_the_line_and_byte_limits() -> None:
    assert parts_needed([]) == 0
    assert parts_needed([10] * 7, max_lines=3) == 3
    assert parts_needed([60, 50, 50], max_bytes=100) == 2


def test_concurrency_halves_on_rate_limits_and_grows_back() -> None:
    async def scenario() -> list[int]:
        limit = AdaptiveLimit(8, grow_after=2)
        seen = [limit.limit]
        limit.rate_limited()
        limit.rate_limited()
        seen.append(limit.limit)
        for _ in range(4):
            await limit.acquire()
            await limit.release()
            await limit.succeeded()
        seen.append(limit.limit)
        return seen

    assert asyncio.run(scenario()) == [8, 2, 4]
