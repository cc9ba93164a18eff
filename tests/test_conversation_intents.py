"""Conversation intents on the headless model: Stop, Retry, 429 countdowns, Edit & resend,
Regenerate and instructions, against the emulator."""

from __future__ import annotations

from pathlib import Path

from tests.test_workspace import drive
from tests.waiting import until
from visiondesk.workspace import ConnectionState, TurnStatus, Workspace


def test_a_429_wait_counts_down_on_the_answer_and_in_the_status_bar(tmp_path: Path) -> None:
    seen: list[float] = []
    statuses: list[str] = []

    async def scenario(ws: Workspace) -> None:
        await until(lambda: ws.status.state is ConnectionState.CONNECTED)
        ws.transcript.changed.connect(lambda item: seen.append(getattr(item, "retry_in", 0.0)))
        ws.status_changed.connect(lambda status: statuses.append(status.text))
        emulator = ws.connections.emulator
        assert emulator is not None
        emulator.knobs.fail_429, emulator.knobs.retry_after = 1, 2.0
        ws.set_text("Busy server?")
        turn = ws.conversation.send()
        assert turn is not None
        await until(lambda: turn.retry_in > 0)
        assert ws.status.state is ConnectionState.RATE_LIMITED
        assert "Rate limited — retrying in 2 s" in ws.status.text
        await until(lambda: turn.status is TurnStatus.DONE)
        assert turn.retry_in == 0 and ws.status.state is ConnectionState.CONNECTED

    drive(tmp_path, scenario)
    countdown = [s for s in seen if s > 0]
    assert countdown[0] == 2.0 and 0.0 in seen[seen.index(2.0) :]
    assert any("Rate limited — retrying in" in text for text in statuses)
