"""`visiondesk prices`: the price table every cost VisionDesk shows is computed from — where
and when its prices were taken, and the file to edit when they change."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from visiondesk.commands import COMMANDS
from visiondesk.escaping import for_terminal, json_line

EXIT_OK = 0


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "prices",
        help=COMMANDS["prices"].summary,
        description="Print the price table (US$ per million tokens: input, cached input, "
        "output) with its source and date, and the file it is read from (prices.json in the "
        "config folder, written with the defaults the first time; edit it when the prices "
        "change). Exit 0.",
    )
    parser.add_argument("--json", action="store_true", help="the table as one JSON object")
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    from visiondesk.config.paths import config_dir
    from visiondesk.config.prices import PriceTable

    path = config_dir() / "prices.json"
    table = PriceTable.load(path)
    if options.json:
        models = {
            model: {
                "input": price.input_per_million,
                "cached_input": price.cached_input_per_million,
                "output": price.output_per_million,
            }
            for model, price in sorted(table.prices.items())
        }
        record = {
            "taken": table.taken,
            "source": table.source,
            "file": str(path),
            "unit": "US$ per 1M tokens",
            "models": models,
        }
        print(json_line(record))
        return EXIT_OK
    out = sys.stdout
    out.write(
        for_terminal(f"Prices of {table.taken}, from {table.source or 'your own table'}") + "\n"
    )
    out.write(for_terminal(f"(US$ per 1M tokens; edit {path})") + "\n\n")
    width = max((len(model) for model in table.prices), default=5)
    out.write(f"{'model':<{width}}  {'input':>8}  {'cached':>8}  {'output':>8}\n")
    for model, price in sorted(table.prices.items()):
        cached = price.cached_input_per_million
        shown = "—" if cached is None else f"{cached:.3f}"
        out.write(
            for_terminal(
                f"{model:<{width}}  {price.input_per_million:>8.3f}  {shown:>8}  "
                f"{price.output_per_million:>8.3f}"
            )
            + "\n"
        )
    return EXIT_OK
