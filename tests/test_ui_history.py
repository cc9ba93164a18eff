"""History in the window: the sidebar, reopening, deleting with clean-up, exports, and an app
killed mid-answer that comes back with the partial answer marked interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import qasync

from tests.qt_support import last_answer, run, states, until
from visiondesk.config.profile_store import BUILTIN, EMULATOR
from visiondesk.config.secrets import Secrets
from visiondesk.emulator import Knobs
from visiondesk.store import History
from visiondesk.ui.controller import Controller
from visiondesk.ui.main_window import MainWindow


def ask(app: Controller, loop: qasync.QEventLoop, prompt: str, *paths: Path) -> None:
    for path in paths:
        app.add_source(str(path), str(path))

    async def scenario() -> None:
        await until(lambda: all(s == "ready" for s in states(app)))
        app.window.composer.setPlainText(prompt)
        app.send()
        await until(
            lambda: (
                last_answer(app).state not in ("streaming", "none")
                and app.send_task is not None
                and app.send_task.done()
            )
        )

    run(loop, scenario)


def test_sidebar_lists_and_reopens_conversations(
    app: Controller,
    loop: qasync.QEventLoop,
    photo_path: Path,
) -> None:
    window = app.window
    window.mode_box.setCurrentIndex(window.mode_box.findData("responses"))
    ask(app, loop, "What is in the harbour photo?", photo_path)
    first = app.session.conversation_id if app.session else None
    assert window.sidebar.list.count() == 1
    app.new_conversation()
    ask(app, loop, "Second conversation")
    assert window.sidebar.list.count() == 2
    assert first is not None
    app.open_conversation(first)
    entries = window.transcript.entries
    assert [e.role for e in entries] == ["user", "assistant"]
    assert entries[0].images and entries[0].images[0].width == 768
    ask(app, loop, "And the boats?")
    assert "1 earlier turn" in last_answer(app).text  # continued, not started over
    window.sidebar.search.setText("harbour")
    assert window.sidebar.list.count() == 1
    app.rename_conversation(first, "Harbour")
    assert window.sidebar.list.item(0).text().startswith("Harbour")


def test_deleting_a_conversation_deletes_its_uploads(
    app: Controller,
    loop: qasync.QEventLoop,
    photo_path: Path,
) -> None:
    window = app.window
    window.mode_box.setCurrentIndex(window.mode_box.findData("assistants"))
    ask(app, loop, "Upload me", photo_path)
    assert app.emulator is not None
    assert len(app.emulator.store.files) == 1
    conversation = app.session.conversation_id if app.session else None
    assert conversation is not None
    app.delete_conversation(conversation, confirm=False)

    async def swept() -> None:
        await until(lambda: not app.history.uploads("Local emulator"))

    run(loop, swept)
    assert not app.emulator.store.files  # deleted on the server too
    assert window.sidebar.list.count() == 0, (
        app.history.folder,
        [c.title for c in app.history.conversations()],
    )


def test_exports_from_the_window(
    app: Controller,
    loop: qasync.QEventLoop,
    photo_path: Path,
    tmp_path: Path,
) -> None:
    ask(app, loop, "Export this", photo_path)
    markdown = app.export("md", tmp_path / "export")
    page = app.export("html", tmp_path / "page.html")
    assert markdown is not None and "Export this" in markdown.read_text()
    assert page is not None and "data:image/jpeg;base64," in page.read_text()


KILLED_APP = """
import asyncio, sys
from pathlib import Path
import qasync
from visiondesk.config.profile_store import BUILTIN, EMULATOR
from visiondesk.config.secrets import Secrets
from visiondesk.emulator import Knobs
from visiondesk.store import History
from visiondesk.ui.app import make_app
from visiondesk.ui.controller import Controller
from visiondesk.ui.main_window import MainWindow

make_app([])

async def main():
    window = MainWindow()
    controller = Controller(window, profiles={EMULATOR: BUILTIN[EMULATOR]},
                            secrets=Secrets(use_keyring=False),
                            emulator_knobs=Knobs(token_delay=0.15),
                            history=History(Path(sys.argv[1])))
    window.show()
    controller.start([])
    controller.add_source(sys.argv[2], sys.argv[2])
    while any(card.state != "ready" for card in window.canvas.cards):
        await asyncio.sleep(0.02)
    window.composer.setPlainText("Describe it, slowly")
    controller.send()
    while True:
        answers = [e for e in window.transcript.entries if e.role == "assistant"]
        if answers and len(answers[-1].text) > 40:
            print("streaming", flush=True)
        await asyncio.sleep(0.05)

with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
    runner.run(main())
"""


def test_killed_mid_answer_comes_back_interrupted_with_retry(
    qtbot,
    loop: qasync.QEventLoop,
    photo_path: Path,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "history"
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_APP, str(folder), str(photo_path)],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "streaming"
    time.sleep(1.2)  # at least one checkpoint after the first words
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)

    window = MainWindow()
    controller = Controller(
        window,
        profiles={EMULATOR: BUILTIN[EMULATOR]},
        secrets=Secrets(use_keyring=False),
        emulator_knobs=Knobs(),
        history=History(folder),
    )
    window.show()
    controller.start([])
    assert "interrupted" in window.transcript.entries[-1].text  # said at start-up
    [conversation] = controller.history.conversations()
    question, answer = controller.history.messages(conversation.id)
    assert question.text == "Describe it, slowly" and len(question.images) == 1
    assert answer.status == "interrupted" and len(answer.text) > 20
    controller.open_conversation(conversation.id)
    user, interrupted = window.transcript.entries
    assert user.images and interrupted.state == "interrupted" and interrupted.text
    assert "action:retry" in window.transcript._entry_html(interrupted)
    controller.on_transcript_action("retry", interrupted.id)

    async def retried() -> None:
        await until(lambda: last_answer(controller).state == "complete")

    run(loop, retried)
    assert "I received 1 image(s)" in last_answer(controller).text
    assert [m.status for m in controller.history.messages(conversation.id)] == [
        "complete",
        "complete",
    ]
    loop.run_until_complete(controller.aclose())
    window.close()


def test_storage_panel_lists_and_deletes_uploads(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    from visiondesk.ui.storage import StorageDialog

    window = app.window
    window.mode_box.setCurrentIndex(window.mode_box.findData("assistants"))
    ask(app, loop, "Keep my upload", photo_path)
    dialog = StorageDialog(app, app.profiles[app.profile_key], window)
    assert dialog.table.rowCount() == 1
    cell = dialog.table.item(0, 3)
    assert cell is not None and cell.text() == "Keep my upload"
    dialog._delete(only_selected=False)

    async def emptied() -> None:
        await until(lambda: dialog.table.rowCount() == 0)

    run(loop, emptied)
    assert not app.emulator.store.files  # type: ignore[union-attr]


def test_after_answer_clean_up(app: Controller, loop: qasync.QEventLoop, photo_path: Path) -> None:
    from visiondesk.config.settings import Cleanup

    app.settings.cleanup = Cleanup.AFTER_ANSWER
    app.window.mode_box.setCurrentIndex(app.window.mode_box.findData("assistants"))
    ask(app, loop, "Use once", photo_path)

    async def gone() -> None:
        await until(lambda: not app.emulator.store.files)  # type: ignore[union-attr]

    run(loop, gone)


def test_an_unusable_history_folder_still_opens_the_window(
    qtbot, loop: qasync.QEventLoop, tmp_path: Path, monkeypatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the data folder should be")
    monkeypatch.setenv("VISIONDESK_DATA_DIR", str(blocked))
    window = MainWindow()
    controller = Controller(
        window,
        profiles={EMULATOR: BUILTIN[EMULATOR]},
        secrets=Secrets(use_keyring=False),
        emulator_knobs=Knobs(),
    )
    window.show()
    controller.start([])
    assert "could not be opened" in window.transcript.entries[-1].text
    loop.run_until_complete(controller.aclose())
    window.close()
