"""The window opens offscreen with the images it was given."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from visiondesk.ui.main_window import MainWindow


def test_window_lists_the_images_it_was_opened_with(qtbot: QtBot, tmp_path: Path) -> None:
    window = MainWindow([tmp_path / "a.png", tmp_path / "b.jpg"])
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "VisionDesk"
    items = [window.attachments.item(i).text() for i in range(window.attachments.count())]
    assert items == [str(tmp_path / "a.png"), str(tmp_path / "b.jpg")]
