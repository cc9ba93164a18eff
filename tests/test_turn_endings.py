"""Every turn ends, whatever it was doing: a turn held (by the emulator's knobs) in each status a
running turn can have, with its image in each attachment state, is stopped (the Stop intent, as
Esc) or made to fail (the server goes away), and always ends stopped or failed, with Retry, its
stored answer no longer pending, Send free again, and no image left preparing or uploading."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.waiting import until
from visiondesk.config.profile_store import BUILTIN, EMULATOR
from visiondesk.config.secrets import Secrets
from visiondesk.domain import AnswerStatus, ApiMode
from visiondesk.emulator import Emulator, Knobs
from visiondesk.store import History
from visiondesk.workspace import AttachmentState, ConnectionState, Turn, TurnStatus, Workspace


@dataclass(frozen=True)
class Hold:
    """How to hold a turn in `status` while its image is in `attachment`."""

    attachment: AttachmentState
    status: TurnStatus
    mode: ApiMode
    knobs: Callable[[], Knobs]
    """The emulator's knobs for it (fresh for each test: a test turns them back)."""

    def __str__(self) -> str:
        return f"{self.status.value}-with-image-{self.attachment.value}"


HOLDS = [
    # Send pressed while the image is still being prepared: the turn waits for it.
    Hold(AttachmentState.PREPARING, TurnStatus.PREPARING, ApiMode.CHAT, Knobs),
    # Send pressed with the image ready: the turn is pending until its job's first step.
    Hold(AttachmentState.READY, TurnStatus.PENDING, ApiMode.CHAT, Knobs),
    # A model slow to answer: streaming, the first words arrived.
    Hold(
        AttachmentState.READY,
        TurnStatus.STREAMING,
        ApiMode.RESPONSES,
        lambda: Knobs(token_delay=0.2),
    ),
    # A slow link: the image's upload is under way when Send is pressed.
    Hold(
        AttachmentState.UPLOADING,
        TurnStatus.UPLOADING,
        ApiMode.ASSISTANTS,
        lambda: Knobs(upload_bytes_per_second=5_000),
    ),
    # The server is still processing the uploaded file.
    Hold(
        AttachmentState.PROCESSING,
        TurnStatus.UPLOADING,
        ApiMode.ASSISTANTS,
        lambda: Knobs(file_never_ready=True),
    ),
    # Uploaded; the answer streams slowly.
    Hold(
        AttachmentState.UPLOADED,
        TurnStatus.STREAMING,
        ApiMode.ASSISTANTS,
        lambda: Knobs(token_delay=0.2),
    ),
    # The image's upload failed; Send retries it, so the turn waits for it to be prepared again.
    Hold(
        AttachmentState.FAILED,
        TurnStatus.PREPARING,
        ApiMode.ASSISTANTS,
        lambda: Knobs(file_error=True),
    ),
]


def drive(tmp_path: Path, knobs: Knobs, scenario: Callable[[Workspace], Awaitable[None]]) -> None:
    async def main() -> None:
        workspace = Workspace(
            History(tmp_path / "history"),
            {EMULATOR: BUILTIN[EMULATOR]},
            Secrets(use_keyring=False),
            emulator_knobs=knobs,
        )
        workspace.select_profile(EMULATOR)
        try:
            await asyncio.wait_for(scenario(workspace), 60)
        finally:
            await workspace.aclose()

    asyncio.run(main())


def emulator_of(ws: Workspace) -> Emulator:
    emulator = ws.connections.emulator
    assert emulator is not None
    return emulator


def now(ws: Workspace, turn_id: int) -> Turn:
    """The turn's value now (the transcript replaces it as it changes)."""
    turn = ws.transcript.turn(turn_id)
    assert turn is not None
    return turn


async def held(ws: Workspace, hold: Hold, photo: Path) -> int:
    """Send a question about `photo` and return its turn once it is in the hold's status (and
    its image in the hold's state)."""
    await until(lambda: ws.status.state is ConnectionState.CONNECTED)
    ws.set_mode(hold.mode)
    attachment_id = ws.attachments.add(str(photo), "photo")

    def state() -> AttachmentState | None:
        attachment = ws.draft.get(attachment_id)
        return attachment.state if attachment is not None else None

    if hold.attachment is not AttachmentState.PREPARING:
        await until(lambda: state() is hold.attachment)
    if hold.attachment is AttachmentState.FAILED:
        emulator_of(ws).knobs.file_error = False  # the next upload works
    ws.set_text("What is in it?")
    turn = ws.conversation.send()
    assert turn is not None
    if hold.status in (TurnStatus.PENDING, TurnStatus.PREPARING):
        # Nothing has run yet: the turn's job and the image's preparing wait for the loop.
        waiting = AttachmentState.READY if hold.status is TurnStatus.PENDING else hold.attachment
        waiting = AttachmentState.PREPARING if hold.status is TurnStatus.PREPARING else waiting
        assert now(ws, turn).status is hold.status and state() is waiting
    elif hold.status is TurnStatus.STREAMING:
        await until(
            lambda: now(ws, turn).status is TurnStatus.STREAMING and len(now(ws, turn).answer) > 0
        )
    else:
        await until(lambda: now(ws, turn).status is hold.status)
        assert state() is hold.attachment
    return turn


async def settled(ws: Workspace, turn: int) -> AnswerStatus:
    """Wait until the turn's job and its image's work are over; the stored answer's status."""
    await until(lambda: not ws.busy and not now(ws, turn).status.running)
    await until(lambda: not any(a.state.running for a in ws.draft))
    message_ids = now(ws, turn).message_ids
    assert message_ids is not None
    [answer] = [m for m in ws.history.messages(ws.conversation_id or 0) if m.role == "assistant"]
    assert answer.id == message_ids[1]
    return AnswerStatus(answer.status)


@pytest.mark.parametrize("hold", HOLDS, ids=str)
def test_stop_ends_every_running_turn_stopped_with_retry(
    hold: Hold, tmp_path: Path, photo_path: Path
) -> None:
    async def scenario(ws: Workspace) -> None:
        turn = await held(ws, hold, photo_path)
        ws.conversation.stop()
        stored = await settled(ws, turn)
        assert now(ws, turn).status is TurnStatus.STOPPED and now(ws, turn).status.retryable
        assert stored is AnswerStatus.CANCELLED
        assert [a.state for a in ws.draft] in (
            [AttachmentState.READY],
            [AttachmentState.UPLOADED],
        )
        # Retry sends the question again, with its image, once the server answers quickly.
        knobs = emulator_of(ws).knobs
        knobs.token_delay, knobs.upload_bytes_per_second = 0.0, None
        knobs.file_never_ready = False
        retried = ws.conversation.retry(turn)
        assert retried is not None
        await until(lambda: not now(ws, retried).status.running and not ws.busy)
        assert now(ws, retried).status is TurnStatus.DONE, now(ws, retried).error
        assert "I received 1 image(s)" in now(ws, retried).answer

    drive(tmp_path, hold.knobs(), scenario)


@pytest.mark.parametrize("hold", HOLDS, ids=str)
def test_a_server_gone_ends_every_running_turn_failed_with_retry(
    hold: Hold, tmp_path: Path, photo_path: Path
) -> None:
    async def scenario(ws: Workspace) -> None:
        turn = await held(ws, hold, photo_path)
        emulator_of(ws).stop()
        stored = await settled(ws, turn)
        assert (
            now(ws, turn).status is TurnStatus.FAILED
            and now(ws, turn).status.retryable
            and now(ws, turn).error
        )
        assert stored is AnswerStatus.FAILED
        assert ws.text == "What is in it?"  # the question is back in the composer

    drive(tmp_path, hold.knobs(), scenario)
