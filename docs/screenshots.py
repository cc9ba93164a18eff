"""Render the README's screenshots: the real window on a virtual X screen (Xvfb), driven by a
scripted conversation against the built-in emulator.

    make screenshots        # needs Debian's xvfb (see README)
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs"

import qasync  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from tests import images  # noqa: E402
from visiondesk.config.profile_store import BUILTIN  # noqa: E402
from visiondesk.config.secrets import Secrets  # noqa: E402
from visiondesk.domain import ApiMode  # noqa: E402
from visiondesk.emulator import Knobs  # noqa: E402
from visiondesk.store import History  # noqa: E402
from visiondesk.ui.app import make_app  # noqa: E402
from visiondesk.ui.controller import Controller  # noqa: E402
from visiondesk.ui.inspector import InspectorDialog  # noqa: E402
from visiondesk.ui.main_window import MainWindow  # noqa: E402
from visiondesk.ui.settings import SettingsDialog  # noqa: E402
from visiondesk.workspace import AttachmentState  # noqa: E402


async def settle(seconds: float = 0.3) -> None:
    await asyncio.sleep(seconds)
    QApplication.processEvents()


def save(widget: QWidget, name: str) -> None:
    widget.grab().save(str(OUT / name))
    print("wrote", OUT / name)


async def until(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise RuntimeError("the scripted conversation got stuck")


async def script(folder: Path) -> None:
    photo = folder / "harbour.jpg"
    photo.write_bytes(images.jpeg_with_exif(images.photo(4032, 3024, seed=11), orientation=6))
    shot = folder / "dashboard.png"
    images.screenshot(2560, 1440, seed=12).save(shot)
    window = MainWindow()
    window.resize(1180, 780)
    knobs = Knobs(token_delay=0.05, file_processing_delay=2.5, upload_bytes_per_second=60_000)
    controller = Controller(
        window,
        profiles=dict(BUILTIN),
        secrets=Secrets(use_keyring=False),
        emulator_knobs=knobs,
        history=History.temporary(),  # removed when the script closes it
    )
    window.show()
    controller.start([photo, shot])
    workspace = controller.workspace
    ready = (AttachmentState.READY, AttachmentState.UPLOADED)
    await until(
        lambda: len(workspace.draft) == 2 and all(a.state in ready for a in workspace.draft)
    )
    workspace.set_text("Which of these shows the harbour, and what is on the dashboard?")
    first = workspace.conversation.send()
    assert first is not None
    await until(lambda: len(first.answer) > 260)
    await settle(0.2)
    save(window, "main-window.png")
    await until(lambda: not workspace.busy)
    await settle()

    # Assistants: an upload mid-progress, then processing on the server.
    workspace.set_mode(ApiMode.ASSISTANTS)
    big = folder / "whiteboard.png"
    images.screenshot(1900, 1200, seed=13).save(big)
    workspace.attachments.add(str(big), str(big))
    # The card goes preparing → uploading N% → processing (on the server) → ready (file id).
    await until(lambda: any(a.state is AttachmentState.PROCESSING for a in workspace.draft))
    await settle(0.2)
    save(window, "upload.png")
    await until(lambda: all(a.state in ready for a in workspace.draft), timeout=40)
    workspace.set_text("What is written on the whiteboard?")
    record = workspace.conversation.send()
    assert record is not None
    await until(lambda: not workspace.busy and not len(workspace.draft), 60)

    dialog = InspectorDialog(record, window)
    dialog.resize(980, 620)
    dialog.show()
    await settle(0.5)
    save(dialog, "inspector.png")
    dialog.close()

    settings = SettingsDialog(workspace.profiles, "emulator", workspace.secrets, window, save=False)
    settings.show()
    settings.form.test.click()  # Test connection, with its answer
    await until(lambda: settings.form.test.isEnabled())
    await settle(0.3)
    save(settings, "settings.png")
    settings.close()
    await controller.aclose()
    window.close()


def main() -> int:
    scratch = tempfile.mkdtemp(prefix="visiondesk-screenshots-")
    for name in ("DATA", "CONFIG", "CACHE", "LOG"):  # never the person's own history
        os.environ[f"VISIONDESK_{name}_DIR"] = os.path.join(scratch, name.lower())
    make_app([])
    with (
        tempfile.TemporaryDirectory() as tmp,
        asyncio.Runner(loop_factory=qasync.QEventLoop) as runner,
    ):
        runner.run(script(Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
