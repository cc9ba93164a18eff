"""A whole session with a known (fake) key leaves that key nowhere: not in the data, config,
cache or log folders, not in exports, the inspector or the copied code. Sent images carry no
EXIF, GPS or XMP."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import qasync
from PIL import Image
from PySide6.QtGui import QGuiApplication

from tests.qt_support import all_ready, dispose, last_turn, run, status
from tests.waiting import until
from visiondesk.config.paths import cache_dir, config_dir, data_dir, log_folder
from visiondesk.config.profiles import Profile, ProviderKind
from visiondesk.config.secrets import Secrets
from visiondesk.domain import ApiMode
from visiondesk.emulator import Emulator
from visiondesk.logs import Redactor, setup
from visiondesk.store import History
from visiondesk.ui.transcript.inspector_dialog import InspectorDialog
from visiondesk.ui.window.controller import Controller
from visiondesk.ui.window.main_window import MainWindow
from visiondesk.workspace import TurnStatus

FAKE_KEY = "sk-privacy-test-KEY-4f1c9a7d2b"


def test_the_key_appears_nowhere(
    qtbot, loop: qasync.QEventLoop, photo_path: Path, tmp_path: Path
) -> None:
    log_file = setup(log_folder())
    logging.getLogger("visiondesk.test").warning("a message that quotes %s", FAKE_KEY)
    with Emulator(api_key=FAKE_KEY) as emulator:
        profile = Profile("Private", ProviderKind.COMPATIBLE, emulator.base_url, api_key_env="")
        secrets = Secrets(use_keyring=False)
        secrets.store(profile, FAKE_KEY)
        window = MainWindow()
        controller = Controller(
            window,
            profiles={"private": profile},
            secrets=secrets,
            history=History(data_dir()),
        )
        window.show()
        controller.start([])
        texts: list[str] = []
        workspace = controller.workspace
        for mode in (ApiMode.CHAT, ApiMode.ASSISTANTS):
            workspace.set_mode(mode)
            workspace.attachments.add(str(photo_path), str(photo_path))

            async def turn(mode: ApiMode = mode) -> None:
                await until(lambda: len(workspace.draft) == 1 and all_ready(controller))
                workspace.set_text(f"Private question in {mode.value}")
                workspace.conversation.send()
                await until(lambda: status(controller) is TurnStatus.DONE)

            run(loop, turn)
            record = last_turn(controller)
            assert record is not None
            dialog = InspectorDialog(record, window)
            texts.append(dialog.python_code())
            texts.append(dialog.curl_code())
            texts.append(dialog.body.toPlainText())
            dialog.copy_python()
            texts.append(QGuiApplication.clipboard().text())
        exports = [
            workspace.library.export("md", tmp_path / "md"),
            workspace.library.export("html", tmp_path / "x.html"),
        ]
        texts.append(window.transcript.toPlainText())
        loop.run_until_complete(controller.aclose())
        dispose(window)
        sent = [r for r in emulator.log if r.images]
    for handler in logging.getLogger().handlers[:]:
        handler.flush()
    assert log_file.exists()

    folders = [data_dir(), config_dir(), cache_dir(), log_folder(), tmp_path]
    files = [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]
    assert any(p.suffix == ".sqlite3" for p in files) and all(e is not None for e in exports)
    leaks = [str(p) for p in files if FAKE_KEY.encode() in p.read_bytes()]
    assert leaks == []
    assert not [t for t in texts if FAKE_KEY in t]
    assert sent  # the turns really went through with that key


def test_sent_images_carry_no_metadata(
    emulator: Emulator, profile: Profile, photo_path: Path
) -> None:
    from tests.turns import collect, session_for
    from tests.turns import run as run_turns

    session = session_for(profile, ApiMode.CHAT)
    run_turns(collect(session, [photo_path], "Where was this taken?"))
    import base64

    for record in emulator.log:
        for message in (record.body or {}).get("messages", []):
            for part in (
                message.get("content", []) if isinstance(message.get("content"), list) else []
            ):
                if part.get("type") != "image_url":
                    continue
                data = base64.b64decode(part["image_url"]["url"].split(",", 1)[1])
                with Image.open(io.BytesIO(data)) as image:
                    assert not image.getexif()
                    assert "xmp" not in image.info and "exif" not in image.info
                assert (
                    b"GPS" not in data
                    and b"Exif" not in data
                    and b"VisionDesk Test Camera" not in data
                )


def test_the_log_filter_masks_keys_and_base64() -> None:
    record = logging.LogRecord(
        "x",
        logging.INFO,
        "",
        0,
        "key %s image %s",
        (FAKE_KEY, "data:image/png;base64," + "A" * 200),
        None,
    )
    Redactor().filter(record)
    assert FAKE_KEY not in record.getMessage() and "AAAA" not in record.getMessage()
