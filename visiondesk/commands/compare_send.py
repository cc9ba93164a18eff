"""`visiondesk send --compare SPEC --compare SPEC …`: one question and the same images through
2–4 columns (model, mode, detail) at once, each column's answer under a header naming it.

The images are prepared once per distinct policy and uploaded once per server
(`visiondesk.compare_turn`, shared with the window); the columns run concurrently over one
connection, so they share its rate-limit handling, and one column's failure never stops the
others. With --json every event line carries
`"column": i`, and each column ends with a `summary` line."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from visiondesk.commands.event_json import EXIT_FAILED, EXIT_OK, EXIT_USAGE, event_json
from visiondesk.compare import ColumnSpec
from visiondesk.compare_turn import ImageSource, Preparations, column_events
from visiondesk.domain import Continuation, PdfPage, PreparedImage, Question, file_name
from visiondesk.errors import ImageError, VisionDeskError
from visiondesk.escaping import for_terminal, json_line
from visiondesk.events import (
    Completed,
    Event,
    Failed,
    FileFailed,
    Prepared,
    TextDelta,
    Usage,
)

if TYPE_CHECKING:
    from visiondesk.config.prices import PriceTable
    from visiondesk.session import OwnSettings, Session, StoredTurn


@dataclass
class ColumnResult:
    """What one column ended with; filled in from its events as they come."""

    index: int
    spec: ColumnSpec
    continuation: Continuation = field(default_factory=Continuation)
    """Where its conversation stands (`--continue` of a saved compare); a new one by default."""
    instructions: str = ""
    prepared: list[PreparedImage] = field(default_factory=list)
    text: str = ""
    usage: Usage | None = None
    failure: Failed | FileFailed | None = None
    started: float = field(default_factory=time.monotonic)
    first_token: float | None = None
    ended: float | None = None

    def summary(self, prices: PriceTable) -> dict[str, Any]:
        cost = None
        if (used := self.usage) is not None:
            exact = prices.cost_of(
                self.spec.model, used.input_tokens, used.output_tokens, used.cached_input_tokens
            )
            cost = None if exact is None else round(exact, 6)
        usage = None
        if self.usage is not None:
            usage = {
                "input_tokens": self.usage.input_tokens,
                "cached_input_tokens": self.usage.cached_input_tokens,
                "output_tokens": self.usage.output_tokens,
            }
        ended = self.ended if self.ended is not None else time.monotonic()
        first = None if self.first_token is None else round(self.first_token - self.started, 3)
        return {
            "event": "summary",
            "column": self.index,
            "model": self.spec.model,
            "mode": self.spec.mode.value,
            "detail": self.spec.detail.value,
            "ok": self.failure is None,
            "error": None if self.failure is None else self.failure.error.message,
            "text": self.text,
            "usage": usage,
            "cost_usd": cost,
            "prices_taken": prices.taken if cost is not None else None,
            "first_token_seconds": first,
            "seconds": round(ended - self.started, 3),
            "images": [_seen(image) for image in self.prepared],
        }


def _seen(image: PreparedImage) -> dict[str, Any]:
    """What the column's model was sent of one image."""
    return {
        "source": image.label,
        "width": image.width,
        "height": image.height,
        "detail": image.detail.value,
        "tokens": image.tokens,
    }


def _label(source: str | PdfPage) -> str:
    return file_name(str(source))  # a PDF's page says so: "doc.pdf p. 3"


class ComparePrinter:
    """Every column's events: as JSON lines tagged with the column at once, or, for people,
    progress on stderr as it comes and each column's answer under its header, in column order."""

    def __init__(self, as_json: bool, columns: int) -> None:
        self.as_json = as_json
        self._printed = 0
        self._done: dict[int, ColumnResult] = {}
        self.columns = columns

    def event(self, column: ColumnResult, event: Event, prepared_by: int | None = None) -> None:
        """`prepared_by`: the column whose preparation this one shares (JSON says so)."""
        if self.as_json:
            record = {**event_json(event), "column": column.index}
            if prepared_by is not None:
                record["prepared_by"] = prepared_by
            print(json_line(record), flush=True)
        match event:
            case Prepared(image=image):
                self._say(column, f"prepared {image.label}: {_size(image)}")
            case FileFailed(error=error) | Failed(error=error):
                self._say(column, f"error: {error}")
            case _:
                pass

    def ended(self, column: ColumnResult, prices: PriceTable) -> None:
        """A column is over: its summary (JSON), or its answer once every earlier one is out."""
        if self.as_json:
            print(json_line(column.summary(prices)), flush=True)
            return
        self._done[column.index] = column
        while self._printed in self._done:
            self._print(self._done.pop(self._printed), prices)
            self._printed += 1

    def _print(self, column: ColumnResult, prices: PriceTable) -> None:
        summary = column.summary(prices)
        seen = "; ".join(_size(image) for image in column.prepared) or "no images"
        out = sys.stdout
        out.write(for_terminal(f"=== [{column.index + 1}] {column.spec} — saw: {seen}") + "\n")
        if column.failure is not None:
            out.write(for_terminal(f"error: {column.failure.error}") + "\n")
            partial = column.failure.partial if isinstance(column.failure, Failed) else ""
            if partial:
                out.write(for_terminal(partial) + "\n")
        else:
            out.write(for_terminal(column.text.rstrip("\n")) + "\n")
        out.write(for_terminal(_totals(summary)) + "\n\n")
        out.flush()

    def _say(self, column: ColumnResult, message: str) -> None:
        if not self.as_json:
            print(for_terminal(f"[{column.index + 1}] {message}"), file=sys.stderr, flush=True)


def _size(image: PreparedImage) -> str:
    if image.url is not None:
        return f"{image.label} as URL (up to {image.tokens} tokens)"
    return f"{image.label} {image.width}×{image.height}, about {image.tokens} tokens"


def _totals(summary: dict[str, Any]) -> str:
    usage = summary["usage"]
    tokens = "no usage reported"
    if usage is not None:
        tokens = f"{usage['input_tokens']} in, {usage['output_tokens']} out"
    cost = summary["cost_usd"]
    price = (
        "price unknown" if cost is None else f"${cost:.4f} (prices of {summary['prices_taken']})"
    )
    first = summary["first_token_seconds"]
    timing = f"{summary['seconds']:.2f} s" + (
        "" if first is None else f", first token {first:.2f} s"
    )
    return f"--- {tokens} · {price} · {timing}"


async def run_columns(
    session: Session,
    columns: Sequence[ColumnResult],
    prompt: str,
    images: Sequence[str | PdfPage],
    out: ComparePrinter,
    prices: PriceTable,
    *,
    saved: Grouping | None = None,
) -> int:
    """Every column at once; 0 when each answered, 2 when an image could not be used, else 1.
    With `saved`, each column's turn is saved in its own conversation of one compare in the
    session's history (as the window saves a compare)."""
    sources = [ImageSource(image, _label(image)) for image in images]
    turn = _Turn(session, Preparations(sources), prompt, out, prices, saved)
    await asyncio.gather(*(_column(turn, column) for column in columns))
    failures = [column.failure for column in columns if column.failure is not None]
    if not failures:
        return EXIT_OK
    if all(isinstance(failure.error, ImageError) for failure in failures):
        return EXIT_USAGE
    return EXIT_FAILED


@dataclass
class Grouping:
    """A saved compare: the history id of its first column (the one listed), once known."""

    first: int | None = None


@dataclass(frozen=True)
class _Turn:
    """What every column of one compare turn shares."""

    session: Session
    preparations: Preparations
    prompt: str
    out: ComparePrinter
    prices: PriceTable
    saved: Grouping | None = None


async def _column(turn: _Turn, column: ColumnResult) -> None:
    try:
        await _ask(turn, column)
    except VisionDeskError as error:  # one column's trouble stays in that column
        column.failure = Failed(error)
        turn.out.event(column, column.failure)
    finally:
        column.ended = time.monotonic()
        turn.out.ended(column, turn.prices)


async def _ask(turn: _Turn, column: ColumnResult) -> None:
    from visiondesk.session import OwnSettings

    spec = column.spec
    settings = OwnSettings(spec.mode, spec.model, spec.detail, column.instructions)
    stored = _save(turn, column, settings)
    events = column_events(
        turn.session,
        settings,
        turn.prompt,
        turn.preparations,
        column.index,
        column.continuation,
        stored,
    )
    async for tagged in events:
        event = tagged.event
        turn.out.event(column, event, prepared_by=tagged.prepared_by)
        match event:
            case Prepared(image=image):
                column.prepared.append(image)
            case FileFailed():
                column.failure = event
            case TextDelta():
                if column.first_token is None:
                    column.first_token = time.monotonic()
            case Usage():
                column.usage = event
            case Completed(text=text):
                column.text = text
            case Failed():
                column.failure = event
            case _:
                pass


def _save(turn: _Turn, column: ColumnResult, settings: OwnSettings) -> StoredTurn | None:
    """The column's question in its own conversation, before anything is prepared; a new
    conversation joins the compare (the first column's names it)."""
    history = turn.session.store
    if turn.saved is None or history is None:
        return None
    from visiondesk.store.sources import question_sources, save_sources

    stored = turn.session.save_question(
        Question(turn.prompt), settings, column.continuation.conversation_id
    )
    if stored is None or stored.conversation_id is None:
        return stored
    sources = turn.preparations.sources
    if stored.question_id and sources:
        saved = question_sources([(s.input, s.label, s.crop, s.marks) for s in sources])
        save_sources(history, stored.question_id, saved)
    if column.continuation.conversation_id is None:
        group = turn.saved
        group.first = group.first if group.first is not None else stored.conversation_id
        history.set_compare(stored.conversation_id, group.first, column.index)
        if column.instructions:
            history.set_instructions(stored.conversation_id, column.instructions)
    return stored
