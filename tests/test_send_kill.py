"""kill -9 while a question's images are still being prepared: the question was saved the moment
Send was pressed with what every image is made from (a file's and a paste's bytes, crops), so the
reopened conversation has them all and Retry sends every one (the emulator counts them)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests import images
from tests.waiting import until
from visiondesk.config.profile_store import BUILTIN, EMULATOR
from visiondesk.config.secrets import Secrets
from visiondesk.domain import AnswerStatus
from visiondesk.emulator import Knobs
from visiondesk.store import History
from visiondesk.workspace import TurnStatus, Workspace

COUNT = 8

KILLED = r"""
import asyncio, sys
from pathlib import Path
from visiondesk.config.profile_store import BUILTIN, EMULATOR
from visiondesk.config.secrets import Secrets
from visiondesk.emulator import Knobs
from visiondesk.store import History
from visiondesk.workspace import TurnStatus, Workspace

folder, *paths = sys.argv[1:]

async def main():
    ws = Workspace(History(Path(folder)), {EMULATOR: BUILTIN[EMULATOR]},
                   Secrets(use_keyring=False), emulator_knobs=Knobs())
    ws.select_profile(EMULATOR)
    for n, path in enumerate(paths):
        if n == 0:  # a paste: only its bytes exist
            ws.attachments.add(Path(path).read_bytes(), "pasted image")
        elif n == 1:  # a cropped file
            ws.attachments.add(path, path, (0, 0, 600, 400))
        else:
            ws.attachments.add(path, path)
    ws.set_text("What are these?")
    turn_id = ws.conversation.send()
    turn = ws.transcript.turn(turn_id) if turn_id is not None else None
    assert turn is not None and turn.status is TurnStatus.PREPARING
    print("sent", flush=True)  # no image is prepared yet: nothing ran since Send
    await asyncio.Event().wait()

asyncio.run(main())
"""


@pytest.mark.skipif(os.name != "posix", reason="kill -9 is POSIX")
def test_kill_9_while_images_prepare_keeps_every_image_for_retry(tmp_path: Path) -> None:
    paths = []
    for n in range(COUNT):
        path = tmp_path / f"photo{n}.jpg"
        path.write_bytes(images.encode(images.photo(2400, 1800, seed=n + 10), "JPEG"))
        paths.append(path)
    folder = tmp_path / "history"
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(folder), *map(str, paths)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "sent"
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    process.stdout.close()
    for path in paths[2:]:
        path.unlink()  # files saved as bytes come back even if the originals are gone

    async def main() -> tuple[str, int]:
        ws = Workspace(
            History(folder),
            {EMULATOR: BUILTIN[EMULATOR]},
            Secrets(use_keyring=False),
            emulator_knobs=Knobs(),
        )
        ws.select_profile(EMULATOR)
        try:
            [conversation] = ws.history.conversations()
            assert await ws.library.open(conversation.id)
            [turn] = ws.transcript.turns
            assert turn.prompt == "What are these?" and turn.status is TurnStatus.INTERRUPTED
            assert len(turn.sources) == COUNT
            assert turn.sources[0].label == "pasted image"
            assert turn.sources[1].crop == (0, 0, 600, 400)
            retried_id = ws.conversation.retry(turn.id)
            assert retried_id is not None
            await until(lambda: not ws.busy, timeout=60)
            retried = ws.transcript.turn(retried_id)
            assert retried is not None
            assert retried.status is TurnStatus.DONE, retried.error
            [question, answer] = ws.history.messages(conversation.id)
            assert answer.status == AnswerStatus.COMPLETE
            return retried.answer, len(question.images)
        finally:
            await ws.aclose()

    answer, stored = asyncio.run(main())
    assert f"I received {COUNT} image(s)" in answer
    assert "600×400" in answer  # the crop went along
    assert stored == COUNT
