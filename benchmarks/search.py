"""Sidebar search over 2,000 conversations (4 turns each, answers of ~1,500 characters).

Prints the median time of each search against listing every conversation without a search
(the baseline, measured in the same run), and whether each stays under the 50 ms goal.

    python benchmarks/search.py [--conversations N] [--repeat N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from visiondesk.domain import Question  # noqa: E402
from visiondesk.store import History  # noqa: E402

GOAL_MS = 50.0
WORDS = (
    "the image shows a harbour with boats lighthouse cliffs sky clouds people street sign text "
    "reads menu price table chart axis label value screenshot window button error message code "
    "function variable photo taken evening light colour red blue green white small large left "
    "right corner background foreground detail"
).split()
SEARCHES = {
    "rare word": "zanzibar",  # in 1 conversation in 100
    "common word": "lighthouse",
    "no match": "xylophone",
    "percent sign": "100%",  # literal: only the conversations that say 100%
    "underscore": "snake_case",
}


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def fill(history: History, conversations: int, rng: random.Random) -> None:
    for n in range(conversations):
        title = sentence(rng, 5)
        conversation = history.create_conversation(title, "bench", "chat", "gpt-4o", "auto")
        for turn in range(4):
            question = sentence(rng, 15)
            if n % 100 == 0 and turn == 2:
                question += " zanzibar"
            if n % 50 == 0 and turn == 1:
                question += " 100% sure, snake_case"
            history.add_user_message(conversation, Question(question))
            answer = history.add_answer(conversation)
            history.checkpoint(answer, sentence(rng, 250), "complete")


def median_ms(history: History, search: str, repeat: int) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        found = len(history.conversations(search))
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=15)
    options = parser.parse_args()
    with History.temporary(prefix="visiondesk-bench-") as history:
        started = time.perf_counter()
        fill(history, options.conversations, random.Random(10))
        print(
            f"{options.conversations} conversations written in "
            f"{time.perf_counter() - started:.1f} s"
        )
        history.conversations("warm")  # the pages into the cache, as after the first search
        baseline, listed = median_ms(history, "", options.repeat)
        print(f"baseline: list all {listed} conversations   {baseline:6.1f} ms")
        worst = 0.0
        for name, search in SEARCHES.items():
            took, found = median_ms(history, search, options.repeat)
            worst = max(worst, took)
            print(
                f"search {name:<13} {search!r:<13} {found:5d} found {took:6.1f} ms "
                f"= {took / baseline:5.1f}× the listing"
            )
        verdict = "under" if worst < GOAL_MS else "OVER"
        print(f"slowest search {worst:.1f} ms: {verdict} the {GOAL_MS:.0f} ms goal")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
