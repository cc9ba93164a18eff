"""The batch panel against the emulator: check shows the estimate, start runs to the end with
progress, results land in files, an unfinished job can be continued from the list."""

from __future__ import annotations

import json
from pathlib import Path

import qasync

from tests import images
from tests.qt_support import run
from tests.waiting import until
from visiondesk.config.profiles import Profile, ProviderKind
from visiondesk.config.secrets import Secrets
from visiondesk.config.settings import AppSettings
from visiondesk.domain import JobStatus
from visiondesk.emulator import Emulator
from visiondesk.store import History
from visiondesk.ui.batch.batch_panel import BatchPanel


def make_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "images"
    folder.mkdir()
    for n in range(3):
        images.photo(600, 400 + 20 * n, seed=n).save(folder / f"p{n}.jpg", quality=80)
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    return folder


def panel_for(qtbot, emulator: Emulator, tmp_path: Path) -> BatchPanel:
    emulator.api_key = None
    profile = Profile("Emulator", ProviderKind.EMULATOR, emulator.base_url, api_key_env="")
    panel = BatchPanel(
        {"emulator": profile},
        Secrets(use_keyring=False),
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
