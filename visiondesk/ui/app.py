"""Start Qt and run asyncio on its event loop through qasync; close both cleanly on quit."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication

from visiondesk import __version__
from visiondesk.ui.main_window import MainWindow


def run_app(argv: list[str]) -> int:
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    assert isinstance(app, QApplication)
    app.setApplicationName("VisionDesk")
    app.setApplicationDisplayName("VisionDesk")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("VisionDesk")
    app.setDesktopFileName("io.github.visiondesk.VisionDesk")
    paths = [Path(arg) for arg in argv if not arg.startswith("-")]

    async def main() -> None:
        closed = asyncio.Event()
        app.aboutToQuit.connect(closed.set)
        window = MainWindow(paths)
        window.show()
        await closed.wait()

    # The Runner closes the loop (and its executor) on exit; an unclosed qasync loop aborts
    # the process with "QThread: Destroyed while thread is still running".
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.run(main())
    return 0
