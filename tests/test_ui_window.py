"""The window opens offscreen; widgets have accessible names."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from visiondesk.ui.main_window import MainWindow


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
        window.canvas,
        window.transcript,
        window.composer,
        window.send_button,
    ):
        assert widget.accessibleName(), widget
    assert window.canvas.hint.isVisible()
