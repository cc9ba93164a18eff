"""The batch panel against the emulator: check shows the estimate, start runs to the end with
progress, results land in files, an unfinished job can be continued from the list; a check or a
run that fails says why in the status line and the buttons try again; Cancel stops a check."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from tests import images
from tests.keychains import LockedKeychain
from tests.qt_support import run
from tests.waiting import until
from visiondesk.config.profiles import Profile, ProviderKind
from visiondesk.config.secrets import Secrets
from visiondesk.config.settings import AppSettings
from visiondesk.domain import JobStatus
from visiondesk.emulator import Emulator
from visiondesk.store import History
from visiondesk.ui.batch.batch_panel import BatchPanel
from visiondesk.workspace.jobs import Group


def make_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "images"
    folder.mkdir()
    for n in range(3):
        images.photo(600, 400 + 20 * n, seed=n).save(folder / f"p{n}.jpg", quality=80)
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    return folder


def panel_for(
    qtbot, emulator: Emulator, tmp_path: Path, secrets: Secrets | None = None
) -> BatchPanel:
    emulator.api_key = None
    profile = Profile("Emulator", ProviderKind.EMULATOR, emulator.base_url, api_key_env="")
    panel = BatchPanel(
        {"emulator": profile},
        secrets or Secrets(use_keyring=False),
        History(tmp_path / "history"),
        AppSettings(),
    )
    qtbot.addWidget(panel)
    panel.show()
    return panel


def test_check_then_start_runs_the_job_and_writes_results(
    qtbot, loop: qasync.QEventLoop, emulator: Emulator, tmp_path: Path
) -> None:
    panel = panel_for(qtbot, emulator, tmp_path)
    panel.form.sources.add(str(make_folder(tmp_path)))
    panel.form.prompt.setPlainText("Alt text?")
    panel.form.detail.setCurrentIndex(panel.form.detail.findData("low"))

    async def scenario() -> None:
        await panel.check()
        assert "4 images found" in panel.summary.text()
        assert "255 image tokens" in panel.summary.text()
        assert "1 refused" in panel.summary.text() and "broken.png" in panel.summary.text()
        assert "$" in panel.summary.text()
        assert not emulator.log
        await panel.start()
        await until(lambda: panel.progress is not None and panel.progress.remaining == 0)
        await panel.aclose()

    run(loop, scenario)
    assert panel.bar.value() == panel.bar.maximum() == 4
    assert "3 done" in panel.status.text() and "1 refused" in panel.status.text()
    assert panel.job is not None and panel.job.record.status is JobStatus.FINISHED
    records = [
        json.loads(line) for line in (panel.job.folder / "results.jsonl").read_text().splitlines()
    ]
    assert sorted(r["status"] for r in records) == ["done", "done", "done", "refused"]
    assert (panel.job.folder / "results.csv").read_text().startswith("image,answer,")


def test_a_job_left_unfinished_is_continued_from_the_list(
    qtbot, loop: qasync.QEventLoop, emulator: Emulator, tmp_path: Path
) -> None:
    first = panel_for(qtbot, emulator, tmp_path)
    first.form.sources.add(str(make_folder(tmp_path)))
    first.form.prompt.setPlainText("Alt text?")
    run(loop, first.check)
    run(loop, first.check)  # checked again before starting: the first one is replaced
    # saved, never started: as if the app had closed
    run(loop, first.aclose)
    second = panel_for(qtbot, emulator, tmp_path)
    assert second.saved.count() == 1 and second.continue_saved.isEnabled()

    async def scenario() -> None:
        task = second.resume_saved()
        assert task is not None
        await task
        await second.aclose()

    run(loop, scenario)
    assert second.progress is not None and second.progress.done == 3
    assert emulator.store.answered_total == 3


async def settled(panel: BatchPanel) -> None:
    """Until the panel's jobs have ended and said how (their handlers ran)."""
    await asyncio.wait_for(panel.jobs.wait(Group.BATCH), 15)


def click(qtbot, button: object) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_check_that_fails_says_why_and_start_tries_again(
    qtbot, loop: qasync.QEventLoop, emulator: Emulator, tmp_path: Path
) -> None:
    panel = panel_for(qtbot, emulator, tmp_path)
    panel.form.sources.add(str(make_folder(tmp_path)))
    panel.form.prompt.setPlainText("Alt text?")
    blocker = tmp_path / "history" / "batches"
    blocker.write_text("a file where the batches folder goes")  # creating the job: OSError

    async def scenario() -> None:
        click(qtbot, panel.check_button)
        assert panel.busy and not panel.start_button.isEnabled()
        await settled(panel)
        assert panel.status.text().startswith("✗ Check failed: Not a directory")
        assert "press Start to try again" in panel.status.text()
        assert panel.summary.text() != "Finding and measuring the images…"
        assert panel.start_button.isEnabled() and panel.check_button.isEnabled()
        blocker.unlink()  # the person fixed the folder
        click(qtbot, panel.start_button)
        await settled(panel)
        await panel.aclose()

    run(loop, scenario)
    assert panel.job is not None and panel.job.record.status is JobStatus.FINISHED
    assert "3 done" in panel.status.text()


def test_a_run_that_fails_says_why_and_start_goes_on_where_it_stopped(
    qtbot, loop: qasync.QEventLoop, emulator: Emulator, tmp_path: Path
) -> None:
    panel = panel_for(qtbot, emulator, tmp_path)
    emulator.api_key = "sk-the-server-wants-this-one"  # the panel has no key: refused
    panel.form.sources.add(str(make_folder(tmp_path)))
    panel.form.prompt.setPlainText("Alt text?")

    async def scenario() -> None:
        click(qtbot, panel.start_button)
        await settled(panel)
        assert panel.status.text().startswith("✗ Start failed: ")
        assert "key" in panel.status.text().lower()
        assert panel.job is not None and panel.job.record.status is JobStatus.PAUSED
        assert panel.start_button.isEnabled()
        stopped = panel.job
        emulator.api_key = None  # the server takes the request now
        click(qtbot, panel.start_button)
        await settled(panel)
        assert panel.job is stopped  # the same job went on, not a new one
        await panel.aclose()

    run(loop, scenario)
    assert panel.job is not None and panel.job.record.status is JobStatus.FINISHED
    assert panel.progress is not None and panel.progress.done == 3


def test_cancel_stops_a_check_waiting_for_the_keychain(
    qtbot, loop: qasync.QEventLoop, emulator: Emulator, tmp_path: Path
) -> None:
    keychain = LockedKeychain()
    panel = panel_for(qtbot, emulator, tmp_path, Secrets(backend=keychain))
    panel.form.sources.add(str(make_folder(tmp_path)))
    panel.form.prompt.setPlainText("Alt text?")

    async def scenario() -> None:
        click(qtbot, panel.check_button)
        await until(lambda: keychain.asked == ["Emulator"])  # the keychain asks its password
        assert panel.summary.text() == "Finding and measuring the images…"
        assert panel.cancel_button.isEnabled() and not panel.check_button.isEnabled()
        click(qtbot, panel.cancel_button)
        await settled(panel)
        assert panel.status.text() == "Check was stopped."
        assert panel.summary.text() == "Add images and a question, then Check."
        assert panel.check_button.isEnabled() and not panel.cancel_button.isEnabled()
        keychain.unlocked.set()  # its thread ends and is heard before the panel closes
        await until(lambda: panel.secrets.known(panel.profiles["emulator"]))
        await panel.aclose()

    try:
        run(loop, scenario)
    finally:
        keychain.unlocked.set()
    assert panel.job is None  # no job was made


def test_file_batch_runs_its_work_as_the_workspace_jobs_and_quitting_stops_them(
    app: object, loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    from visiondesk.ui.window.controller import Controller

    assert isinstance(app, Controller)
    app.window.batch_action.trigger()
    panel = app.batch_panel
    assert panel is not None and panel.isVisible()
    panel.form.sources.add(str(make_folder(tmp_path)))
    panel.form.prompt.setPlainText("Alt text?")
    panel.check_button.click()
    assert app.workspace.jobs.running(Group.BATCH) and panel.busy  # one helper for all the work

    async def quit_at_once() -> None:
        await app.aclose()  # File → Quit while the images are measured

    run(loop, quit_at_once)
    assert not app.workspace.jobs.running(Group.BATCH)
    assert panel.summary.text() != "Finding and measuring the images…"


def test_file_batch_opens_over_the_window_on_its_profile_mode_and_last_folder(
    qtbot, loop: qasync.QEventLoop, tmp_path: Path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from tests.qt_support import dispose
    from visiondesk.config.profile_store import BUILTIN, EMULATOR
    from visiondesk.emulator import Knobs
    from visiondesk.ui.window.controller import Controller
    from visiondesk.ui.window.main_window import MainWindow
    from visiondesk.ui.window_memory import WindowMemory

    memory = WindowMemory(tmp_path / "window.ini")
    folder = make_folder(tmp_path)
    memory.remember_folder(str(folder / "a.png"))
    window = MainWindow()
    window.show()
    profiles = {key: BUILTIN[key] for key in ("openai", EMULATOR)}
    app = Controller(
        window,
        profiles=profiles,
        secrets=Secrets(use_keyring=False),
        emulator_knobs=Knobs(token_delay=0.0),
        history=History(tmp_path / "history"),
        memory=memory,
    )
    app.start([])
    window.mode_box.setCurrentIndex(window.mode_box.findData("responses"))
    window.mode_box.activated.emit(window.mode_box.currentIndex())
    window.move(40, 30)
    window.batch_action.trigger()
    panel = app.batch_panel
    assert panel is not None and panel.isVisible()
    assert panel.form.profile.currentData() == EMULATOR  # not the first profile, OpenAI
    assert panel.form.mode.currentData() == "responses"
    area = panel.screen().availableGeometry()
    assert area.contains(panel.frameGeometry())
    assert window.frameGeometry().contains(panel.frameGeometry().center())
    asked: list[str] = []

    def chosen(parent: object, title: str, start: str) -> str:  # the person picks the folder
        asked.append(start)
        return str(folder)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", chosen)
    add_folder = next(b for b in panel.form.findChildren(QPushButton) if b.text() == "Add folder…")
    add_folder.click()
    assert asked == [str(folder)] and panel.form.sources.paths() == [str(folder)]
    loop.run_until_complete(app.aclose())
    panel.close()
    dispose(window)


def test_a_finished_job_opens_again_with_its_own_settings_and_results(
    qtbot, loop: qasync.QEventLoop, emulator: Emulator, tmp_path: Path
) -> None:
    first = panel_for(qtbot, emulator, tmp_path)
    first.form.sources.add(str(make_folder(tmp_path)))
    first.form.prompt.setPlainText("Alt text for the shop?")
    first.form.instructions.setText("One sentence.")
    first.form.detail.setCurrentIndex(first.form.detail.findData("low"))

    async def finished() -> None:
        await first.check()
        await first.start()
        await until(lambda: first.progress is not None and first.progress.remaining == 0)
        await first.aclose()

    run(loop, finished)
    answered = emulator.store.answered_total
    second = panel_for(qtbot, emulator, tmp_path)  # the next day: the form is empty
    assert second.saved.count() == 1 and second.continue_saved.text() == "Open job"
    click(qtbot, second.continue_saved)
    run(loop, lambda: settled(second))
    assert second.form.prompt.toPlainText() == "Alt text for the shop?"
    assert second.form.instructions.text() == "One sentence."
    assert second.form.detail.currentData() == "low"
    assert second.job is not None and second.results_button.isEnabled()
    assert "results are in" in second.summary.text()
    assert emulator.store.answered_total == answered  # opening sends nothing
    run(loop, second.aclose)
