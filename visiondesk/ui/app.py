"""Start Qt, show the window at once, then load the heavy parts and run asyncio on the Qt
loop through qasync; quitting cancels the jobs and closes the loop cleanly."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from visiondesk.ui.main_window import MainWindow

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
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(icon)))


def _resource(name: str) -> Path | None:
    """A file from resources/: beside the package in a checkout, or inside a bundle."""
    roots = [Path(getattr(sys, "_MEIPASS", "")), Path(__file__).resolve().parents[2]]
    for root in roots:
        candidate = root / "resources" / name
        if candidate.is_file():
            return candidate
    return None


def run_app(argv: list[str]) -> int:
    app = make_app(argv)
    paths = [Path(arg).absolute() for arg in argv if not arg.startswith("-")]
    outcome = {"code": 0}
    testing = SELF_TEST in argv
    if not testing:
        from visiondesk.ui.single_instance import InstanceServer, hand_over

        if hand_over([str(path) for path in paths]):
            return 0  # the running window took the images
        instance = InstanceServer(app)
    from visiondesk.config.paths import log_folder
    from visiondesk.logs import setup

    setup(log_folder())
    # The window shows first; asyncio, the SDK and Pillow load while it is already on screen.
    window = MainWindow()
    window.show()
    app.processEvents()
    if os.environ.get("VISIONDESK_REPORT_SHOWN"):  # benchmarks/bundle.py: start → shown
        print(f"shown {time.time():.6f}", flush=True)
    finish_setup(app)
    import asyncio

    import qasync

    async def main() -> None:
        closed = asyncio.Event()
        app.aboutToQuit.connect(closed.set)
        from visiondesk.ui.controller import Controller

        controller = Controller(window)
        if testing:
            outcome["code"] = await self_test(controller)
            await controller.aclose()
            return
        controller.start(paths)
        openai = controller.profiles.get("openai")
        if not controller.settings.welcomed and not (openai and controller.secrets.key_for(openai)):
            controller.welcome()
        instance.opened.connect(lambda more: open_in(controller, window, more))
        await closed.wait()
        instance.close()
        await controller.aclose()

    # The Runner closes the loop (and its executor) on exit; an unclosed qasync loop aborts
    # the process with "QThread: Destroyed while thread is still running".
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.run(main())
    return outcome["code"]


def open_in(controller: object, window: MainWindow, paths: list[str]) -> None:
    """Images from a second launch (e.g. "Open with VisionDesk"): attach them, show the window."""
    from visiondesk.ui.controller import Controller
    from visiondesk.ui.sources import sources_from_path

    assert isinstance(controller, Controller)
    for path in paths:
        for source, label in sources_from_path(Path(path)):
            controller.add_source(source, label)
    window.showNormal()
    window.raise_()
    window.activateWindow()


async def self_test(controller: object) -> int:
    """Open the window, prepare a generated sample, get an answer from the built-in emulator."""
    import asyncio
    import io

    from PIL import Image, ImageDraw

    from visiondesk.config.profile_store import EMULATOR
    from visiondesk.ui.controller import Controller

    assert isinstance(controller, Controller)
    controller.select_profile(EMULATOR)
    sample = Image.new("RGB", (1600, 1200), (40, 90, 160))
    ImageDraw.Draw(sample).ellipse((400, 300, 1200, 900), fill=(250, 200, 40))
    buffer = io.BytesIO()
    sample.save(buffer, "JPEG")
    controller.add_source(buffer.getvalue(), "self-test sample")
    controller.window.composer.setPlainText("Self-test: what do you see?")
    deadline = time.monotonic() + 30
    while any(card.state != "ready" for card in controller.window.canvas.cards):
        await asyncio.sleep(0.05)
        if time.monotonic() > deadline:
            print("self-test: the sample was not prepared", file=sys.stderr)
            return 1
    controller.send()
    while True:
        answers = [e for e in controller.window.transcript.entries if e.role == "assistant"]
        if answers and answers[-1].state != "streaming":
            break
        await asyncio.sleep(0.05)
        if time.monotonic() > deadline:
            print("self-test: no answer within 30 s", file=sys.stderr)
            return 1
    answer = answers[-1]
    if answer.state != "complete" or "I received 1 image(s)" not in answer.text:
        print(f"self-test failed: {answer.state} {answer.error}", file=sys.stderr)
        return 1
    from visiondesk.api.tls import trust_store

    found, where = trust_store()
    print(f"self-test: HTTPS trust: {where}")
    if not found:
        return 1
    print("self-test passed: " + answer.text.splitlines()[0])
    return 0
