"""The price table (US$ per million tokens: input, cached input, output) for costs and
estimates, kept as `prices.json` in the config folder so a person can correct it; the defaults
say where and when they were taken."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from visiondesk.config.paths import config_dir

DEFAULTS_TAKEN = "2025-08-07"
"""When the default prices were copied from the provider's pricing page."""
DEFAULTS_SOURCE = "https://openai.com/api/pricing/ (standard tier)"
DEFAULT_PRICES: dict[str, tuple[float, float, float]] = {
    # input, cached input, output
    "gpt-4o": (2.50, 1.25, 10.00),
    "gpt-4o-mini": (0.15, 0.075, 0.60),
    "gpt-4.1": (2.00, 0.50, 8.00),
    "gpt-4.1-mini": (0.40, 0.10, 1.60),
    "gpt-4.1-nano": (0.10, 0.025, 0.40),
    "o4-mini": (1.10, 0.275, 4.40),
    "o3": (2.00, 0.50, 8.00),
    "gpt-5": (1.25, 0.125, 10.00),
    "gpt-5-mini": (0.25, 0.025, 2.00),
    "gpt-5-nano": (0.05, 0.005, 0.40),
}
MAX_FILE_BYTES = 1_000_000
"""A price table is a few kilobytes: a bigger file is not read."""
BATCH_DISCOUNT = 0.5
"""The Batch API bills half the live price (API-FACTS §9)."""


@dataclass(frozen=True, slots=True)
class Price:
    input_per_million: float
    output_per_million: float
    cached_input_per_million: float | None = None
    """None: the model has no cached price (cached tokens cost as any input)."""

    def cost(
        self, input_tokens: int, output_tokens: int = 0, batch: bool = False, cached: int = 0
    ) -> float:
        """US$ for the tokens; `cached` of the `input_tokens` at the cached price."""
        cached = max(0, min(cached, input_tokens))
        cached_price = self.cached_input_per_million
        if cached_price is None:
            cached_price = self.input_per_million
        total = (
            (input_tokens - cached) * self.input_per_million
            + cached * cached_price
            + output_tokens * self.output_per_million
        ) / 1_000_000
        return total * (BATCH_DISCOUNT if batch else 1.0)


@dataclass(frozen=True, slots=True)
class PriceTable:
    taken: str
    prices: dict[str, Price] = field(default_factory=dict)
    source: str = ""
    """Where the prices were copied from (a person's own table says what they wrote)."""

    def price(self, model: str) -> Price | None:
        """The price of `model`, or of the longest known name it starts with (dated names)."""
        name = model.strip().lower().rsplit("/", 1)[-1]
        best = max(
            (known for known in self.prices if name == known or name.startswith(known + "-")),
            key=len,
            default=None,
        )
        return self.prices[best] if best is not None else None

    def cost_of(
        self, model: str, input_tokens: int, output_tokens: int, cached: int = 0
    ) -> float | None:
        """US$ for an answer's tokens at `model`'s price; None where that price is not known."""
        price = self.price(model)
        return None if price is None else price.cost(input_tokens, output_tokens, cached=cached)

    @classmethod
    def defaults(cls) -> PriceTable:
        prices = {m: Price(i, o, c) for m, (i, c, o) in DEFAULT_PRICES.items()}
        return cls(DEFAULTS_TAKEN, prices, DEFAULTS_SOURCE)

    @classmethod
    def load(cls, path: Path | None = None) -> PriceTable:
        """The table in the config folder, written with the defaults the first time; a file
        that cannot be read gives the defaults (estimates are never worth an error)."""
        path = path or config_dir() / "prices.json"
        if not path.exists():
            table = cls.defaults()
            with contextlib.suppress(OSError):
                table.save(path)
            return table
        try:
            if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
                return cls.defaults()  # a special file, or no price table this big
            data = json.loads(path.read_text(encoding="utf-8"))
            prices = {
                str(model): Price(
                    float(entry["input"]),
                    float(entry["output"]),
                    None if entry.get("cached_input") is None else float(entry["cached_input"]),
                )
                for model, entry in data["models"].items()
            }
            return cls(str(data.get("taken", "unknown")), prices, str(data.get("source", "")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls.defaults()

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "taken": self.taken,
            "source": self.source,
            "unit": "US$ per 1M tokens",
            "models": {
                model: {
                    "input": p.input_per_million,
                    "cached_input": p.cached_input_per_million,
                    "output": p.output_per_million,
                }
                for model, p in self.prices.items()
            },
        }
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
