"""Shared pieces for tests that drive the real window on a qasync loop."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import qasync
from PySide6.QtCore import QEvent, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from visiondesk.config.profile_store import BUILTIN, EMULATOR
from visiondesk.config.secrets import Secrets
from visiondesk.emulator import Knobs
from visiondesk.store import History
from visiondesk.ui.main_thread_gc import MainThreadCollector, collect_due
from visiondesk.ui.window.controller import Controller
from visiondesk.ui.window.main_window import MainWindow
from visiondesk.workspace import AttachmentState, Notice, Turn, TurnStatus
from visiondesk.workspace.jobs import Group

if TYPE_CHECKING:
    from visiondesk.ui.widgets.image_preview import PreviewDialog


@pytest.fixture(autouse=True, scope="session")
def collect_on_main_thread() -> Iterator[None]:
    """As the app does (ui/main_thread_gc.py): no collection in an emulator, upload or
    history thread, where freeing a Qt object left its timers to fire on freed memory."""
    enabled = gc.isenabled()
    gc.disable()
    yield
    if enabled:
        gc.enable()


@pytest.fixture(autouse=True)
def collect_after_test() -> Iterator[None]:
    yield
    collect_due()


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    collector = MainThreadCollector(qapp)
    event_loop = qasync.QEventLoop(qapp)
    event_loop.set_default_executor(work_threads())  # as the app does (ui/app.py)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    event_loop.close()  # stops its executor threads (else Qt aborts the process at exit)
    asyncio.set_event_loop(None)
    collector.stop()
    collector.deleteLater()


@pytest.fixture
def app(qtbot, loop: qasync.QEventLoop, tmp_path: Path) -> Iterator[Controller]:
    window = MainWindow()
    profiles = {EMULATOR: BUILTIN[EMULATOR]}
    controller = Controller(
        window,
        profiles=profiles,
        secrets=Secrets(use_keyring=False),
        emulator_knobs=Knobs(token_delay=0.0, file_processing_delay=0.2),
        history=History(tmp_path / "history"),
    )
    window.show()
    controller.start([])
    settled(controller, loop)
    yield controller
    loop.run_until_complete(controller.aclose())
    dispose(window)


def settled(controller: Controller, loop: qasync.QEventLoop) -> None:
    """Until the window's first probe (and sweep) has answered. pytest-qt processes Qt events
    between a fixture and its test, outside the asyncio loop: a probe still reading from its
    socket then took a step with no running loop, and failed (httpx's cancel scopes need one)."""
    from tests.waiting import until
    from visiondesk.workspace import ConnectionState

    async def probed() -> None:
        await until(lambda: controller.workspace.status.state is not ConnectionState.CHECKING)
        await controller.workspace.jobs.wait(Group.PROBE)
        await controller.workspace.jobs.wait(Group.SWEEP)  # the start-up sweep asks the server

    run(loop, probed)


def dispose(window: MainWindow) -> None:
    """Close and delete a window now, while the application still lives (a window left for
    the garbage collector is freed at a random later moment, under another test)."""
    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()


def work_threads() -> ThreadPoolExecutor:
    from visiondesk.ui.app import work_threads as threads

    return threads()


def run(loop: qasync.QEventLoop, scenario: Callable[[], object]) -> None:
    loop.run_until_complete(asyncio.wait_for(scenario(), 20))  # type: ignore[arg-type]


def wait_opened(app: Controller, loop: qasync.QEventLoop) -> None:
    """Until the conversation being opened (read off the UI thread, a job) is shown."""
    from visiondesk.workspace.jobs import Group

    async def opened() -> None:
        await app.workspace.jobs.wait(Group.OPEN)

    run(loop, opened)


def states(app: Controller) -> list[AttachmentState]:
    return [attachment.state for attachment in app.workspace.draft]


def all_ready(app: Controller) -> bool:
    return all(state.sendable for state in states(app))


def drop(window: MainWindow, mime: QMimeData) -> None:
    event = QDropEvent(
        QPointF(100, 100),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)


def file_mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    return mime


def last_turn(app: Controller) -> Turn | None:
    turns = app.workspace.transcript.turns
    return turns[-1] if turns else None


def status(app: Controller) -> TurnStatus | None:
    turn = last_turn(app)
    return turn.status if turn is not None else None


def answered(app: Controller) -> bool:
    """The last turn ended and no job of the turn still runs."""
    turn = last_turn(app)
    return turn is not None and not turn.status.running and not app.workspace.busy


def attached(app: Controller, loop: qasync.QEventLoop, path: Path) -> int:
    """Attach an image and wait until it is ready to send; its attachment id."""
    from tests.waiting import until

    attachment_id = app.workspace.attachments.add(str(path), str(path))

    async def ready() -> None:
        await until(lambda: states(app) == [AttachmentState.READY])

    run(loop, ready)
    return attachment_id


def open_preview(app: Controller, attachment_id: int) -> PreviewDialog:
    """Click the card's thumbnail, as a person does; the preview that opens."""
    from PySide6.QtTest import QTest

    from visiondesk.ui.widgets.image_preview import PreviewDialog

    card = app.window.attachment_row.card(attachment_id)
    assert card is not None
    QTest.mouseClick(card.thumb, Qt.MouseButton.LeftButton)
    [dialog] = [d for d in app.window.findChildren(PreviewDialog) if d.isVisible()]
    return dialog


def notices(app: Controller) -> list[str]:
    """The transcript's notices, in order."""
    return [item.text for item in app.workspace.transcript.items if isinstance(item, Notice)]


def ask(app: Controller, loop: qasync.QEventLoop, prompt: str, photo: Path) -> None:
    """Attach `photo`, type `prompt` and press Enter once connected, as a person does; until
    the answer has ended."""
    from PySide6.QtTest import QTest

    from tests.waiting import until
    from visiondesk.workspace import ConnectionState

    workspace = app.workspace
    workspace.attachments.add(str(photo), str(photo))

    async def scenario() -> None:
        await until(lambda: workspace.status.state is ConnectionState.CONNECTED)
        await until(lambda: all_ready(app))
        QTest.keyClicks(app.window.composer, prompt)
        QTest.keyClick(app.window.composer, Qt.Key.Key_Return)
        await until(lambda: answered(app))

    run(loop, scenario)
