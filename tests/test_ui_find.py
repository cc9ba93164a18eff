"""Find in the open conversation as a person uses it: Ctrl+F, type, Enter / Shift+Enter / F3,
the count in words, highlights in questions, answers, code and messages not built yet, Esc."""

from __future__ import annotations

import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QWidget

from tests.qt_support import run
from tests.waiting import until
from visiondesk.domain import ApiMode
from visiondesk.ui.theme import DARK, LIGHT, colours, contrast, is_dark
from visiondesk.ui.transcript.rows import TurnRow
from visiondesk.ui.widgets.markdown_view import CodeView, ProseLabel
from visiondesk.ui.window.controller import Controller
from visiondesk.workspace import TurnStatus

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    QTest.keyClick(target, key, modifier)


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def reopened(app: Controller, answers: list[str], prompt: str = "Question {n}?") -> list[int]:
    """The transcript filled as a conversation reopens (the library clears it, then adds each
    turn); the turns' ids."""
    transcript = app.workspace.transcript
    transcript.clear()
    ids = []
    for number, answer in enumerate(answers):
        turn = transcript.add_turn(prompt.format(n=number), [], ApiMode.CHAT, "gpt-4o", "http://x")
        transcript.update(turn.id, status=TurnStatus.DONE, answer=answer)
        ids.append(turn.id)
    return ids


def highlights(label: QLabel, app: Controller) -> tuple[int, int]:
    """How many pieces of matches the label shows highlighted, and how many as the current
    one (a match across tags is wrapped piece by piece)."""
    scheme = colours(is_dark(app.window.transcript.palette()))
    text = label.text()
    return text.count(f"background-color:{scheme.found};"), text.count(
        f"background-color:{scheme.current};"
    )


def labels(app: Controller) -> list[QLabel]:
    found: list[QLabel] = []
    for row in app.window.transcript.rows.values():
        found.extend(row.findChildren(QLabel))
    return found


def in_sight(app: Controller, widget: QWidget) -> bool:
    viewport = app.window.transcript.viewport()
    top = widget.mapTo(viewport, widget.rect().topLeft()).y()
    return widget.isVisible() and top + widget.height() > 0 and top < viewport.height()


def open_find(app: Controller, loop: qasync.QEventLoop, query: str) -> None:
    window = app.window
    window.activateWindow()

    async def scenario() -> None:
        await until(lambda: focused() is window.composer)
        await until(lambda: app.window.transcript.complete)
        press(Qt.Key.Key_F, CTRL)
        assert window.find_bar.isVisible() and focused() is window.find_bar.field
        QTest.keyClicks(window.find_bar.field, query)

    run(loop, scenario)


def count_is(app: Controller, loop: qasync.QEventLoop, words: str) -> None:
    async def shown() -> None:
        await until(lambda: app.window.find_bar.count.text() == words, 3)

    run(loop, shown)


def test_a_match_in_an_old_message_not_built_yet_is_found_built_and_shown(
    app: Controller, loop: qasync.QEventLoop
) -> None:
    answers = [f"Answer {n}: boats and a crane." for n in range(200)]
    answers[3] = "The **lighthouse** keeper waves."
    ids = reopened(app, answers)
    transcript = app.window.transcript
    assert ids[3] not in transcript.rows and transcript.unbuilt > 0
    open_find(app, loop, "lighthouse keeper")  # across the bold: as it reads
    count_is(app, loop, "1 of 1")
    row = transcript.rows[ids[3]]
    assert isinstance(row, TurnRow)
    [label] = row.answer.body.parts
    assert isinstance(label, ProseLabel)
    assert highlights(label, app) == (0, 2)  # one match, wrapped either side of the bold

    async def shown() -> None:
        await until(lambda: in_sight(app, label))

    run(loop, shown)
    assert ids[180] not in transcript.rows  # only the messages around it were built
    QTest.keyClicks(app.window.find_bar.field, "s")  # "keepers": the Markdown is not searched
    count_is(app, loop, "No matches")
    assert highlights(label, app) == (0, 0)
    press(Qt.Key.Key_Escape)
    built = len(transcript.rows)
    bar = transcript.verticalScrollBar()
    bar.setValue(bar.maximum())  # the person scrolls on down: the next messages are built

    async def more() -> None:
        await until(lambda: len(transcript.rows) > built)

    run(loop, more)
    transcript.finish_building()
    items = [transcript.rows_layout.itemAt(i) for i in range(200)]
    assert [item.widget() if item else None for item in items] == [
        transcript.rows[turn_id] for turn_id in ids
    ]


def test_a_new_message_after_a_jump_to_an_old_match_shows_the_end_again(
    app: Controller, loop: qasync.QEventLoop
) -> None:
    answers = [f"Answer {n}: boats." for n in range(200)]
    answers[0] = "A ship from zanzibar."
    ids = reopened(app, answers)
    transcript = app.window.transcript
    open_find(app, loop, "zanzibar")
    count_is(app, loop, "1 of 1")
    assert ids[0] in transcript.rows and ids[-1] not in transcript.rows  # only around it
    press(Qt.Key.Key_Escape)
    turn = app.workspace.transcript.add_turn("And now?", [], ApiMode.CHAT, "gpt-4o", "http://x")
    bar = transcript.verticalScrollBar()

    async def at_the_end() -> None:  # as the transcript shows a sent question
        await until(lambda: turn.id in transcript.rows and ids[-1] in transcript.rows)
        await until(lambda: bar.value() == bar.maximum() > 0)

    run(loop, at_the_end)
    assert in_sight(app, transcript.rows[turn.id])


def test_enter_f3_and_the_arrows_go_round_every_match_in_questions_answers_and_code(
    app: Controller, loop: qasync.QEventLoop
) -> None:
    answer = "The harbour wall.\n\n```python\nharbour = load()\n```\n"
    ids = reopened(app, [answer] * 3, prompt="Which harbour is {n}?")
    open_find(app, loop, "HARBOUR")
    count_is(app, loop, "1 of 9")  # the view is at the start: the first match is current
    rows = [app.window.transcript.rows[turn_id] for turn_id in ids]
    assert all(isinstance(row, TurnRow) for row in rows)
    first = rows[0]
    assert isinstance(first, TurnRow)
    assert highlights(first.bubble.prompt, app) == (0, 1)
    code = first.answer.body.parts[1]
    assert isinstance(code, CodeView) and highlights(code.body, app) == (1, 0)
    press(Qt.Key.Key_Return)
    press(Qt.Key.Key_Return)
    count_is(app, loop, "3 of 9")
    assert highlights(code.body, app) == (0, 1)  # the match in the code block is current
    assert "harbour = load()" in QTextDocumentFragment.fromHtml(code.body.text()).toPlainText()
    press(Qt.Key.Key_Return, SHIFT)
    count_is(app, loop, "2 of 9")
    press(Qt.Key.Key_F3, SHIFT)
    press(Qt.Key.Key_F3, SHIFT)  # round the start to the last
    count_is(app, loop, "9 of 9")
    last = rows[-1]
    assert isinstance(last, TurnRow)
    assert highlights(last.answer.body.parts[1].body, app) == (0, 1)  # type: ignore[union-attr]
    press(Qt.Key.Key_F3)  # round the end to the first
    count_is(app, loop, "1 of 9")
    QTest.mouseClick(app.window.find_bar.previous_button, Qt.MouseButton.LeftButton)
    count_is(app, loop, "9 of 9")
    QTest.mouseClick(app.window.find_bar.next_button, Qt.MouseButton.LeftButton)
    count_is(app, loop, "1 of 9")
    assert focused() is app.window.find_bar.field  # the buttons leave typing in the field


def test_no_match_is_said_in_words_and_esc_clears_the_highlights_and_returns_to_the_question(
    app: Controller, loop: qasync.QEventLoop
) -> None:
    reopened(app, ["A harbour at dusk."] * 2)
    open_find(app, loop, "xylophone")
    count_is(app, loop, "No matches")
    bar = app.window.find_bar
    assert not bar.next_button.isEnabled() and not bar.previous_button.isEnabled()
    assert all(highlights(label, app) == (0, 0) for label in labels(app))
    bar.field.clear()
    QTest.keyClicks(bar.field, "harbour")
    count_is(app, loop, "1 of 2")

    async def marked() -> None:
        await until(lambda: sum(sum(highlights(label, app)) for label in labels(app)) == 2)

    run(loop, marked)
    press(Qt.Key.Key_Escape)
    assert not bar.isVisible() and focused() is app.window.composer
    assert all(highlights(label, app) == (0, 0) for label in labels(app))
    [edit] = [menu for menu in app.window.menuBar().findChildren(QMenu) if menu.title() == "&Edit"]
    [find] = [action for action in edit.actions() if action.text() == "&Find…"]
    find.trigger()  # again: the search it held, selected, shows its matches again
    assert focused() is bar.field and bar.field.selectedText() == "harbour"
    count_is(app, loop, "1 of 2")


def test_matches_keep_their_text_readable_in_light_and_dark() -> None:
    for scheme in (LIGHT, DARK):
        assert contrast(scheme.found_text, scheme.found) >= 4.5
        assert contrast(scheme.current_text, scheme.current) >= 4.5
        assert contrast(scheme.found, scheme.current) >= 1.5  # the current one stands out


def test_html_in_the_search_or_the_text_is_matched_literally_and_never_becomes_markup(
    app: Controller, loop: qasync.QEventLoop
) -> None:
    ids = reopened(app, ["Write <b>bold</b> & co."], prompt="What does <b> & do?")
    open_find(app, loop, "<b>")
    count_is(app, loop, "1 of 2")
    row = app.window.transcript.rows[ids[0]]
    assert isinstance(row, TurnRow)
    prompt = row.bubble.prompt
    [answer] = row.answer.body.parts
    assert isinstance(answer, ProseLabel)
    assert highlights(prompt, app) == (0, 1) and highlights(answer, app) == (1, 0)
    assert "&lt;b&gt;</span>" in prompt.text() and "<b>" not in prompt.text()
    assert "<b>" not in answer.text()
    assert QTextDocumentFragment.fromHtml(prompt.text()).toPlainText() == "What does <b> & do?"
    assert "Write <b>bold</b> & co." in QTextDocumentFragment.fromHtml(answer.text()).toPlainText()
    app.window.find_bar.field.clear()
    QTest.keyClicks(app.window.find_bar.field, "&")
    count_is(app, loop, "1 of 2")
    assert "&amp;</span>" in answer.text() and "&amp;</span>" in prompt.text()


def test_the_search_follows_a_streaming_answer_and_another_conversation(
    app: Controller, loop: qasync.QEventLoop
) -> None:
    reopened(app, ["One lighthouse."])
    open_find(app, loop, "lighthouse")
    count_is(app, loop, "1 of 1")
    transcript = app.workspace.transcript
    turn = transcript.add_turn("And?", [], ApiMode.CHAT, "gpt-4o", "http://x", TurnStatus.STREAMING)
    transcript.append(turn.id, "A second light")
    transcript.append(turn.id, "house, and a third lighthouse.")
    count_is(app, loop, "1 of 3")  # the current match stays where it was

    async def drawn() -> None:
        await until(lambda: turn.id in app.window.transcript.rows)
        row = app.window.transcript.rows[turn.id]
        assert isinstance(row, TurnRow)
        await until(lambda: sum(highlights(row.answer.body.parts[0], app)) == 2)  # type: ignore[arg-type]

    run(loop, drawn)
    transcript.update(turn.id, status=TurnStatus.STOPPED)
    press(Qt.Key.Key_N, CTRL)  # another conversation: the same search over it
    count_is(app, loop, "No matches")
    assert app.window.find_bar.isVisible()
