"""Start Qt, show the window at once, then load the heavy parts and run asyncio on the Qt
loop through qasync; quitting cancels the jobs and closes the loop cleanly."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from visiondesk.config.paths import instance_socket
from visiondesk.ui.main_thread_gc import MainThreadCollector
from visiondesk.ui.window.main_window import MainWindow

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from visiondesk.ui.capture.global_key import CaptureKey
    from visiondesk.ui.window.controller import Controller

SELF_TEST = "--self-test"


def make_app(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    assert isinstance(app, QApplication)
    app.setApplicationName("VisionDesk")
    app.setApplicationDisplayName("VisionDesk")
    app.setOrganizationName("VisionDesk")
    app.setDesktopFileName("io.github.visiondesk.VisionDesk")
    return app


def finish_setup(app: QApplication) -> None:
    """What can wait until the window is on screen: the version (importlib.metadata is slow)
    and the window icon."""
    from visiondesk import __version__

    app.setApplicationVersion(__version__)
    icon = _resource("icons/256.png")
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))


def instance_may_be_running() -> bool:
    """False when no VisionDesk can be listening, so the window need not wait for QtNetwork.

    On Unix the window listens on a socket file (`config.paths.instance_socket`): no file, no
    server. A file left by a crash only costs the hand-over attempt. Windows uses named
    pipes, which leave no file: always try there.
    """
    if sys.platform == "win32":
        return True
    try:
        return os.path.exists(instance_socket())
    except OSError:  # no private runtime folder: no instance can listen there either
        return False


def prepare_folders() -> None:
    """After the window shows: private folders for an install from before they were private,
    history temporaries left by a killed session, then the log file (~60 ms of imports)."""
    from visiondesk.config.paths import log_folder, secure_app_folders
    from visiondesk.logs import setup
    from visiondesk.store import History

    secure_app_folders()
    History.remove_stale_temporaries()
    setup(log_folder())


def _resource(name: str) -> Path | None:
    """A file from resources/: beside the package in a checkout, or inside a bundle."""
    roots = [Path(getattr(sys, "_MEIPASS", "")), Path(__file__).resolve().parents[2]]
    for root in roots:
        candidate = root / "resources" / name
        if candidate.is_file():
            return candidate
    return None


CAPTURE = "--capture"
"""Start (or ask the running window) to capture the screen: for a desktop's global key."""


def run_app(argv: list[str]) -> int:
    app = make_app(argv)
    paths = [Path(arg).absolute() for arg in argv if not arg.startswith("-")]
    outcome = {"code": 0}
    testing = SELF_TEST in argv
    capture = CAPTURE in argv
    if not testing and instance_may_be_running():
        from visiondesk.ui.single_instance import hand_over

        if hand_over([str(path) for path in paths], capture=capture):
            return 0  # the running window took the images
    # The window shows first; QtNetwork, logging, the history, asyncio, the SDK and Pillow
    # load while it is already on screen.
    collector = MainThreadCollector(app)  # before any thread of ours starts
    window = MainWindow()
    window.show()
    app.processEvents()
    if os.environ.get("VISIONDESK_REPORT_SHOWN"):  # benchmarks/bundle.py: start → shown
        print(f"shown {time.time():.6f}", flush=True)
    if not testing:
        from visiondesk.ui.single_instance import InstanceServer

        instance = InstanceServer(app)
    prepare_folders()
    finish_setup(app)
    import asyncio

    import qasync

    # Closing the window ends main() (after the jobs have unwound), and that ends the loop;
    # were Qt to quit on its own first, the clean-up would be cut off mid-way.
    app.setQuitOnLastWindowClosed(False)

    async def main() -> None:
        asyncio.get_running_loop().set_default_executor(work_threads())
        closed = asyncio.Event()
        wake = end_on_signals(app, closed.set)
        window.close_requested.connect(closed.set)
        app.aboutToQuit.connect(closed.set)
        if not window.isVisible():  # closed while the heavy parts were loading
            closed.set()
        # The composition root brings the workspace, the store, the SDK and Pillow: all after
        # the first paint.
        from visiondesk.store import History
        from visiondesk.ui.window.controller import Controller

        if testing:  # the self-test never touches the person's history
            from visiondesk.ui.window.self_test import self_test

            controller = Controller(window, history=History.temporary())
            outcome["code"] = await self_test(controller)
            await controller.aclose()
            return
        controller = Controller(window)
        controller.start(paths)
        if controller.wants_welcome and not capture:
            controller.welcome()
        if capture:
            controller.capture_view.start()
        instance.open_requested.connect(lambda more: open_in(controller, window, more))
        instance.capture_requested.connect(controller.capture_view.start)
        key, binding = _capture_key(window)
        await closed.wait()
        instance.close()  # removes the socket file
        if key is not None and binding is not None:
            binding.cancel()  # a portal dialog still open is left
            await key.aclose()
        await controller.aclose()
        del wake

    # The Runner closes the loop (and its executor) on exit; an unclosed qasync loop aborts
    # the process with "QThread: Destroyed while thread is still running".
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.run(main())
    collector.stop()
    return outcome["code"]


def work_threads() -> ThreadPoolExecutor:
    """The loop's executor for `asyncio.to_thread` (opening, exports, backups, checks): plain
    Python threads, which need no Qt object of their own (qasync's default makes QThreads).
    Whatever thread they run in, cycles are freed on the UI thread (ui/main_thread_gc.py)."""
    from concurrent.futures import ThreadPoolExecutor  # after the first paint, with asyncio

    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="work")


def end_on_signals(app: QApplication, end: Callable[[], None]) -> object:
    """SIGTERM, SIGHUP and SIGINT end VisionDesk as closing its window does (the instance
    socket removed, the history folded in). Python runs a signal handler only between its
    own bytecodes, so the signal also wakes Qt's loop through a socket pair to let it run.
    Returns what must stay alive while the loop runs."""
    if os.name != "posix":
        return None
    import signal
    import socket

    from PySide6.QtCore import QSocketNotifier

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)
    notifier.activated.connect(lambda *_: reader.recv(512))
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(number, lambda *_: end())
    return (reader, writer, notifier)


def _capture_key(window: MainWindow) -> tuple[CaptureKey | None, asyncio.Future[object] | None]:
    """The capture key registered with the desktop's GlobalShortcuts portal, where wanted."""
    import asyncio

    from visiondesk.ui.capture.global_key import CaptureKey, wanted

    if not wanted():
        return None, None
    key = CaptureKey(window.capture_action, window.statusBar(), parent=window)
    return key, asyncio.ensure_future(key.register())


def open_in(controller: Controller, window: MainWindow, paths: list[str]) -> None:
    """Images from a second launch (e.g. "Open with VisionDesk"): attach them, show the window."""
    controller.attachments_view.add_paths([Path(path) for path in paths])
    window.showNormal()
    window.raise_()
    window.activateWindow()
