"""Redaction is real, end to end on the headless model against the emulator: once a region is
redacted, no pixel of it (and not the original's bytes or hash) is in the image sent, the file
uploaded, or anything the history saved; drawings stay editable and are reapplied."""

from __future__ import annotations

import base64
import hashlib
import io
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from tests.test_workspace import drive
from tests.waiting import until
from visiondesk.domain import ApiMode
from visiondesk.marks import Marks, Rectangle, Redact
from visiondesk.workspace import AttachmentState, TurnStatus, Workspace

SECRET = (13, 200, 77)
"""The colour of the secret region: nowhere else in the picture."""
BOX = (120, 80, 280, 160)


def secret_photo(path: Path) -> bytes:
    """A 400×300 grey gradient (no green cast anywhere) with a secret block in SECRET."""
    image = Image.new("RGB", (400, 300))
    image.putdata([(x * 255 // 400,) * 3 for y in range(300) for x in range(400)])
    image.paste(SECRET, BOX)
    image.save(path, "PNG")
    return path.read_bytes()


def secret_pixels(data: bytes) -> int:
    """Pixels near SECRET in an encoded image (a lossy encoder may move them a little)."""
    with Image.open(io.BytesIO(data)) as image:
        raw = image.convert("RGB").tobytes()
    pixels = zip(raw[0::3], raw[1::3], raw[2::3], strict=True)
    return sum(
        1
        for r, g, b in pixels
        if abs(r - SECRET[0]) < 40 and abs(g - SECRET[1]) < 40 and abs(b - SECRET[2]) < 40
    )


IMAGE_STARTS = (b"\x89PNG", b"\xff\xd8\xff", b"RIFF")


def images_saved(folder: Path) -> list[bytes]:
    """Every image the history keeps: its files (blobs) and every BLOB of every table."""
    found = [
        p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.read_bytes()[:4].startswith(IMAGE_STARTS)
    ]
    with sqlite3.connect(folder / "history.sqlite3") as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in db.execute(f"SELECT * FROM {table}"):
                for value in row:
                    if isinstance(value, bytes) and value.startswith(IMAGE_STARTS):
                        found.append(value)
    return found


def settled(ws: Workspace, attachment_id: int) -> bool:
    """Prepared (and uploaded where the mode uploads), nothing under way."""
    attachment = ws.draft.get(attachment_id)
    return attachment is not None and attachment.state.sendable


async def attach_redacted(ws: Workspace, path: Path, *, uploaded: bool = False) -> int:
    """Attach `path`, let it be prepared (and uploaded, where the mode uploads on attach),
    then redact the secret and box something else."""
    attachment_id = ws.attachments.add(str(path), path.name)
    await until(lambda: settled(ws, attachment_id))
    if uploaded:  # the unredacted picture is on the server before the person redacts it
        await until(lambda: ws.draft.get(attachment_id).state is AttachmentState.UPLOADED)  # type: ignore[union-attr]
    marks = Marks((Redact(BOX), Rectangle((20, 20, 100, 60))))
    ws.attachments.set_marks(attachment_id, marks)
    await until(lambda: settled(ws, attachment_id))
    attachment = ws.draft.get(attachment_id)
    assert attachment is not None and attachment.marks == marks and attachment.redacted
    assert attachment.prepared is not None and secret_pixels(attachment.prepared.data) == 0
    return attachment_id


@pytest.mark.parametrize("mode", [ApiMode.CHAT, ApiMode.ASSISTANTS])
def test_no_redacted_pixel_is_sent_uploaded_or_saved(tmp_path: Path, mode: ApiMode) -> None:
    original = secret_photo(tmp_path / "secret.png")
    assert secret_pixels(original) == 160 * 80
    digest = hashlib.sha256(original).hexdigest()

    async def scenario(ws: Workspace) -> tuple[list[bytes], list[bytes]]:
        ws.set_mode(mode)
        await attach_redacted(ws, tmp_path / "secret.png", uploaded=mode is ApiMode.ASSISTANTS)
        saved_sources: list = []  # what Send saved, before any preparing or uploading
        ws.transcript.changed.connect(
            lambda item: saved_sources.extend(getattr(item, "sources", ()) or ())
        )
        ws.set_text("What is on this page?")
        turn_id = ws.conversation.send()
        assert turn_id is not None
        await until(lambda: not ws.busy and ws.transcript.turn(turn_id).status is TurnStatus.DONE)  # type: ignore[union-attr]
        assert saved_sources
        kept = [source.data for source in saved_sources]
        drawn = Marks((Rectangle((20, 20, 100, 60)),))
        assert all(source.marks == drawn for source in saved_sources)
        emulator = ws.connections.emulator
        assert emulator is not None
        sent: list[bytes] = []
        for record in emulator.log:
            text = str(record.body)
            assert digest not in text
            for part in _image_urls(record.body):
                sent.append(base64.b64decode(part.split(",", 1)[1]))
        uploads = [p.read_bytes() for p in (emulator.store.folder / "files").iterdir()]
        return sent + uploads, [data for data in kept if data is not None]

    sent, kept = drive(tmp_path, scenario)
    assert kept and all(secret_pixels(data) == 0 and original != data for data in kept)
    assert sent, "the image went out, inline or uploaded"
    assert all(secret_pixels(data) == 0 for data in sent)
    saved = images_saved(tmp_path / "history")
    assert saved and all(secret_pixels(data) == 0 for data in saved)
    assert all(original not in data for data in saved)
    raw = (tmp_path / "history" / "history.sqlite3").read_bytes()
    assert digest.encode() not in raw and original[:2000] not in raw


def test_drawings_stay_editable_and_forgetting_keeps_only_the_redacted(tmp_path: Path) -> None:
    secret_photo(tmp_path / "secret.png")

    async def scenario(ws: Workspace) -> None:
        attachment_id = await attach_redacted(ws, tmp_path / "secret.png")
        before = ws.draft.get(attachment_id)
        assert before is not None and before.redacted is not None and before.marked
        # A drawing changes: the redacted picture is kept, the image prepared again.
        ws.attachments.set_marks(attachment_id, Marks((Redact(BOX),)))
        await until(lambda: settled(ws, attachment_id))
        after = ws.draft.get(attachment_id)
        assert after is not None and after.redacted is before.redacted
        assert after.prepared is not None and after.prepared.data != before.prepared.data  # type: ignore[union-attr]
        # Forget the original: the source is the redacted picture; nothing left to redact.
        assert ws.attachments.forget_original(attachment_id)
        forgot = ws.draft.get(attachment_id)
        assert forgot is not None and forgot.forgot_original and forgot.marked
        assert isinstance(forgot.source, bytes) and secret_pixels(forgot.source) == 0
        assert not forgot.marks.redactions and forgot.state.sendable
        # Taking the redaction away cannot bring the secret back.
        ws.attachments.set_marks(attachment_id, Marks())
        await until(lambda: settled(ws, attachment_id))
        again = ws.draft.get(attachment_id)
        assert again is not None and again.prepared is not None
        assert secret_pixels(again.prepared.data) == 0

    drive(tmp_path, scenario)


def _image_urls(body: object) -> list[str]:
    """Every data URL of an image anywhere in a request body."""
    found: list[str] = []
    if isinstance(body, dict):
        for value in body.values():
            found += _image_urls(value)
    elif isinstance(body, list):
        for value in body:
            found += _image_urls(value)
    elif isinstance(body, str) and body.startswith("data:image/"):
        found.append(body)
    return found
