"""`visiondesk prices` and the cost of an answer: the table's source and date, a person's own
table, cached input at its own price, and a reader that goes away early."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runs import run_cli
from visiondesk.config.prices import DEFAULTS_TAKEN, Price, PriceTable


def test_the_table_says_where_and_when_its_prices_were_taken(tmp_path: Path) -> None:
    done = run_cli("prices", "--json", env={"VISIONDESK_CONFIG_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    table = json.loads(done.stdout)
    assert table["taken"] == DEFAULTS_TAKEN and "openai.com" in table["source"]
    assert table["models"]["gpt-4o"] == {"input": 2.5, "cached_input": 1.25, "output": 10.0}
    assert Path(table["file"]) == tmp_path / "prices.json" and Path(table["file"]).exists()
    text = run_cli("prices", env={"VISIONDESK_CONFIG_DIR": str(tmp_path)}).stdout
    assert f"Prices of {DEFAULTS_TAKEN}" in text and str(tmp_path / "prices.json") in text
    assert any(
        line.split()[:4] == ["gpt-4o", "2.500", "1.250", "10.000"] for line in text.splitlines()
    )


def test_a_persons_own_table_is_the_one_used(tmp_path: Path) -> None:
    own = {
        "taken": "2026-12-01",
        "source": "our gateway's price list",
        "models": {"llava": {"input": 0, "output": 0}, "gpt-4o": {"input": 3, "output": 12}},
    }
    (tmp_path / "prices.json").write_text(json.dumps(own))
    table = json.loads(
        run_cli("prices", "--json", env={"VISIONDESK_CONFIG_DIR": str(tmp_path)}).stdout
    )
    assert table["taken"] == "2026-12-01" and table["source"] == "our gateway's price list"
    assert table["models"]["llava"] == {"input": 0.0, "cached_input": None, "output": 0.0}
    loaded = PriceTable.load(tmp_path / "prices.json")
    gpt = loaded.price("gpt-4o-2024-08-06")  # a dated name takes its model's price
    assert gpt is not None and gpt.cost(1_000_000, cached=500_000) == pytest.approx(3.0)


@pytest.mark.parametrize("content", [b"{not json", b"[]", b" " * 2_000_000])
def test_a_table_that_cannot_be_used_gives_the_defaults(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "prices.json"
    path.write_bytes(content)
    assert PriceTable.load(path) == PriceTable.defaults()


def test_cached_input_is_billed_at_the_cached_price() -> None:
    price = Price(2.0, 8.0, 0.5)
    assert price.cost(1_000_000, 0, cached=0) == pytest.approx(2.0)
    assert price.cost(1_000_000, 0, cached=600_000) == pytest.approx(0.4 * 2.0 + 0.6 * 0.5)
    assert price.cost(1000, 0, cached=5000) == pytest.approx(1000 * 0.5 / 1e6)  # at most all
    assert price.cost(1_000_000, 1_000_000, batch=True, cached=1_000_000) == pytest.approx(4.25)


def test_a_reader_that_has_gone_ends_it_quietly(tmp_path: Path) -> None:
    """`visiondesk prices | head -1`, made certain: the pipe's reader is closed before the
    command writes a byte."""
    env = {**os.environ, "VISIONDESK_CONFIG_DIR": str(tmp_path)}
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "visiondesk", "prices"],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            check=False,
        )
    finally:
        os.close(writer)
    assert done.returncode == 1 and done.stderr == ""
