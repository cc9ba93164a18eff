"""The window opens offscreen; widgets have accessible names."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from visiondesk.ui.window.main_window import MainWindow


def test_window_has_the_controls_with_accessible_names(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "VisionDesk"
    for widget in (
        window.profile_box,
        window.model_box,
        window.mode_box,
        window.detail_box,
        window.attachment_row,
        window.transcript,
        window.composer,
        window.send_button,
    ):
        assert widget.accessibleName(), widget
    assert not window.attachment_row.isVisible()  # no empty tray
    assert "Ctrl+V" in window.composer.placeholderText()


def test_transcript_follows_a_dark_palette(qtbot: QtBot) -> None:
    from PySide6.QtGui import QColor, QPalette

    from visiondesk.ui.theme import DARK, LIGHT
    from visiondesk.ui.transcript.notice_line import NoticeLine
    from visiondesk.workspace import Transcript as TranscriptModel

    window = MainWindow()
    qtbot.addWidget(window)
    model = TranscriptModel()
    transcript = window.transcript
    transcript.mirror(model)
    notice = model.add_notice("Hello\n\n```python\nx = 1\n```")
    qtbot.waitUntil(lambda: notice.id in transcript.rows, timeout=2000)
    line = transcript.rows[notice.id]
    assert isinstance(line, NoticeLine)
    assert LIGHT.muted in line.text()
    palette = transcript.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#1e1e1e"))
    transcript.setPalette(palette)
    qtbot.waitUntil(lambda: DARK.muted in line.text(), timeout=2000)
