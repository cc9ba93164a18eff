"""Exports and backups from the menus run as jobs off the UI thread: while one runs its action is
disabled, and how it ended is a notice in the window — written, or why not (a read-only folder,
a full disk) with the action ready to try again. Cancelling the folder choice starts nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import qasync
from PySide6.QtWidgets import QFileDialog

from tests.disks import fill, read_only_disk, small_disk
from tests.qt_support import all_ready, answered, run
from tests.waiting import until
from visiondesk.ui.window.controller import Controller
from visiondesk.workspace import Notice
from visiondesk.workspace.jobs import Group


def ask(app: Controller, loop: qasync.QEventLoop, prompt: str, path: Path) -> None:
    workspace = app.workspace
    workspace.attachments.add(str(path), str(path))

    async def scenario() -> None:
        await until(lambda: all_ready(app))
        workspace.set_text(prompt)
        workspace.conversation.send()
        await until(lambda: answered(app))

    run(loop, scenario)


def notices(app: Controller) -> list[str]:
    return [item.text for item in app.workspace.transcript.items if isinstance(item, Notice)]


def choose(monkeypatch: pytest.MonkeyPatch, chosen: Path | None) -> None:
    """The person's answer to the file dialogs (None: they pressed Cancel)."""
    answer = str(chosen) if chosen is not None else ""
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_args: answer)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (answer, "HTML (*.html)"))


def ended(app: Controller, loop: qasync.QEventLoop, group: Group) -> None:
    async def scenario() -> None:  # ended, and its handlers said how
        await asyncio.wait_for(app.workspace.jobs.wait(group), 15)

    run(loop, scenario)


def test_an_export_runs_as_a_job_and_says_where_it_went(
    app: Controller,
    loop: qasync.QEventLoop,
    photo_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ask(app, loop, "Export this", photo_path)
    window = app.window
    choose(monkeypatch, tmp_path / "page.html")
    window.export_html_action.trigger()
    assert app.workspace.jobs.running(Group.EXPORT)
    assert not window.export_html_action.isEnabled()
    assert not window.export_markdown_action.isEnabled()
    ended(app, loop, Group.EXPORT)
    assert window.export_html_action.isEnabled() and window.export_markdown_action.isEnabled()
    assert notices(app)[-1] == f"Exported to {tmp_path / 'page.html'}."
    assert "data:image/jpeg;base64," in (tmp_path / "page.html").read_text()


def test_an_export_to_a_read_only_folder_says_so_and_can_be_tried_again(
    app: Controller,
    loop: qasync.QEventLoop,
    photo_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ask(app, loop, "Export this", photo_path)
    window = app.window
    with read_only_disk(tmp_path / "read-only") as folder:
        choose(monkeypatch, folder)
        window.export_markdown_action.trigger()
        ended(app, loop, Group.EXPORT)
    said = notices(app)[-1]
    assert said.startswith(f"Could not export to {folder}: Read-only file system")
    assert said.endswith("Choose another folder and export again.") and "Errno" not in said
    assert window.export_markdown_action.isEnabled()
    choose(monkeypatch, tmp_path / "markdown")
    window.export_markdown_action.trigger()  # one click again, to a folder that takes it
    ended(app, loop, Group.EXPORT)
    assert notices(app)[-1].startswith("Exported to")
    assert "Export this" in next((tmp_path / "markdown").glob("*.md")).read_text()


def test_a_backup_to_a_full_disk_says_so_and_runs_again_once_there_is_room(
    app: Controller,
    loop: qasync.QEventLoop,
    photo_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ask(app, loop, "Back me up", photo_path)
    window = app.window
    with small_disk(tmp_path / "usb") as disk:
        filler = fill(disk)
        choose(monkeypatch, disk / "backup")
        window.backup_action.trigger()
        assert app.workspace.jobs.running(Group.BACKUP) and not window.backup_action.isEnabled()
        ended(app, loop, Group.BACKUP)
        said = notices(app)[-1]
        assert said.startswith(f"The backup to {disk / 'backup'} failed: The disk holding")
        assert "is full" in said
        assert window.backup_action.isEnabled()
        filler.unlink()  # the person made room
        window.backup_action.trigger()
        ended(app, loop, Group.BACKUP)
        assert notices(app)[-1].startswith(f"History backed up to {disk / 'backup'} (2 image(s))")


def test_cancelling_the_folder_choice_starts_nothing(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ask(app, loop, "Keep me", photo_path)
    before = notices(app)
    choose(monkeypatch, None)
    app.window.backup_action.trigger()
    app.window.export_html_action.trigger()
    app.window.export_markdown_action.trigger()
    assert not app.workspace.jobs.running(Group.BACKUP) and not app.workspace.jobs.running(
        Group.EXPORT
    )
    assert notices(app) == before
    assert app.window.backup_action.isEnabled() and app.window.export_html_action.isEnabled()
