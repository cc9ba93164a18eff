"""The attachment card of an upload the server stopped reading says it is stalled, and for how
long; when the server reads again the upload goes on to ready."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import qasync
from PIL import Image

from tests.qt_support import drop, file_mime, run
from tests.waiting import until
from visiondesk.api import uploads
from visiondesk.domain import ApiMode
from visiondesk.ui.window.controller import Controller
from visiondesk.workspace import AttachmentState

STALLED = re.compile(r"Uploading (\d+)% — stalled for (\d+) s")


def choose_mode(app: Controller, mode: ApiMode) -> None:
    """As a person does: pick the mode in the toolbar."""
    box = app.window.mode_box
    box.setCurrentIndex(box.findData(mode.value))
    box.activated.emit(box.currentIndex())


def noise(path: Path) -> Path:
    """An image no encoder makes small: its upload is large next to any socket buffer."""
    rng = random.Random(20)
    image = Image.frombytes("RGB", (1024, 768), rng.randbytes(1024 * 768 * 3))
    image.save(path)
    return path


def test_a_stalled_upload_says_so_on_its_card(
    app: Controller, loop: qasync.QEventLoop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "STALL_AFTER", 0.3)
    emulator = app.workspace.connections.emulator
    assert emulator is not None
    emulator.knobs.stall_uploads_after, emulator.knobs.stall_seconds = 64 * 1024, 30.0
    choose_mode(app, ApiMode.ASSISTANTS)
    drop(app.window, file_mime(noise(tmp_path / "noise.png")))
    shown: list[str] = []

    def card_text() -> str:
        [attachment] = list(app.workspace.draft)
        card = app.window.attachment_row.card(attachment.id)
        assert card is not None
        shown.append(card.status.toolTip())  # the whole line (the label may elide it)
        return shown[-1]

    async def scenario() -> None:
        await until(lambda: STALLED.fullmatch(card_text()), timeout=15)
        match = STALLED.fullmatch(shown[-1])
        assert match is not None and int(match[1]) < 100, shown[-1]
        await until(lambda: emulator.store.stalled == 1)  # the server holds it still
        emulator.knobs.resume_uploads.set()
        await until(lambda: card_text().startswith("Ready (file-"), timeout=15)

    run(loop, scenario)
    [attachment] = list(app.workspace.draft)
    assert attachment.state is AttachmentState.UPLOADED and attachment.stalled_for == 0
    assert any(STALLED.fullmatch(text) for text in shown)
