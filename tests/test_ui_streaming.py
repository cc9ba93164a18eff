"""A long Markdown answer streaming into the real window: only the block being written is
drawn again; what is finished keeps its widget and its text."""

from __future__ import annotations

import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.qt_support import answered, last_turn, run
from tests.waiting import until
from visiondesk.render import CodeBlock, render_blocks
from visiondesk.ui.transcript.rows import TurnRow
from visiondesk.ui.widgets.markdown_view import CodeView, ProseLabel
from visiondesk.ui.widgets.sized_label import SizedLabel
from visiondesk.ui.window.controller import Controller
from visiondesk.workspace import ConnectionState, TurnStatus

ANSWER = (
    "# What the picture shows\n\n"
    "A harbour at dusk, with $n = 12$ boats.\n\n"
    "```python\nboats = count(image)\n```\n\n"
    "| boat | length |\n|---|---|\n| one | 8 m |\n\n"
    + "and then the answer goes on for a long while " * 40
    + "\n"
)


def test_a_streaming_answer_redraws_only_its_last_block(
    app: Controller, loop: qasync.QEventLoop
) -> None:
    emulator = app.workspace.connections.emulator
    assert emulator is not None
    emulator.knobs.scripted_answer = ANSWER
    emulator.knobs.token_delay = 0.004
    window = app.window
    seen: list[ProseLabel | CodeView] = []
    shown: list[object] = []

    def card_parts() -> list[ProseLabel | CodeView]:
        turn = last_turn(app)
        row = window.transcript.rows.get(turn.id) if turn is not None else None
        return row.answer.body.parts if isinstance(row, TurnRow) else []

    async def scenario() -> None:
        await until(lambda: app.workspace.status.state is ConnectionState.CONNECTED)
        QTest.keyClicks(window.composer, "What is in the picture?")
        QTest.keyClick(window.composer, Qt.Key.Key_Return)
        # The heading, the paragraph, the code and the table are drawn; the last one grows.
        await until(lambda: len(card_parts()) == 5)
        seen.extend(card_parts())
        shown.extend(part.shown for part in seen)
        await until(lambda: answered(app))

    run(loop, scenario)
    turn = last_turn(app)
    assert turn is not None and turn.status is TurnStatus.DONE and turn.answer == ANSWER
    parts = card_parts()
    assert parts == seen  # the same widgets, in the same places
    # Finished blocks were never set again: the very value each widget showed stays.
    assert all(part.shown is before for part, before in zip(parts[:4], shown[:4], strict=True))
    assert parts[4].shown is not shown[4]  # the last one grew meanwhile
    blocks = render_blocks(ANSWER)
    assert [part.shown[0] for part in parts] == [  # type: ignore[index]
        block if isinstance(block, CodeBlock) else block.html for block in blocks
    ]


def test_earlier_answers_are_not_laid_out_again_while_the_next_one_streams(
    app: Controller, loop: qasync.QEventLoop
) -> None:
    emulator = app.workspace.connections.emulator
    assert emulator is not None
    emulator.knobs.scripted_answer = ANSWER
    emulator.knobs.token_delay = 0.002
    window = app.window
    layouts: list[int] = []

    def labels(turn_index: int) -> list[SizedLabel]:
        turn = app.workspace.transcript.turns[turn_index]
        row = window.transcript.rows.get(turn.id)
        return row.findChildren(SizedLabel) if isinstance(row, TurnRow) else []

    def drawn_whole(turn_index: int) -> bool:
        """The answer's last block shows its final text (the end of the answer drawn)."""
        turn = app.workspace.transcript.turns[turn_index]
        row = window.transcript.rows.get(turn.id)
        blocks = render_blocks(ANSWER)
        if not isinstance(row, TurnRow) or len(row.answer.body.parts) != len(blocks):
            return False
        last, final = row.answer.body.parts[-1].shown, blocks[-1]
        wanted = final if isinstance(final, CodeBlock) else final.html
        return last is not None and last[0] == wanted

    async def scenario() -> None:
        await until(lambda: app.workspace.status.state is ConnectionState.CONNECTED)
        QTest.keyClicks(window.composer, "First question?")
        QTest.keyClick(window.composer, Qt.Key.Key_Return)
        await until(lambda: len(app.workspace.transcript.turns) == 1 and answered(app))
        await until(lambda: drawn_whole(0))
        await until(lambda: all(label.layouts for label in labels(0) if label.wordWrap()))
        layouts.extend(label.layouts for label in labels(0))
        QTest.keyClicks(window.composer, "Second question?")
        QTest.keyClick(window.composer, Qt.Key.Key_Return)
        await until(lambda: len(app.workspace.transcript.turns) == 2)
        await until(lambda: answered(app))

    run(loop, scenario)
    second = window.transcript.rows[app.workspace.transcript.turns[1].id]
    assert isinstance(second, TurnRow) and second.answer.renders > 10  # drawn as it grew
    # Once per new width at most (the scroll bar came and went, a busy machine lays out at a
    # few passing widths), never once per redraw (without remembering: 100 and more each).
    again = [label.layouts - before for label, before in zip(labels(0), layouts, strict=True)]
    assert max(again) <= 6, (again, second.answer.renders)
