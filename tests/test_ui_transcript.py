"""The transcript as a person sees it: one widget per message, Markdown with math and code,
actions on hover and by keyboard, status on the message, long conversations built in chunks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QToolButton
from pytestqt.qtbot import QtBot

from tests import images
from visiondesk.config.settings import Theme
from visiondesk.domain import ApiMode, Detail, PreparedImage
from visiondesk.ui.theme import DARK, LIGHT, apply_theme, contrast
from visiondesk.ui.transcript.actions import TranscriptAction
from visiondesk.ui.transcript.message_widgets import AnswerCard
from visiondesk.ui.transcript.rows import TurnRow
from visiondesk.ui.transcript.transcript_view import COLUMN_WIDTH, FIRST, TranscriptView
from visiondesk.ui.widgets.markdown_view import CodeView, ProseLabel
from visiondesk.workspace import Transcript as TranscriptModel
from visiondesk.workspace import TurnStatus
from visiondesk.workspace.transcript import Turn


@pytest.fixture
def view(qtbot: QtBot) -> Iterator[tuple[TranscriptView, TranscriptModel]]:
    transcript = TranscriptView()
    qtbot.addWidget(transcript)
    transcript.resize(1200, 700)
    transcript.show()
    model = TranscriptModel()
    transcript.mirror(model)
    yield transcript, model
    apply_theme(QGuiApplication.instance(), Theme.SYSTEM)  # type: ignore[arg-type]


def photo() -> PreparedImage:
    data = images.encode(images.photo(64, 48, seed=3), "JPEG")
    return PreparedImage(
        "harbour.jpg", "ab" * 32, 64, 48, "JPEG", 64, 48, "image/jpeg", data, Detail.LOW, 85
    )


def answered(model: TranscriptModel, answer: str, prompt: str = "What is it?") -> Turn:
    turn = model.add_turn(prompt, [], ApiMode.CHAT, "gpt-4o", "http://x")
    return model.update(turn.id, status=TurnStatus.DONE, answer=answer)


def row(qtbot: QtBot, transcript: TranscriptView, turn: Turn) -> TurnRow:
    qtbot.waitUntil(lambda: turn.id in transcript.rows, timeout=2000)
    found = transcript.rows[turn.id]
    assert isinstance(found, TurnRow)
    qtbot.waitUntil(found.isVisible, timeout=2000)  # a widget added to a shown page shows next
    return found


def test_each_message_is_its_own_widget_in_a_centred_reading_column(qtbot: QtBot, view) -> None:
    transcript, model = view
    turn = answered(model, "A harbour at dusk.")
    notice = model.add_notice("Switched to **Responses**.")
    found = row(qtbot, transcript, turn)
    qtbot.waitUntil(lambda: notice.id in transcript.rows, timeout=2000)
    assert found.bubble.prompt.text() == "What is it?"
    assert "A harbour at dusk." in found.answer.plain_text()
    assert found.bubble.geometry().right() > found.answer.width() // 2  # the bubble on the right
    assert transcript.column.width() <= COLUMN_WIDTH
    left = transcript.column.x()
    right = transcript.widget().width() - transcript.column.geometry().right()
    assert abs(left - right) <= 2  # centred on a wide window


def test_math_draws_as_images_and_a_broken_formula_shows_its_source(qtbot: QtBot, view) -> None:
    transcript, model = view
    turn = answered(model, "Energy $E = mc^2$, and $\\frac{1}{$ is broken.")
    [label] = row(qtbot, transcript, turn).answer.body.parts
    assert isinstance(label, ProseLabel)
    assert label.text().count("data:image/png;base64,") == 1
    assert "<code" in label.text() and "\\frac{1}{" in label.text()
    assert "$" not in label.text()


def test_code_blocks_have_a_language_header_and_a_copy_button(qtbot: QtBot, view) -> None:
    transcript, model = view
    turn = answered(model, "Run this:\n\n```python\nx = 1\nprint(x)\n```")
    code = row(qtbot, transcript, turn).answer.body.parts[1]
    assert isinstance(code, CodeView)
    assert code.language.text() == "python"
    qtbot.mouseClick(code.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "x = 1\nprint(x)"


def test_inline_code_is_styled(qtbot: QtBot, view) -> None:
    transcript, model = view
    turn = answered(model, "Set `x = 1` first.")
    [label] = row(qtbot, transcript, turn).answer.body.parts
    assert isinstance(label, ProseLabel)
    assert "background-color:" in label.text() and "x = 1" in label.text()


def test_a_streaming_table_shows_only_finished_rows(qtbot: QtBot, view) -> None:
    transcript, model = view
    turn = model.add_turn("Table?", [], ApiMode.CHAT, "gpt-4o", "http://x")
    model.update(turn.id, status=TurnStatus.STREAMING)
    model.append(turn.id, "| a | b |\n|---|---|\n| 1 | 2 |\n| 3")
    card = row(qtbot, transcript, turn).answer
    qtbot.waitUntil(lambda: "<td>1</td>" in _prose(card), timeout=2000)
    assert "<td>3</td>" not in _prose(card) and _prose(card).count("<tr>") == 2


def _prose(card: AnswerCard) -> str:
    return "".join(p.text() for p in card.body.parts if isinstance(p, ProseLabel))


def test_streaming_re_renders_only_the_growing_message_at_a_bounded_rate(
    qtbot: QtBot, view
) -> None:
    transcript, model = view
    done = answered(model, "Finished.")
    turn = model.add_turn("More?", [], ApiMode.CHAT, "gpt-4o", "http://x")
    model.update(turn.id, status=TurnStatus.STREAMING)
    finished = row(qtbot, transcript, done).answer
    growing = row(qtbot, transcript, turn).answer
    before = finished.renders, growing.renders
    for number in range(300):
        model.append(turn.id, f"word{number} ")
    qtbot.waitUntil(lambda: "word299" in growing.plain_text(), timeout=2000)
    assert finished.renders == before[0]
    assert growing.renders - before[1] < 10  # 300 pieces, a handful of renders


def test_actions_show_on_hover_and_on_keyboard_focus_and_emit(qtbot: QtBot, view) -> None:
    transcript, model = view
    turn = answered(model, "Done.")
    found = row(qtbot, transcript, turn)
    card = found.answer
    assert not card.actions_bar.isVisible()
    QApplication.sendEvent(card, QEvent(QEvent.Type.Enter))
    assert card.actions_bar.isVisible()
    QApplication.sendEvent(card, QEvent(QEvent.Type.Leave))
    assert not card.actions_bar.isVisible()
    transcript.activateWindow()
    card.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(card.actions_bar.isVisible, timeout=2000)
    assert set(card.actions_bar.buttons) == {
        TranscriptAction.COPY,
        TranscriptAction.INSPECT,
        TranscriptAction.REGENERATE,
    }
    with qtbot.waitSignal(transcript.action_requested) as regenerate:
        card.actions_bar.buttons[TranscriptAction.REGENERATE].click()
    assert regenerate.args == [TranscriptAction.REGENERATE, turn.id]
    found.bubble.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(found.bubble.actions_bar.isVisible, timeout=2000)
    with qtbot.waitSignal(transcript.action_requested) as edit:
        found.bubble.actions_bar.buttons[TranscriptAction.EDIT].click()
    assert edit.args == [TranscriptAction.EDIT, turn.id]
    card.actions_bar.buttons[TranscriptAction.COPY].click()
    assert QGuiApplication.clipboard().text() == "Done."


def test_a_failed_turn_keeps_retry_in_sight(qtbot: QtBot, view) -> None:
    transcript, model = view
    turn = model.add_turn("Hm?", [], ApiMode.CHAT, "gpt-4o", "http://x")
    model.update(turn.id, status=TurnStatus.FAILED, error="The server refused the key.")
    card = row(qtbot, transcript, turn).answer
    assert card.actions_bar.isVisible() and TranscriptAction.RETRY in card.actions_bar.buttons
    assert "The server refused the key." in card.plain_text()
    with qtbot.waitSignal(transcript.action_requested) as retry:
        card.actions_bar.buttons[TranscriptAction.RETRY].click()
    assert retry.args == [TranscriptAction.RETRY, turn.id]


def test_status_shows_on_the_message(qtbot: QtBot, view) -> None:
    """Each status as the answer says it; a turn only moves forward (its transition table), so
    each sequence is a turn of its own."""
    transcript, model = view
    Steps = list[tuple[dict[str, Any], str]]
    sequences: list[tuple[TurnStatus, str, Steps]] = [
        (
            TurnStatus.PREPARING,
            "preparing the images",
            [
                ({"status": TurnStatus.UPLOADING}, "uploading the images"),
                ({"waiting": 3.0}, "waiting for the server (3 s)"),
                ({"retry_in": 12.0}, "retrying in 12 s"),
                ({"status": TurnStatus.STREAMING, "retry_in": 0.0, "waiting": 0.0}, "answering"),
                ({"status": TurnStatus.STOPPED}, "stopped"),
            ],
        ),
        (TurnStatus.PENDING, "", [({"waiting": 3.0}, "waiting for the server (3 s)")]),
        (TurnStatus.INTERRUPTED, "interrupted", []),
    ]
    for status, first, steps in sequences:
        turn = model.add_turn("Slow?", [], ApiMode.CHAT, "gpt-4o", "http://x", status)
        card = row(qtbot, transcript, turn).answer
        assert first in card.status.text()
        for changes, expected in steps:
            model.update(turn.id, **changes)
            assert expected in card.status.text()
        if status is not TurnStatus.INTERRUPTED:
            assert not card.actions_bar.buttons.get(TranscriptAction.REGENERATE)


def test_a_thumbnail_opens_the_image_large(qtbot: QtBot, view) -> None:
    transcript, model = view
    turn = model.add_turn("This one?", [photo()], ApiMode.CHAT, "gpt-4o", "http://x")
    bubble = row(qtbot, transcript, turn).bubble
    [button] = [
        b for b in bubble.findChildren(QToolButton) if b.accessibleName() == "Preview harbour.jpg"
    ]
    button.click()
    qtbot.waitUntil(lambda: any(isinstance(w, QDialog) for w in transcript.findChildren(QDialog)))
    [dialog] = transcript.findChildren(QDialog)
    assert "harbour.jpg" in dialog.windowTitle()
    dialog.close()


def test_a_long_conversation_builds_its_end_and_the_rest_as_one_scrolls_up(
    qtbot: QtBot,
) -> None:
    model = TranscriptModel()
    turns = [answered(model, f"Answer {n} with `code` and $x^{n}$.") for n in range(200)]
    transcript = TranscriptView()
    qtbot.addWidget(transcript)
    transcript.resize(900, 600)
    transcript.show()
    transcript.mirror(model)  # as a conversation reopens
    assert len(transcript.rows) == FIRST and turns[-1].id in transcript.rows
    qtbot.waitUntil(lambda: transcript.complete, timeout=5000)
    bar = transcript.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.value() == bar.maximum() > 0, timeout=2000)  # at the newest
    assert turns[0].id not in transcript.rows and transcript.unbuilt > 0
    built = len(transcript.rows)
    oldest = next(transcript.rows[t.id] for t in turns if t.id in transcript.rows)
    bar.setValue(0)  # the person scrolls to the top
    qtbot.waitUntil(lambda: len(transcript.rows) > built, timeout=2000)
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=2000)  # the view stayed on what it showed
    assert not oldest.visibleRegion().isEmpty()
    transcript.finish_building()
    items = [transcript.rows_layout.itemAt(i) for i in range(200)]
    order = [item.widget() if item is not None else None for item in items]
    assert order == [transcript.rows[t.id] for t in turns]


def test_light_and_dark_follow_the_choice_and_keep_contrast(qtbot: QtBot, view) -> None:
    transcript, model = view
    for scheme in (LIGHT, DARK):
        for colour in (scheme.text, scheme.muted, scheme.link, scheme.error):
            for background in (scheme.base, scheme.bubble, scheme.code):
                assert contrast(colour, background) >= 4.5, (colour, background)
    turn = answered(model, "Plain words.")
    card = row(qtbot, transcript, turn).answer
    app = QGuiApplication.instance()
    apply_theme(app, Theme.DARK)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: DARK.text in _prose(card), timeout=2000)
    apply_theme(app, Theme.LIGHT)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: LIGHT.text in _prose(card), timeout=2000)


def test_code_highlighting_keeps_contrast_in_light_and_dark() -> None:
    from pygments.styles import get_style_by_name

    from visiondesk.render import CODE_STYLE

    for dark, scheme in ((False, LIGHT), (True, DARK)):
        for token, style in get_style_by_name(CODE_STYLE[dark]):
            if style["color"] and "Whitespace" not in str(token):  # whitespace is not drawn
                assert contrast("#" + style["color"], scheme.code) >= 4.5, (dark, token)


def test_the_override_palettes_keep_hints_readable() -> None:
    from PySide6.QtGui import QPalette

    from visiondesk.ui.theme import palette

    role = QPalette.ColorRole
    for scheme in (LIGHT, DARK):
        colours = palette(scheme)
        for foreground in (role.Text, role.WindowText, role.ButtonText, role.PlaceholderText):
            for background in (role.Base, role.Window, role.Button):
                ratio = contrast(colours.color(foreground).name(), colours.color(background).name())
                assert ratio >= 4.5, (scheme, foreground, background)
