"""Compare benchmark: do four columns stream as fast as one answer does?

The real main window (offscreen) talks to the emulator in its own process, which answers every
request with the same ~2,000-token Markdown answer at 200 tokens/s (`benchmarks/streaming.py`'s
answer and emulator). In the same run, in the same window:

- a first ordinary send in Responses and in Chat (the SDK builds a mode's types on its first
  use, which a cold send pays however many columns there are: printed, not compared), then per
  round one ordinary send (the baseline) and a compare of four columns (gpt-4o Chat high,
  gpt-4.1-mini Responses low, gpt-4o Chat low, gpt-4.1 Responses high);
- first token: from Enter to the column's first delta drawn in the window (the baseline: the
  single answer's), and the difference per column (target: within 50 ms of the baseline);
- tokens/s per column: the answer's tokens over the time from its first delta read to its
  whole answer drawn (target: every column ≥ 190 tokens/s while all four stream at once);
- a bare reader of four concurrent streams (no window) measures the emulator's own pace, so
  the figures compare across machines.

The question carries no image: the time is the window's and the streams', not Pillow's (an
image the draft prepared already is taken as it is by every column that sends it so).

    QT_QPA_PLATFORM=offscreen python benchmarks/compare.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from streaming import bare_read, bench_window, long_answer, start_emulator  # noqa: E402

from visiondesk.emulator.answers import deltas  # noqa: E402

TARGET_FIRST_MS = 50.0
TARGET_RATE = 190.0
COLUMNS = 4


@dataclass
class Stream:
    """One answer as the window saw it."""

    asked: float = 0.0
    first_read: float = 0.0
    first_drawn: float = 0.0
    complete_drawn: float = 0.0

    def first_ms(self) -> float:
        return 1000 * (self.first_drawn - self.asked)

    def rate(self, tokens: int) -> float:
        return tokens / (self.complete_drawn - self.first_read)


@dataclass
class Round:
    single: Stream
    columns: list[Stream] = field(default_factory=list)


def bare_pace(base_url: str, tokens: int, streams: int) -> float:
    """The slowest of `streams` concurrent bare readers, in tokens/s."""
    spans: list[float] = []
    threads = [
        threading.Thread(target=lambda: spans.append(bare_read(base_url))) for _ in range(streams)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tokens / max(spans)


def run(base_url: str, text: str, rounds: int, cold: list[tuple[str, float]]) -> list[Round]:
    """`cold`: each mode's first single send, (mode, first token ms), filled in."""
    import qasync
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from visiondesk.compare import ColumnSpec
    from visiondesk.domain import ApiMode, Detail
    from visiondesk.ui.app import make_app
    from visiondesk.ui.compare import column_view
    from visiondesk.ui.main_thread_gc import MainThreadCollector
    from visiondesk.ui.transcript import rows

    app = make_app([])
    watching: dict[Any, Stream] = {}
    """What is being drawn (a row or a column's turn view) → its stream."""
    current: list[Stream] = []

    original_draw = rows.TurnRow.draw

    def draw(self: rows.TurnRow, item: Any, palette: Any, *args: Any) -> bool:
        drawn = original_draw(self, item, palette, *args)
        answer = getattr(item, "answer", "")
        if drawn and answer and current:
            stream = current[0]
            stream.first_drawn = stream.first_drawn or time.perf_counter()
            if answer == text and not stream.complete_drawn:
                stream.complete_drawn = time.perf_counter()
        return drawn

    original_show = column_view.TurnView.show_turn

    def show_turn(self: column_view.TurnView, turn: Any, scheme: Any, dark: bool) -> None:
        original_show(self, turn, scheme, dark)
        stream = watching.get(self)
        if stream is not None and turn.answer:
            stream.first_drawn = stream.first_drawn or time.perf_counter()
            if turn.answer == text and not stream.complete_drawn:
                stream.complete_drawn = time.perf_counter()

    rows.TurnRow.draw = draw  # type: ignore[method-assign, assignment]
    column_view.TurnView.show_turn = show_turn  # type: ignore[method-assign]
    results: list[Round] = []

    async def scenario() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            controller = await bench_window(base_url, Path(tmp), 1600, 900)
            window, workspace = controller.window, controller.workspace

            def read_single(_turn: object, _text: str) -> None:
                if current and not current[0].first_read:
                    current[0].first_read = time.perf_counter()

            workspace.transcript.appended.connect(read_single)
            columns: list[Stream] = []

            def read_column(place: int, _text: str) -> None:
                if place < len(columns) and not columns[place].first_read:
                    columns[place].first_read = time.perf_counter()

            workspace.compare.text_appended.connect(read_column)
            specs = [
                ColumnSpec("gpt-4o", ApiMode.CHAT, Detail.HIGH),
                ColumnSpec("gpt-4.1-mini", ApiMode.RESPONSES, Detail.LOW),
                ColumnSpec("gpt-4o", ApiMode.CHAT, Detail.LOW),
                ColumnSpec("gpt-4.1", ApiMode.RESPONSES, Detail.HIGH),
            ]

            async def single_send(stream: Stream, prompt: str) -> None:
                workspace.library.new()
                current[:] = [stream]
                QTest.keyClicks(window.composer, prompt)
                stream.asked = time.perf_counter()
                QTest.keyClick(window.composer, Qt.Key.Key_Return)
                while not stream.complete_drawn or workspace.busy:
                    await asyncio.sleep(0.005)
                current.clear()
                await asyncio.sleep(0.3)

            # The SDK builds its types for a mode on first use: a cold first send in a mode
            # pays that whatever the number of columns. One in each mode first, measured.
            for mode in (ApiMode.RESPONSES, ApiMode.CHAT):
                workspace.set_mode(mode)
                stream = Stream()
                await single_send(stream, "Warming up")
                cold.append((mode.label, stream.first_ms()))
            for number in range(rounds):
                single = Stream()
                await single_send(single, f"Question {number + 1}: what is in it?")
                workspace.compare.start([("bench", spec) for spec in specs])
                columns[:] = [Stream() for _ in specs]
                QTest.keyClicks(window.composer, f"Question {number + 1}: what is in it?")
                await asyncio.sleep(0.05)  # the view has its columns; no turn views yet
                asked = time.perf_counter()
                for stream in columns:
                    stream.asked = asked
                QTest.keyClick(window.composer, Qt.Key.Key_Return)
                view = controller.compare_view.view
                for place, column in enumerate(view.columns):  # built with the first event
                    while not column.turn_views:
                        await asyncio.sleep(0)
                    watching[column.turn_views[-1]] = columns[place]
                while not all(s.complete_drawn for s in columns) or workspace.busy:
                    await asyncio.sleep(0.005)
                watching.clear()
                results.append(Round(single, list(columns)))
                workspace.compare.end()
                await asyncio.sleep(0.3)
            await controller.aclose()
            window.close()
            window.deleteLater()

    collector = MainThreadCollector(app)
    try:
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            runner.run(scenario())
    finally:
        collector.stop()
        rows.TurnRow.draw = original_draw  # type: ignore[method-assign]
        column_view.TurnView.show_turn = original_show  # type: ignore[method-assign]
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    text = long_answer()
    tokens = len(deltas(text))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answer.md"
        path.write_text(text, encoding="utf-8")
        process, base_url = start_emulator(path, 0.005)
        try:
            pace = bare_pace(base_url, tokens, COLUMNS)
            cold: list[tuple[str, float]] = []
            results = run(base_url, text, options.rounds, cold)
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(
        f"{tokens}-token Markdown answers at 200 tokens/s nominal; four bare readers at once "
        f"get {pace:.0f} tokens/s each (the emulator's own pace)"
    )
    print(
        "  a first send in each mode (one answer, cold): "
        + ", ".join(f"{mode} {ms:.0f} ms" for mode, ms in cold)
    )
    ok = True
    for number, result in enumerate(results, 1):
        base = result.single.first_ms()
        firsts = [stream.first_ms() for stream in result.columns]
        rates = [stream.rate(tokens) for stream in result.columns]
        late = max(firsts) - base
        print(
            f"  round {number}: one answer: first token drawn {base:.0f} ms after Enter, "
            f"{result.single.rate(tokens):.0f} tokens/s"
        )
        print(
            "    four columns: first token "
            + ", ".join(f"{ms:.0f}" for ms in firsts)
            + f" ms (latest {late:+.0f} ms against one answer), tokens/s "
            + ", ".join(f"{rate:.0f}" for rate in rates)
            + f" (ratio to the bare pace: {min(rates) / pace:.2f}×)"
        )
        first_ok, rate_ok = late <= TARGET_FIRST_MS, min(rates) >= TARGET_RATE
        print(
            f"    every first token within {TARGET_FIRST_MS:.0f} ms of one answer's: "
            f"{'PASS' if first_ok else 'MISS'}; every column ≥ {TARGET_RATE:.0f} tokens/s: "
            f"{'PASS' if rate_ok else 'MISS'}"
        )
        ok = ok and first_ok and rate_ok
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
