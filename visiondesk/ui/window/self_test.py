"""`visiondesk --self-test`: open the window, prepare a generated sample and get an answer
from the built-in emulator; the packaged app runs it to prove its bundle is whole."""

from __future__ import annotations

import asyncio
import sys
import time

from visiondesk.api.tls import trust_store
from visiondesk.config.profile_store import EMULATOR
from visiondesk.imaging.samples import sample_jpeg
from visiondesk.ui.window.controller import Controller
from visiondesk.workspace import AttachmentState, Turn, TurnStatus


async def self_test(controller: Controller) -> int:
    """Open the window, prepare a generated sample, get an answer from the built-in emulator."""
    workspace = controller.workspace
    workspace.select_profile(EMULATOR)
    workspace.attachments.add(sample_jpeg(), "self-test sample")
    workspace.set_text("Self-test: what do you see?")
    deadline = time.monotonic() + 30
    while any(a.state is not AttachmentState.READY for a in workspace.draft):
        await asyncio.sleep(0.05)
        if time.monotonic() > deadline:
            print("self-test: the sample was not prepared", file=sys.stderr)
            return 1
    turn_id = workspace.conversation.send()
    assert turn_id is not None

    def current() -> Turn:  # the transcript's value now: a turn is replaced as it changes
        turn = workspace.transcript.turn(turn_id)
        assert turn is not None
        return turn

    while current().status.running:
        await asyncio.sleep(0.05)
        if time.monotonic() > deadline:
            print("self-test: no answer within 30 s", file=sys.stderr)
            return 1
    turn = current()
    if turn.status is not TurnStatus.DONE or "I received 1 image(s)" not in turn.answer:
        print(f"self-test failed: {turn.status.value} {turn.error}", file=sys.stderr)
        return 1
    found, where = trust_store()
    print(f"self-test: HTTPS trust: {where}")
    if not found:
        return 1
    print("self-test passed: " + turn.answer.splitlines()[0])
    return 0
