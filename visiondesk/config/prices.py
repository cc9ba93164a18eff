"""The price table (US$ per million tokens) for cost estimates, kept as `prices.json` in the
config folder so a person can correct it; the defaults say the date they were taken."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from visiondesk.config.paths import config_dir

DEFAULTS_TAKEN = "2025-08-07"
"""When the default prices were copied from the provider's pricing page."""
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "o4-mini": (1.10, 4.40),
    "o3": (2.00, 8.00),
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
}
BATCH_DISCOUNT = 0.5
"""The Batch API bills half the live price (API-FACTS §9)."""


@dataclass(frozen=True, slots=True)
class Price:
    input_per_million: float
    output_per_million: float

    def cost(self, input_tokens: int, output_tokens: int = 0, batch: bool = False) -> float:
        total = (
            input_tokens * self.input_per_million + output_tokens * self.output_per_million
        ) / 1_000_000
        return total * (BATCH_DISCOUNT if batch else 1.0)


@dataclass(frozen=True, slots=True)
class PriceTable:
    taken: str
    prices: dict[str, Price] = field(default_factory=dict)

    def price(self, model: str) -> Price | None:
        """The price of `model`, or of the longest known name it starts with (dated names)."""
        name = model.strip().lower().rsplit("/", 1)[-1]
        best = max(
            (known for known in self.prices if name == known or name.startswith(known + "-")),
            key=len,
            default=None,
        )
        return self.prices[best] if best is not None else None

    @classmethod
    def defaults(cls) -> PriceTable:
        return cls(DEFAULTS_TAKEN, {m: Price(i, o) for m, (i, o) in DEFAULT_PRICES.items()})

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
            data = json.loads(path.read_text(encoding="utf-8"))
            prices = {
                str(model): Price(float(entry["input"]), float(entry["output"]))
                for model, entry in data["models"].items()
            }
            return cls(str(data.get("taken", "unknown")), prices)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls.defaults()

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "taken": self.taken,
            "unit": "US$ per 1M tokens",
            "models": {
                model: {"input": p.input_per_million, "output": p.output_per_million}
                for model, p in self.prices.items()
            },
        }
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
