"""Find in a 500-turn conversation (Ctrl+F): time from a keystroke in the find bar to its
matches highlighted and the current one scrolled into sight and painted, in the real
transcript, find bar and presenter (offscreen).

The conversation is reopened as the library does (the transcript builds its newest messages
and leaves the rest for a scroll); each figure is the median of --repeat runs, each on a
conversation of its own (nothing of its text read before):

- first letter typed at once after Ctrl+F (nothing read ahead): every message's text is read;
- first letter typed after the bar had read ahead (a person takes longer than that to type);
- each further letter (the texts are kept);
- Shift+F3 (the match before, in sight);
- F3 round the end to the first match, in the oldest turn, and a word only in the oldest
  turn (480 turns above what is built): the messages around it are built alone.

    QT_QPA_PLATFORM=offscreen python benchmarks/find.py [--turns 500] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QAction, QKeySequence  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget  # noqa: E402

from visiondesk.domain import ApiMode  # noqa: E402
from visiondesk.ui.app import make_app  # noqa: E402
from visiondesk.ui.transcript.find_bar import FindBar  # noqa: E402
from visiondesk.ui.transcript.find_presenter import FindPresenter  # noqa: E402
from visiondesk.ui.transcript.transcript_view import TranscriptView  # noqa: E402
from visiondesk.workspace import Transcript, TurnStatus  # noqa: E402

GOAL_MS = 100.0
"""A keystroke's highlights within a tenth of a second read as instant."""
SHIFT = Qt.KeyboardModifier.ShiftModifier
NONE = Qt.KeyboardModifier.NoModifier
JUMP_GOAL_MS = 500.0
"""Showing a match far from what is built builds a screenful of messages: the transcript's own
first paint of a reopened conversation (`ui.py`: ≤ 300 ms) and its highlights."""


def answer(number: int, seed: int) -> str:
    """As `ui.py`'s answers (prose, inline code, a formula, every third a code block and a
    table), each one its own text; the oldest turn alone says "zanzibar"."""
    text = (
        f"Turn {number}.{seed}: the image shows a harbour; the scale gives `x = {number}` "
        f"metres, and the area is $A = \\pi r^{{{number % 7 + 2}}}$.\n\n- boats\n- a crane\n"
        f"- gulls\n"
    )
    if number % 3 == 0:
        text += "\n```python\nfor boat in boats:\n    print(boat.name, boat.length)\n```\n"
        text += "\n| item | count |\n|---|---|\n| boats | 12 |\n| cranes | 2 |\n"
    if number == 0:
        text += "\nA ship from zanzibar.\n"
    return text


class Window(QWidget):
    """The parts of the main window the find presenter uses."""

    def __init__(self) -> None:
        super().__init__()
        self.transcript = TranscriptView(self)
        self.find_bar = FindBar(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.transcript, 1)
        self.find_action = self._action(QKeySequence.StandardKey.Find)
        self.find_next_action = self._action(QKeySequence.StandardKey.FindNext)
        self.find_previous_action = self._action(QKeySequence.StandardKey.FindPrevious)

    def _action(self, key: QKeySequence.StandardKey) -> QAction:
        action = QAction(self)
        action.setShortcuts(key)
        self.addAction(action)
        return action

    def focus_composer(self) -> None:
        self.setFocus()


def settle(until: Callable[[], bool]) -> None:
    app = QApplication.instance()
    assert app is not None
    deadline = time.monotonic() + 60
    while not until():
        app.processEvents()
        if time.monotonic() > deadline:
            raise RuntimeError("the window did not settle")
    app.processEvents()


def conversation(turns: int, seed: int) -> tuple[Window, Transcript, FindPresenter]:
    window = Window()
    window.resize(1000, 800)
    window.show()
    model = Transcript()
    presenter = FindPresenter(model, window)
    window.transcript.mirror(model)
    for number in range(turns):  # as the library reopens a conversation
        turn = model.add_turn(f"Question {number}?", [], ApiMode.CHAT, "gpt-4o", "http://x")
        model.update(turn.id, status=TurnStatus.DONE, answer=answer(number, seed))
    settle(lambda: window.transcript.complete)
    return window, model, presenter


def keystroke(window: Window, key: str) -> float:
    """A letter typed in the find bar until its matches are drawn and the current one is in
    sight and painted."""
    started = time.perf_counter()
    QTest.keyClicks(window.find_bar.field, key)
    settle(lambda: True)  # the scroll to the match waits for the layout: one loop turn
    window.transcript.viewport().repaint()
    return time.perf_counter() - started


def key(window: Window, key: Qt.Key, modifier: Qt.KeyboardModifier = NONE) -> float:
    started = time.perf_counter()
    QTest.keyClick(window.find_bar.field, key, modifier)
    settle(lambda: True)
    window.transcript.viewport().repaint()
    return time.perf_counter() - started


def run(turns: int, seed: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    window, _model, presenter = conversation(turns, seed)
    window.find_action.trigger()  # Ctrl+F, and the first letter at once
    figures["first letter, at once"] = keystroke(window, "c")
    window.close()
    window, _model, presenter = conversation(turns, seed + 1000)
    window.find_action.trigger()
    settle(lambda: not presenter.reading)  # the bar has read ahead
    figures["first letter, after reading ahead"] = keystroke(window, "c")
    further = [keystroke(window, letter) for letter in "rane"]
    assert " of " in window.find_bar.count.text()  # "crane": in every turn
    figures["each further letter"] = statistics.median(further)
    figures["Shift+F3 (the match before)"] = key(window, Qt.Key.Key_F3, SHIFT)
    window.find_bar.field.clear()
    QTest.keyClicks(window.find_bar.field, "gulls")  # in every turn: go to the last one's
    while window.find_bar.count.text() != f"{turns} of {turns}":
        QTest.keyClick(window.find_bar.field, Qt.Key.Key_F3)
    settle(lambda: True)
    figures["F3 round the end to the oldest turn"] = key(window, Qt.Key.Key_F3)
    assert window.find_bar.count.text() == f"1 of {turns}", window.find_bar.count.text()
    window.find_bar.field.clear()
    settle(lambda: True)
    QTest.keyClicks(window.find_bar.field, "zanziba")
    figures["a word in the oldest turn only"] = keystroke(window, "r")
    assert window.find_bar.count.text() == "1 of 1"
    window.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    make_app([])
    run(20, 0)  # warm up: imports, fonts, the formula renderer
    runs = [run(args.turns, seed) for seed in range(1, args.repeat + 1)]
    ok = True
    for name in runs[0]:
        median = statistics.median(figures[name] for figures in runs) * 1000
        goal = JUMP_GOAL_MS if "oldest" in name else GOAL_MS
        ok = ok and median <= goal
        print(f"find in {args.turns} turns, {name}: {median:.0f} ms  [target ≤ {goal:.0f} ms]")
    print("all targets met" if ok else "SOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
