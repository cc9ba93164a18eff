"""Build the client object for each API mode; the only place that knows the three classes."""

from __future__ import annotations

from openai import AsyncOpenAI

from visiondesk.api.assistants import AssistantsMode
from visiondesk.api.base import ModeClient
from visiondesk.api.chat import ChatMode
from visiondesk.api.responses import ResponsesMode
from visiondesk.api.uploads import Uploader
from visiondesk.config.profiles import Profile
from visiondesk.domain import ApiMode


def make_mode(
    mode: ApiMode, client: AsyncOpenAI, profile: Profile, uploader: Uploader
) -> ModeClient:
    if mode is ApiMode.CHAT:
        return ChatMode(client, profile)
    if mode is ApiMode.RESPONSES:
        return ResponsesMode(client, profile, uploader)
    return AssistantsMode(client, profile, uploader)
