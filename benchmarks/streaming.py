"""Streaming benchmark: does the window keep up with a fast, long Markdown answer?

The real main window (offscreen) talks to the emulator in its own process, which answers every
question with the same ~2,000-token Markdown answer (headings, prose with inline code and
formulas, lists, tables, Python code, display math; `visiondesk emulator --answer-file`).
A token is one of the emulator's deltas (a word with its trailing space). Three such answers
are asked for in one conversation at 200 tokens/s, and one more at 1,000 tokens/s.

- tokens/s in the window: the answer's tokens divided by the time from the first delta the
  window's process read to the moment its view had drawn the whole answer; the emulator's own
  pace is measured in the same run by a bare HTTP reader of the same stream (no window);
- CPU: the window process's CPU time (every thread: SDK, HTTP, history, Qt) over the wall
  time of the same span, in % of one core;
- at 1,000 tokens/s: nothing dropped (the answer the model holds equals the file the emulator
  sent, and the blocks the view drew equal a one-shot render of it), the time from the last
  delta read to the view having drawn it all, and from the emulator's last delta (its pace
  measured by the bare reader) to the same moment.

The same three answers are also run with the whole-text render of before (`render_blocks` on
the whole answer at every redraw) and with a plain-text answer of as many tokens (no Markdown),
in the same run, so the figures compare across machines.

    QT_QPA_PLATFORM=offscreen python benchmarks/streaming.py [--answers 3] [--only now]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from visiondesk.emulator.answers import deltas  # noqa: E402

TARGET_RATE = 190.0
TARGET_CPU = 35.0
TARGET_LAG = 1.0
TOKENS = 2000


def long_answer(tokens: int = TOKENS) -> str:
    """A Markdown answer of about `tokens` deltas, as a model writes one: sections of prose
    with inline code and math, a list, a table, a code block and a display formula."""
    parts: list[str] = []
    section = 0
    while len(deltas("".join(parts))) < tokens:
        section += 1
        n = section
        parts.append(
            f"## Step {n}: reading the picture\n\n"
            f"The harbour in the image is about `{n * 12} m` wide, and with a scale of "
            f"$s = {n}/{n + 3}$ the visible area is $A = \\pi r^{{{n % 5 + 2}}}$ square metres. "
            "The boats near the crane are moored in pairs, which suggests a tidal berth; the "
            "gulls on the breakwater face the wind, so it blows from the sea.\n\n"
            f"- boats: {n + 11}, most of them small\n"
            f"- cranes: {n % 3 + 1}, one of them **moving**\n"
            "- people on the quay: a few, in *yellow* jackets\n\n"
            "| object | count | confidence |\n|---|---|---|\n"
            f"| boat | {n + 11} | 0.9{n % 10} |\n| crane | {n % 3 + 1} | 0.8{n % 10} |\n"
            f"| gull | {3 * n} | 0.7{n % 10} |\n\n"
            "To count them yourself:\n\n"
            "```python\n"
            "def count(objects, kind):\n"
            f'    """Objects of one kind, step {n}."""\n'
            "    total = 0\n"
            "    for item in objects:\n"
            "        if item.kind == kind and item.score > 0.5:\n"
            "            total += 1\n"
            "    return total\n"
            "```\n\n"
            f"$$\\sum_{{i=1}}^{{{n + 2}}} x_i = \\frac{{{n}}}{{2}}$$\n\n"
        )
    return "".join(parts)


def plain_answer(tokens: int = TOKENS) -> str:
    """As many tokens of prose without any Markdown: one paragraph after another."""
    words = "the boats near the crane are moored in pairs which suggests a tidal berth".split()
    out = []
    for index in range(tokens):
        out.append(words[index % len(words)] + ("\n\n" if index % 60 == 59 else " "))
    return "".join(out)


def start_emulator(answer: Path, token_delay: float) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "visiondesk", "emulator", "--port", "0"]
    command += ["--token-delay", str(token_delay), "--answer-file", str(answer)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    line = process.stdout.readline()
    if "listening on" not in line:
        process.kill()
        raise RuntimeError(f"the emulator did not start: {line!r}")
    return process, line.rsplit(" ", 1)[-1].strip()


def bare_read(base_url: str) -> float:
    """Seconds from the first to the last delta of one answer, read with nothing else to do."""
    import http.client
    import json
    from urllib.parse import urlsplit

    url = urlsplit(base_url)
    body = {"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "?"}]}
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
    connection.request(
        "POST",
        url.path + "/chat/completions",
        json.dumps(body),
        {"Content-Type": "application/json"},
    )
    response = connection.getresponse()
    first = last = 0.0
    for line in response:
        if b'"content":' in line and b'"content": ""' not in line:
            last = time.perf_counter()
            first = first or last
    connection.close()
    return last - first


async def bench_window(base_url: str, folder: Path, width: int, height: int) -> Any:
    """The real main window on a profile of `base_url` (Chat, gpt-4o), its history in
    `folder`, once it is connected and its start-up jobs have ended: its Controller."""
    from visiondesk.config.profiles import Profile, ProviderKind
    from visiondesk.config.secrets import Secrets
    from visiondesk.domain import ApiMode
    from visiondesk.store import History
    from visiondesk.ui.window.controller import Controller
    from visiondesk.ui.window.main_window import MainWindow
    from visiondesk.workspace import ConnectionState

    window = MainWindow()
    window.resize(width, height)
    profile = Profile(
        "Bench",
        ProviderKind.COMPATIBLE,
        base_url,
        api_key_env="",
        model="gpt-4o",
        mode=ApiMode.CHAT,
    )
    controller = Controller(
        window,
        profiles={"bench": profile},
        secrets=Secrets(use_keyring=False),
        history=History(folder / "history"),
    )
    window.show()
    controller.start([])
    workspace = controller.workspace
    while workspace.status.state is not ConnectionState.CONNECTED:
        await asyncio.sleep(0.02)
    while workspace.jobs.keys():
        await asyncio.sleep(0.02)
    return controller


@dataclass
class Answer:
    tokens: int
    rate: float
    """Tokens a second from the first delta read to the whole answer drawn."""
    cpu: float
    """% of one core over the same span."""
    lag: float
    """Seconds from the last delta read to the whole answer drawn."""
    intact: bool
    draws: int


@dataclass
class Probe:
    """What the window did, seen from the model and from the view's draws."""

    first_delta: float = 0.0
    last_delta: float = 0.0
    cpu_at_first: float = 0.0
    drawn_complete: float = 0.0
    cpu_at_drawn: float = 0.0
    draws: int = 0
    target: str = ""
    blocks: list[object] = field(default_factory=list)


def conversation(base_url: str, text: str, answers: int) -> list[Answer]:
    import qasync
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from visiondesk.render import Prose, render_blocks
    from visiondesk.ui.app import make_app
    from visiondesk.ui.main_thread_gc import MainThreadCollector
    from visiondesk.ui.transcript import rows
    from visiondesk.workspace import TurnStatus

    app = make_app([])
    probe = Probe(target=text)
    original_draw = rows.TurnRow.draw

    def draw(self: rows.TurnRow, item: Any, palette: Any, *args: Any) -> bool:
        drawn = original_draw(self, item, palette, *args)
        answer = getattr(item, "answer", "")
        if drawn and answer and item is not None:
            probe.draws += 1
            if answer == probe.target and not probe.drawn_complete:
                probe.drawn_complete = time.perf_counter()
                probe.cpu_at_drawn = time.process_time()
                probe.blocks = [part.shown for part in self.answer.body.parts]
        return drawn

    rows.TurnRow.draw = draw  # type: ignore[method-assign, assignment]
    results: list[Answer] = []

    async def scenario() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            controller = await bench_window(base_url, Path(tmp), 1100, 850)
            window, workspace = controller.window, controller.workspace

            def arrived(turn: object, _text: str) -> None:
                now = time.perf_counter()
                if not probe.first_delta:
                    probe.first_delta, probe.cpu_at_first = now, time.process_time()
                probe.last_delta = now

            workspace.transcript.appended.connect(arrived)
            for number in range(answers):
                probe.first_delta = probe.last_delta = probe.drawn_complete = 0.0
                probe.draws = 0
                QTest.keyClicks(window.composer, f"Question {number + 1}: what is in it?")
                QTest.keyClick(window.composer, Qt.Key.Key_Return)
                while not probe.drawn_complete:
                    await asyncio.sleep(0.005)
                turn = workspace.transcript.turns[-1]
                while turn.status is not TurnStatus.DONE or workspace.busy:
                    await asyncio.sleep(0.01)
                    turn = workspace.transcript.turns[-1]
                span = probe.drawn_complete - probe.first_delta
                cpu = probe.cpu_at_drawn - probe.cpu_at_first
                expected = [
                    block.html if isinstance(block, Prose) else block
                    for block in render_blocks(text)
                ]
                same_blocks = [shown[0] for shown in probe.blocks] == expected  # type: ignore[index]
                results.append(
                    Answer(
                        tokens=len(deltas(turn.answer)),
                        rate=len(deltas(text)) / span,
                        cpu=100 * cpu / span,
                        lag=probe.drawn_complete - probe.last_delta,
                        intact=turn.answer == text and same_blocks,
                        draws=probe.draws,
                    )
                )
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
    return results


def run_case(name: str, delay: float, answers: int) -> list[Answer]:
    """One conversation in a fresh window process (this script again, in `--case` mode)."""
    command = [sys.executable, __file__, "--case", name, "--delay", str(delay)]
    command += ["--answers", str(answers)]
    out = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{out.stderr[-3000:]}")
    found = []
    for line in out.stdout.splitlines():
        if line.startswith("ANSWER "):
            tokens, rate, cpu, lag, intact, draws = line.split()[1:]
            found.append(
                Answer(int(tokens), float(rate), float(cpu), float(lag), intact == "1", int(draws))
            )
    return found


def case_main(name: str, delay: float, answers: int) -> int:
    text = plain_answer() if name == "plain" else long_answer()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answer.md"
        path.write_text(text, encoding="utf-8")
        process, base_url = start_emulator(path, delay)
        try:
            if name == "before":  # every redraw parses the whole answer, highlights all code
                from visiondesk import render

                def whole(
                    self: render.BlockRenderer,
                    text: str,
                    dark: bool = False,
                    streaming: bool = False,
                ) -> list[render.Block]:
                    return render.render_blocks(text, dark, streaming)

                render.BlockRenderer.blocks = whole  # type: ignore[method-assign]
            for result in conversation(base_url, text, answers):
                print(
                    f"ANSWER {result.tokens} {result.rate:.2f} {result.cpu:.2f} "
                    f"{result.lag:.4f} {int(result.intact)} {result.draws}",
                    flush=True,
                )
        finally:
            process.terminate()
            process.wait(timeout=10)
    return 0


def emulator_pace(delay: float) -> float:
    """Tokens a second the emulator sends the long answer at, read by a bare client."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answer.md"
        text = long_answer()
        path.write_text(text, encoding="utf-8")
        process, base_url = start_emulator(path, delay)
        try:
            return len(deltas(text)) / bare_read(base_url)
        finally:
            process.terminate()
            process.wait(timeout=10)


def show(name: str, results: list[Answer]) -> None:
    for number, result in enumerate(results, 1):
        print(
            f"    {name:<8} answer {number}: {result.rate:6.1f} tokens/s, CPU {result.cpu:5.1f}% "
            f"of a core, {result.draws:4d} draws, drawn {result.lag * 1000:4.0f} ms after the "
            f"last delta, {'intact' if result.intact else 'NOT INTACT'}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=3)
    parser.add_argument("--only", choices=["now", "before", "plain"], action="append")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--delay", type=float, default=0.005, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.case:
        return case_main(options.case, options.delay, options.answers)
    cases = options.only or ["now", "before", "plain"]
    pace = emulator_pace(0.005)
    print(
        f"{len(deltas(long_answer()))}-token Markdown answers, {options.answers} in one "
        f"conversation; the emulator sends at {pace:.0f} tokens/s (nominal 200; bare reader)"
    )
    runs = {}
    for name in cases:
        runs[name] = run_case(name, 0.005, options.answers)
        show(name, runs[name])
    ok = True
    if "now" in runs:
        worst_rate = min(r.rate for r in runs["now"])
        worst_cpu = max(r.cpu for r in runs["now"])
        rate_ok, cpu_ok = worst_rate >= TARGET_RATE, worst_cpu <= TARGET_CPU
        print(
            f"    slowest answer {worst_rate:.0f} tokens/s [target ≥ {TARGET_RATE:.0f}: "
            f"{'PASS' if rate_ok else 'MISS'}], most CPU {worst_cpu:.0f}% [target ≤ "
            f"{TARGET_CPU:.0f}%: {'PASS' if cpu_ok else 'MISS'}]"
        )
        for other, label in (("before", "whole-text render"), ("plain", "plain-text answer")):
            if other in runs:
                pairs = list(zip(runs["now"], runs[other], strict=False))
                print(
                    f"    now / {label}, per answer: tokens/s "
                    + ", ".join(f"{a.rate / b.rate:.2f}×" for a, b in pairs)
                    + "; CPU "
                    + ", ".join(f"{a.cpu / b.cpu:.2f}×" for a, b in pairs)
                )
        fast = run_case("now", 0.001, 1)
        fast_pace = emulator_pace(0.001)
        print(f"at 1,000 tokens/s (the emulator sends at {fast_pace:.0f} tokens/s, bare reader)")
        show("now", fast)
        # The emulator's last delta left `tokens / pace` after its first, which the window read
        # at once (the bare reader shows that it reads the first delta as it is sent).
        late = [r.tokens / r.rate - r.tokens / fast_pace for r in fast]
        print(
            "    drawn whole "
            + ", ".join(f"{seconds:.2f} s" for seconds in late)
            + " after the emulator sent the last delta"
        )
        fast_ok = all(r.intact for r in fast) and all(s <= TARGET_LAG for s in late)
        print(
            f"    nothing dropped and complete within {TARGET_LAG:.0f} s of the stream's end: "
            f"{'PASS' if fast_ok else 'MISS'}"
        )
        ok = rate_ok and cpu_ok and fast_ok
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
