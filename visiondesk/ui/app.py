"""Start Qt, show the window at once, then load the heavy parts and run asyncio on the Qt
loop through qasync; quitting cancels the jobs and closes the loop cleanly."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication

from visiondesk import __version__
from visiondesk.ui.main_window import MainWindow


def make_app(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    assert isinstance(app, QApplication)
    app.setApplicationName("VisionDesk")
    app.setApplicationDisplayName("VisionDesk")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("VisionDesk")
    app.setDesktopFileName("io.github.visiondesk.VisionDesk")
    return app


def run_app(argv: list[str]) -> int:
    app = make_app(argv)
    paths = [Path(arg) for arg in argv if not arg.startswith("-")]

    async def main() -> None:
        closed = asyncio.Event()
        app.aboutToQuit.connect(closed.set)
        window = MainWindow()
        window.show()
        await asyncio.sleep(0)  # let the window paint before the SDK and Pillow load
        from visiondesk.ui.controller import Controller

        controller = Controller(window)
        controller.start(paths)
        await closed.wait()
        await controller.aclose()

    # The Runner closes the loop (and its executor) on exit; an unclosed qasync loop aborts
    # the process with "QThread: Destroyed while thread is still running".
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.run(main())
    return 0
