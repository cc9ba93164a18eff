"""How many input tokens a request is: exactly, where the server answers
`POST /v1/responses/input_tokens` (the same body as `responses.create`, images included), else
the local estimate (each image's tokens by the sizing rules, about four characters a token of
text), labelled as such."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openai import AsyncOpenAI

from visiondesk.api import responses
from visiondesk.api.errors import translate
from visiondesk.config.profiles import Profile
from visiondesk.domain import Exchange, Question
from visiondesk.errors import VisionDeskError


@dataclass(frozen=True, slots=True)
class Count:
    input_tokens: int
    exact: bool
    why_estimate: str = ""
    """Why the server was not asked, or did not answer (empty when exact)."""


def estimate(turn: Question, history: Sequence[Exchange] = ()) -> int:
    """The local estimate: the images' tokens plus the words', as the sizing rules count."""
    texts = [turn.instructions or "", turn.prompt]
    texts += [part for exchange in history for part in (exchange.turn.prompt, exchange.answer)]
    images = [*(i for exchange in history for i in exchange.turn.images), *turn.images]
    return sum(image.tokens for image in images) + sum((len(t) + 3) // 4 for t in texts if t)


async def count(
    client: AsyncOpenAI,
    profile: Profile,
    turn: Question,
    history: Sequence[Exchange] = (),
    *,
    ask_server: bool = True,
) -> Count:
    """Exact where the server counts (`ask_server`: the mode is Responses), else the estimate
    with the reason; never raises for a server that cannot count."""
    if not ask_server:
        return Count(estimate(turn, history), False, "only the Responses API counts exactly")
    body = responses.build_request(turn, history, None)
    arguments: dict[str, Any] = {"model": body["model"], "input": body["input"]}
    if "instructions" in body:
        arguments["instructions"] = body["instructions"]
    try:
        counted = await client.responses.input_tokens.count(**arguments)
        return Count(int(counted.input_tokens), True)
    except Exception as error:  # any refusal, missing route or odd answer: the estimate
        said = translate(error, profile, what="counting the input tokens")
        reason = said.message if isinstance(said, VisionDeskError) else str(said)
        return Count(estimate(turn, history), False, reason)
