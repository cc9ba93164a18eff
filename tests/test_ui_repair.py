"""Never a dead end on damage, in the window: Send keeps working and says what it could not
save; the banner names what was lost once and offers Repair and Restore from a backup…, on
pages zeroed after start and on a file damaged before start; every menu path a message names
is a real one."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from tests.qt_support import (
    ask,
    dispose,
    last_turn,
    notices,
    run,
    settled,
    wait_opened,
)
from tests.test_store_damage import conversation, zero_page
from tests.waiting import until
from visiondesk.config.profile_store import BUILTIN, EMULATOR
from visiondesk.config.secrets import Secrets
from visiondesk.emulator import Knobs
from visiondesk.store import History
from visiondesk.ui.window.controller import Controller
from visiondesk.ui.window.main_window import MainWindow
from visiondesk.workspace import TurnStatus
from visiondesk.workspace.jobs import Group


def damage_now(history: History, table: str) -> None:
    """A bad sector under `table` while the window runs (the WAL folded in first, so the
    page read is the one on disk)."""
    history.flush()
    with sqlite3.connect(history.path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    zero_page(history.path, table)


def reopen(app: Controller, loop: qasync.QEventLoop, conversation_id: int) -> None:
    app.window.new_action.trigger()
    app.window.sidebar.open_requested.emit(conversation_id)
    wait_opened(app, loop)


def click_and_wait(app: Controller, loop: qasync.QEventLoop, button: str, group: Group) -> None:
    banner = app.window.banner
    QTest.mouseClick(getattr(banner, button), Qt.MouseButton.LeftButton)

    async def ended() -> None:
        await until(lambda: not app.workspace.jobs.running(group))
        await app.workspace.jobs.wait(Group.OPEN)

    run(loop, ended)


def sends_with_images(app: Controller, loop: qasync.QEventLoop, photo: Path, prompt: str) -> None:
    """Send works on the damaged history: the answer comes, and the turn says what the
    history could not keep (never a silent failure)."""
    ask(app, loop, prompt, photo)
    turn = last_turn(app)
    assert turn is not None and turn.prompt == prompt
    assert turn.status is TurnStatus.DONE and turn.answer, turn.error
    assert "not saved" in turn.unsaved.lower() and "Repair" in turn.unsaved
    assert "not saved" in app.window.transcript.toPlainText().lower()


def banner_says_once(app: Controller) -> str:
    banner = app.window.banner
    assert banner.isVisible() and banner.repair.isEnabled() and banner.restore.isEnabled()
    text = banner.text.text()
    assert text.count("could not be read") == 1 and "image(s)" in text, text
    return text


def test_pages_zeroed_after_start_send_then_repair(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    workspace = app.workspace
    ask(app, loop, "Keep this photo", photo_path)
    conversation_id = workspace.conversation_id
    assert conversation_id is not None
    damage_now(workspace.history, "attachments")
    reopen(app, loop, conversation_id)
    banner_says_once(app)
    sends_with_images(app, loop, photo_path, "And this one?")

    click_and_wait(app, loop, "repair", Group.REPAIR)

    assert not app.window.banner.isVisible()
    result = notices(app)[-1]
    assert result.startswith("History repaired:") and "image record(s)" in result
    [aside] = workspace.history.folder.glob("history.sqlite3.damaged-*")
    assert str(aside) in result
    assert workspace.conversation_id == conversation_id  # reopened from the new file
    assert [t.prompt for t in workspace.transcript.turns] == ["Keep this photo", "And this one?"]
    ask(app, loop, "Saved whole again?", photo_path)
    turn = last_turn(app)
    assert turn is not None and turn.status is TurnStatus.DONE and not turn.unsaved
    question = workspace.history.messages(conversation_id)[-2]
    assert question.text == "Saved whole again?" and len(question.images) == 1
    assert workspace.history.integrity_check() == []


def test_pages_zeroed_after_start_restore_the_backup_of_file_menu(
    app: Controller,
    loop: qasync.QEventLoop,
    photo_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workspace = app.workspace
    ask(app, loop, "Back me up", photo_path)
    conversation_id = workspace.conversation_id
    assert conversation_id is not None
    backups = tmp_path / "backups"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_args: str(backups))
    app.window.backup_action.trigger()

    async def backed_up() -> None:
        await until(lambda: any("backed up" in text for text in notices(app)))

    run(loop, backed_up)
    damage_now(workspace.history, "attachments")
    reopen(app, loop, conversation_id)
    banner_says_once(app)
    asked: list[str] = []

    def choose(_parent: object, _title: str, start: str, _filter: str) -> tuple[str, str]:
        asked.append(start)
        return str(backups / "history.sqlite3"), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", choose)
    click_and_wait(app, loop, "restore", Group.RESTORE)

    assert asked == [str(backups / "history.sqlite3")]  # the dialog opens at the backups
    assert not app.window.banner.isVisible()
    assert notices(app)[-1].startswith(f"History restored from {backups / 'history.sqlite3'}")
    assert list(workspace.history.folder.glob("history.sqlite3.replaced-*"))
    [turn] = workspace.transcript.turns
    assert turn.prompt == "Back me up" and len(turn.images) == 1 and not turn.missing


@pytest.fixture
def damaged(tmp_path: Path, photo_path: Path) -> Path:
    """A history damaged before the window starts (its images' table zeroed), with a backup
    made while it was whole."""
    folder = tmp_path / "damaged-history"
    store = History(folder)
    conversation(store, "Lighthouse", [1, 2])
    store.backup(tmp_path / "backup")
    store.close()
    zero_page(folder / "history.sqlite3", "attachments")
    return folder


@pytest.fixture
def started(qtbot: object, loop: qasync.QEventLoop, damaged: Path) -> Iterator[Controller]:
    """The window opened on the damaged history (as the `app` fixture, on that folder)."""
    window = MainWindow()
    controller = Controller(
        window,
        profiles={EMULATOR: BUILTIN[EMULATOR]},
        secrets=Secrets(use_keyring=False),
        emulator_knobs=Knobs(token_delay=0.0, file_processing_delay=0.2),
        history=History(damaged),
    )
    window.show()
    controller.start([])
    settled(controller, loop)
    yield controller
    loop.run_until_complete(controller.aclose())
    dispose(window)


@pytest.mark.parametrize("way", ["repair", "restore"])
def test_a_file_damaged_at_start(
    started: Controller,
    loop: qasync.QEventLoop,
    photo_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    way: str,
) -> None:
    app = started
    workspace = app.workspace
    [stored] = workspace.history.conversations()
    reopen(app, loop, stored.id)
    [turn] = workspace.transcript.turns
    assert turn.prompt == "Question of Lighthouse" and not turn.images
    banner_says_once(app)
    sends_with_images(app, loop, photo_path, "New turn with a photo")
    backup = tmp_path / "backup" / "history.sqlite3"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: (str(backup), ""))

    click_and_wait(app, loop, way, Group.REPAIR if way == "repair" else Group.RESTORE)

    assert not app.window.banner.isVisible()
    first = workspace.transcript.turns[0]
    if way == "repair":
        assert notices(app)[-1].startswith("History repaired:")
        assert list(workspace.history.folder.glob("history.sqlite3.damaged-*"))
        prompts = [t.prompt for t in workspace.transcript.turns]
        assert prompts == ["Question of Lighthouse", "New turn with a photo"]
    else:
        assert notices(app)[-1].startswith("History restored from")
        assert list(workspace.history.folder.glob("history.sqlite3.replaced-*"))
        assert len(first.images) == 2 and not first.missing  # the images are back
    assert workspace.history.integrity_check() == []


def test_a_zeroed_list_of_conversations_still_lets_a_new_one_be_asked(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    """Nothing of a new conversation can be saved (its row's table is damaged): the question
    is answered all the same, the turn says it was not saved, and Repair lists again the
    conversations whose messages survived."""
    workspace = app.workspace
    ask(app, loop, "Before the damage", photo_path)
    damage_now(workspace.history, "conversations")
    app.window.new_action.trigger()
    assert app.window.banner.isVisible()  # the list could not be read: said at once
    sends_with_images(app, loop, photo_path, "Asked on a damaged history")
    click_and_wait(app, loop, "repair", Group.REPAIR)
    assert "Recovered conversation" in notices(app)[-1]
    assert [c.title for c in workspace.history.conversations()] == ["Recovered conversation 1"]
