"""Every answer says what it used and cost, and the conversation its total, priced by the
price table (cached input at the cached price)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_workspace import drive
from tests.waiting import until
from visiondesk.ui.transcript.turn_labels import status_text
from visiondesk.workspace import TurnStatus, Workspace


def test_each_answer_and_the_conversation_are_priced(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.set_model("gpt-4o")
        for question in ("What is it?", "And then?"):
            ws.set_text(question)
            turn_id = ws.conversation.send()
            assert turn_id is not None
            await until(lambda: not ws.busy)
        turns = ws.transcript.turns
        assert all(t.status is TurnStatus.DONE and t.usage is not None for t in turns)
        price = ws.prices.price("gpt-4o")
        assert price is not None
        for turn in turns:
            assert turn.usage is not None
            expected = price.cost(turn.usage.input_tokens, turn.usage.output_tokens)
            assert turn.cost_usd == pytest.approx(expected)
            assert status_text(turn).endswith(f"out · ${turn.cost_usd:.4f}")
        tokens = ws.tokens
        assert tokens.total_cost == pytest.approx(sum(t.cost_usd or 0 for t in turns))
        assert tokens.last_cost == turns[-1].cost_usd and tokens.unpriced == 0
        ws.set_model("a-local-model")  # no price known: said, and left out of the total
        ws.set_text("Once more?")
        ws.conversation.send()
        await until(lambda: not ws.busy)
        last = ws.transcript.turns[-1]
        assert last.cost_usd is None and status_text(last).endswith("· price unknown")
        assert ws.tokens.unpriced == 1 and ws.tokens.total_cost == pytest.approx(tokens.total_cost)

    drive(tmp_path, scenario)
