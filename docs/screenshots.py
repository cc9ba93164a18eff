"""Render the README's screenshots: the real window on a virtual X screen (Xvfb), driven by a
scripted conversation against the built-in emulator.

    make screenshots        # needs Debian's xvfb (see README)

`--narrow` (with QT_SCALE_FACTOR=2) renders the narrow window at twice the scale instead;
`--marking` the mark-up editor and the capture overlay; `--compare` three compare columns.
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
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QContextMenuEvent, QGuiApplication  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QMenu, QWidget  # noqa: E402

from tests import images  # noqa: E402
from visiondesk.config.profile_store import BUILTIN  # noqa: E402
from visiondesk.config.secrets import Secrets  # noqa: E402
from visiondesk.config.settings import Theme  # noqa: E402
from visiondesk.domain import ApiMode  # noqa: E402
from visiondesk.emulator import Knobs  # noqa: E402
from visiondesk.store import History  # noqa: E402
from visiondesk.ui.app import make_app  # noqa: E402
from visiondesk.ui.settings.settings_dialog import SettingsDialog  # noqa: E402
from visiondesk.ui.theme import apply_theme  # noqa: E402
from visiondesk.ui.transcript.inspector_dialog import InspectorDialog  # noqa: E402
from visiondesk.ui.transcript.rows import TurnRow  # noqa: E402
from visiondesk.ui.transcript.transcript_view import TranscriptView  # noqa: E402
from visiondesk.ui.window.controller import Controller  # noqa: E402
from visiondesk.ui.window.main_window import MainWindow  # noqa: E402
from visiondesk.workspace import AttachmentState, TurnStatus, Workspace  # noqa: E402

ANSWER = """The whiteboard states the mass–energy relation $E = mc^2$; for a moving body

$$E^2 = (pc)^2 + \\left(mc^2\\right)^2$$

With `c = 299_792_458` m/s it is one line:

```python
def energy(mass_kg: float, c: float = 299_792_458) -> float:
    return mass_kg * c**2  # joules
```

| Mass | Energy | About |
|---|---|---|
| 1 g | 9.0 × 10¹³ J | 21 kt of TNT |
| 1 kg | 9.0 × 10¹⁶ J | a year of a large power plant |
"""


async def settle(seconds: float = 0.3) -> None:
    """Let the window paint: the qasync loop runs Qt's events meanwhile (a processEvents()
    here would run other tasks' steps inside this one)."""
    await asyncio.sleep(seconds)


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
    first = workspace.conversation.send()  # the turn's id: its value is read as it changes
    assert first is not None
    await until(lambda: len(answer_of(workspace, first)) > 260)
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
    record_id = workspace.conversation.send()
    assert record_id is not None
    await until(lambda: not workspace.busy and not len(workspace.draft), 60)
    record = workspace.transcript.turn(record_id)
    assert record is not None

    dialog = InspectorDialog(record, window)
    dialog.resize(980, 620)
    dialog.show()
    await settle(0.5)
    save(dialog, "inspector.png")
    dialog.close()

    # The transcript: an image bubble, math, a code block and a table, light and dark.
    turn = workspace.transcript.add_turn(
        "What does the formula on the whiteboard say, and how do I compute it?",
        list(record.images[:1]),
        ApiMode.CHAT,
        "gpt-4o",
        "",
    )
    workspace.transcript.update(turn.id, status=TurnStatus.DONE, answer=ANSWER)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    view = TranscriptView()  # the window's own, given the height of a whole answer
    view.resize(1000, 820)
    view.mirror(workspace.transcript)
    view.show()
    for theme in (Theme.LIGHT, Theme.DARK):
        apply_theme(app, theme)
        await settle(0.6)
        row = view.rows[turn.id]
        view.ensureWidgetVisible(row, 0, 0)  # the question at the top
        await settle(0.2)
        save(view, f"transcript-{theme.value}.png")
    view.close()
    apply_theme(app, Theme.SYSTEM)

    # At 800×600: the toolbar whole, compact cards beside the question, Send's focus ring.
    window.resize(800, 600)
    for path in (photo, shot, big):
        workspace.attachments.add(str(path), str(path))
    await until(
        lambda: len(workspace.draft) == 3 and all(a.state in ready for a in workspace.draft)
    )
    workspace.set_text("And these?")
    window.send_button.setFocus()
    await settle(0.5)
    save(window, "small-window.png")
    window.drop_highlight.cover()  # what dragging files over the window looks like
    await settle()
    save(window, "drop.png")
    window.drop_highlight.hide()

    await everyday(window, workspace, folder, (photo, shot, big))

    settings = SettingsDialog(workspace.profiles, "emulator", workspace.secrets, window, save=False)
    settings.show()
    settings.form.test.click()  # Test connection, with its answer
    await until(lambda: settings.form.test.isEnabled())
    await settle(0.3)
    save(settings, "settings.png")
    settings.close()
    await controller.aclose()
    window.close()


async def ask(workspace: Workspace, text: str, image: Path | None) -> int:
    """A question (with an image) sent in the conversation shown, until it is answered."""
    ready = (AttachmentState.READY, AttachmentState.UPLOADED)
    if image is not None:
        workspace.attachments.add(str(image), str(image))
        await until(lambda: len(workspace.draft) and all(a.state in ready for a in workspace.draft))
    workspace.set_text(text)
    turn_id = workspace.conversation.send()
    assert turn_id is not None
    await until(lambda: not workspace.busy, 60)
    return turn_id


def answer_row(window: MainWindow) -> TurnRow:
    view = window.transcript
    view.finish_building()
    return [r for r in view.rows.values() if isinstance(r, TurnRow)][-1]


def right_click(widget: QWidget) -> QMenu | None:
    """The message's menu, opened as a right-click opens it."""
    centre = widget.rect().center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, centre, widget.mapToGlobal(centre))
    QApplication.sendEvent(widget, event)
    menu = getattr(widget, "menu", None)
    return menu if isinstance(menu, QMenu) else None


async def everyday(
    window: MainWindow, workspace: Workspace, folder: Path, pictures: tuple[Path, ...]
) -> None:
    """The pieces people use every day, light and dark: the conversation list with each
    conversation's first picture and its date, an answer's versions (‹ 2/2 ›), the find bar
    with its matches, and a message's right-click menu."""
    photo, shot, big = pictures
    window.resize(1180, 780)
    for image, text in (
        (big, "What is written on the whiteboard in the meeting room?"),
        (photo, "Is the harbour busy today?"),
    ):
        window.new_action.trigger()
        await ask(workspace, text, image)
    window.new_action.trigger()
    await ask(workspace, "Which tile on the dashboard is red, and why?", shot)
    row = answer_row(window)
    menu = right_click(row.answer)
    assert menu is not None
    [regenerate] = [a for a in menu.actions() if a.text() == "Regenerate"]
    menu.close()
    regenerate.trigger()  # a second version of the answer: ‹ 2/2 ›
    await until(lambda: workspace.busy, 10)
    await until(lambda: not workspace.busy, 60)
    window.find_action.trigger()
    QTest.keyClicks(window.find_bar.field, "dashboard")
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    for theme in (Theme.LIGHT, Theme.DARK):
        apply_theme(app, theme)
        await settle(0.8)
        save(window, f"everyday-{theme.value}.png")
    apply_theme(app, Theme.LIGHT)
    QTest.keyClick(window.find_bar.field, Qt.Key.Key_Escape)
    await settle(0.5)
    menu = right_click(answer_row(window).answer)  # a popup: grabbed from the screen
    await settle(0.5)
    screen = QGuiApplication.primaryScreen()
    frame = window.frameGeometry()
    if menu is not None:
        frame = frame.united(menu.geometry())
    corner = frame.topLeft()
    grabbed = screen.grabWindow(0, corner.x(), corner.y(), frame.width(), frame.height())
    grabbed.save(str(OUT / "message-menu.png"))
    print("wrote", OUT / "message-menu.png")
    if menu is not None:
        menu.close()
    apply_theme(app, Theme.SYSTEM)


async def narrow(folder: Path) -> None:
    """Run with QT_SCALE_FACTOR=2: the window 800×600 device pixels (400×300 of room), the
    conversation list folded away, every toolbar box in sight on two rows."""
    photo = folder / "harbour.jpg"
    photo.write_bytes(images.jpeg_with_exif(images.photo(4032, 3024, seed=11), orientation=6))
    window = MainWindow()
    controller = Controller(
        window,
        profiles=dict(BUILTIN),
        secrets=Secrets(use_keyring=False),
        emulator_knobs=Knobs(token_delay=0.01),
        history=History.temporary(),
    )
    window.show()
    ratio = window.devicePixelRatioF()
    window.resize(round(800 / ratio), round(600 / ratio))
    controller.start([])
    workspace = controller.workspace
    await ask(workspace, "Is the harbour busy today?", photo)
    await settle(0.8)
    save(window, "narrow-2x.png")
    await controller.aclose()
    window.close()


async def marking(folder: Path) -> None:
    """The mark-up editor over a dashboard (arrow, box, callouts, a solid redaction), the card
    it leaves, and the capture overlay over the frozen screen with a region being dragged."""
    from PySide6.QtCore import QPoint, QRect

    from visiondesk.marks import Arrow, Callout, Marks, Rectangle, Redact
    from visiondesk.ui.capture.overlay import CaptureOverlay

    shot = folder / "dashboard.png"
    images.screenshot(2560, 1440, seed=12).save(shot)
    window = MainWindow()
    window.resize(1180, 780)
    controller = Controller(
        window,
        profiles=dict(BUILTIN),
        secrets=Secrets(use_keyring=False),
        emulator_knobs=Knobs(token_delay=0.01),
        history=History.temporary(),
    )
    window.show()
    controller.start([])
    workspace = controller.workspace
    attachment_id = workspace.attachments.add(str(shot), str(shot))
    await until(lambda: [a.state for a in workspace.draft] == [AttachmentState.READY])
    dialog = controller.attachments_view.mark_up(attachment_id)
    assert dialog is not None
    marks = Marks(
        (
            Rectangle((1500, 180, 2450, 700), width=8),
            Arrow((1100, 1100), (1480, 720), width=8),
            Callout(1, (1530, 210), width=10),
            Callout(2, (300, 900), width=10),
            Redact((120, 120, 900, 260)),
        )
    )
    dialog.history.push(marks)
    dialog.canvas.select(0)
    await settle(0.8)
    save(dialog, "markup.png")
    dialog.apply()
    await until(lambda: [a.state for a in workspace.draft] == [AttachmentState.READY])
    workspace.set_text("Why is tile 1 red, and what does 2 show?")
    await settle(0.8)
    save(window, "marked-card.png")
    from PySide6.QtGui import QPixmap
    from PySide6.QtWidgets import QLabel

    behind = QLabel()  # something on the screen to capture: the dashboard, in a window
    behind.setPixmap(QPixmap(str(shot)).scaledToWidth(1100))
    behind.setWindowTitle("dashboard.png — Image Viewer")
    behind.move(60, 40)
    behind.show()
    await settle(0.8)
    controller.capture_view.start()
    await until(lambda: bool(controller.capture_view.overlays))
    overlay = controller.capture_view.overlays[0]
    assert isinstance(overlay, CaptureOverlay)
    # The window under the pointer, outlined as a click would take it (the dragged region
    # where the display lists no windows).
    overlay.hovered = overlay.window_at(QPoint(400, 300))
    if overlay.hovered is None:
        overlay.selection = QRect(overlay.width() // 5, overlay.height() // 4, 420, 260)
    overlay.update()
    await settle(0.8)
    save(overlay, "capture-overlay.png")
    QTest.keyClick(overlay, Qt.Key.Key_Escape)
    behind.close()
    await settle(0.5)
    await controller.aclose()
    window.close()


async def compare(folder: Path) -> None:
    """Three columns on one receipt photo: gpt-4o high in Chat, gpt-4.1-mini low in Responses,
    gpt-4o low in Chat, answered, each header saying what its model saw and what it cost."""
    from visiondesk.compare import ColumnSpec
    from visiondesk.config.profile_store import EMULATOR
    from visiondesk.domain import Detail

    photo = folder / "receipt.jpg"
    photo.write_bytes(images.jpeg_with_exif(images.photo(3024, 4032, seed=21), orientation=1))
    window = MainWindow()
    window.resize(1280, 820)
    controller = Controller(
        window,
        profiles=dict(BUILTIN),
        secrets=Secrets(use_keyring=False),
        emulator_knobs=Knobs(token_delay=0.01),
        history=History.temporary(),
    )
    window.show()
    controller.start([photo])
    workspace = controller.workspace
    await until(lambda: workspace.draft and all(a.state.sendable for a in workspace.draft))
    workspace.compare.start(
        [
            (EMULATOR, ColumnSpec("gpt-4o", ApiMode.CHAT, Detail.HIGH)),
            (EMULATOR, ColumnSpec("gpt-4.1-mini", ApiMode.RESPONSES, Detail.LOW)),
            (EMULATOR, ColumnSpec("gpt-4o", ApiMode.CHAT, Detail.LOW)),
        ]
    )
    window.sidebar_fold.hide()
    workspace.set_text("What is the total on this receipt?")
    workspace.compare.ask()
    await until(lambda: not workspace.compare.busy)
    await settle(0.6)
    save(window, "compare.png")
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
        if "--narrow" in sys.argv:
            runner.run(narrow(Path(tmp)))
        elif "--marking" in sys.argv:
            runner.run(marking(Path(tmp)))
        elif "--compare" in sys.argv:
            runner.run(compare(Path(tmp)))
        else:
            runner.run(script(Path(tmp)))
    return 0


def answer_of(workspace: Workspace, turn_id: int) -> str:
    turn = workspace.transcript.turn(turn_id)
    return turn.answer if turn is not None else ""


if __name__ == "__main__":
    sys.exit(main())
