"""How a turn reads: its status line and the actions it offers; plain rules shared by the
transcript's message widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from visiondesk.ui.transcript.actions import TranscriptAction
from visiondesk.ui.widgets.usage_words import tokens_words
from visiondesk.workspace.transcript import Fix, Turn, TurnStatus

if TYPE_CHECKING:
    from visiondesk.events import Usage

_STATUS_TEXT = {
    TurnStatus.PENDING: "sending…",
    TurnStatus.PREPARING: "preparing the images…",
    TurnStatus.UPLOADING: "uploading the images…",
    TurnStatus.STREAMING: "answering…",
    TurnStatus.FAILED: "failed",
    TurnStatus.STOPPED: "stopped — partial answer kept",
    TurnStatus.INTERRUPTED: "interrupted",
}


def status_text(turn: Turn) -> str:
    """The line beside the answer's icon; once the answer is done, what it used and cost
    (where the server said)."""
    if turn.status.running:
        retry_in = float(getattr(turn, "retry_in", 0.0) or 0.0)  # the rate limit's countdown
        if retry_in > 0:
            return f"waiting for the rate limit — retrying in {retry_in:.0f} s — Esc stops"
        if turn.waiting:
            return f"waiting for the server ({turn.waiting:.0f} s) — Esc stops"
    if turn.status is TurnStatus.DONE and turn.usage is not None:
        return used_text(turn.usage, turn.cost_usd)
    return _STATUS_TEXT.get(turn.status, "")


def used_text(usage: Usage, cost: float | None) -> str:
    """An answer's tokens and price in one line: 1,234 in (1,024 cached) · 56 out · $0.0031."""
    price = "price unknown" if cost is None else f"${cost:.4f}"
    return f"{tokens_words(usage)} · {price}"


def answer_actions(turn: Turn) -> list[tuple[TranscriptAction, str]]:
    """The answer's buttons and their labels (none while it is still being written)."""
    if turn.status.running:
        return []
    actions = [(TranscriptAction.COPY, "Copy"), (TranscriptAction.INSPECT, "Inspect request")]
    if turn.status.retryable:
        actions.append((TranscriptAction.RETRY, "Retry"))
    else:
        actions.append((TranscriptAction.REGENERATE, "Regenerate"))
    if turn.fix is Fix.OPEN_SETTINGS:
        actions.append((TranscriptAction.OPEN_SETTINGS, "Open Settings"))
    elif turn.fix is Fix.SWITCH_MODE and turn.suggested_mode is not None:
        actions.append((TranscriptAction.SWITCH_MODE, f"Use {turn.suggested_mode.value.title()}"))
    return actions


def question_actions(turn: Turn) -> list[tuple[TranscriptAction, str]]:
    return [] if turn.status.running else [(TranscriptAction.EDIT, "Edit")]


def pinned(turn: Turn) -> bool:
    """Whether the actions stay in sight without hovering: a turn that needs a decision."""
    return turn.status.retryable or turn.fix is not None
