"""One conversation's use cases, in plain asyncio: attach → prepare → (pre-upload) → send →
stream. The window and the CLI drive this; neither knows which API mode is in use."""

from __future__ import annotations

import asyncio
import functools
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from openai import AsyncOpenAI

from visiondesk.api.base import ModeClient
from visiondesk.api.capabilities import CapabilityCache
from visiondesk.api.client import make_client
from visiondesk.api.modes import make_mode
from visiondesk.api.uploads import Uploader
from visiondesk.config.profiles import Profile
from visiondesk.domain import ApiMode, ConversationState, Detail, Exchange, PreparedImage, Turn
from visiondesk.errors import Cancelled, ImageError, VisionDeskError
from visiondesk.events import Completed, Event, Failed, FileFailed, Prepared, Preparing, TextDelta
from visiondesk.imaging import ImageInput, ImagePolicy, policy_for, prepare

_ids = itertools.count(1)


@dataclass
class Attachment:
    """An image waiting to be sent: where it came from and what it became."""

    source: ImageInput
    label: str
    id: int = field(default_factory=lambda: next(_ids))
    crop: tuple[int, int, int, int] | None = None
    prepared: PreparedImage | None = None
    error: VisionDeskError | None = None


class Connection:
    """What all conversations on one profile share: the SDK client, the uploads (an image is
    uploaded once per profile) and the capability probe."""

    def __init__(
        self,
        profile: Profile,
        api_key: str | None,
        *,
        client: AsyncOpenAI | None = None,
        capabilities: CapabilityCache | None = None,
        upload_timeout: float | None = None,
    ) -> None:
        self.profile = profile
        self.client = client or make_client(profile, api_key)
        self.capabilities = capabilities or CapabilityCache()
        options = {} if upload_timeout is None else {"ready_timeout": upload_timeout}
        self.uploader = Uploader(self.client, profile, **options)  # type: ignore[arg-type]

    async def aclose(self) -> None:
        self.uploader.cancel()
        await self.client.close()


@dataclass
class Outcome:
    """How the last turn ended, for the caller that was cancelled before it saw an event."""

    answer: str = ""
    error: VisionDeskError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Session:
    def __init__(
        self,
        profile: Profile,
        api_key: str | None,
        *,
        mode: ApiMode | None = None,
        model: str | None = None,
        detail: Detail | None = None,
        instructions: str | None = None,
        connection: Connection | None = None,
        upload_timeout: float | None = None,
    ) -> None:
        self.profile = profile
        self.mode = mode or profile.mode
        self.model = model or profile.model
        self.detail = detail or profile.detail
        self.instructions = instructions
        self._owns_connection = connection is None
        self.connection = connection or Connection(profile, api_key, upload_timeout=upload_timeout)
        self.client = self.connection.client
        self.capabilities = self.connection.capabilities
        self.uploader = self.connection.uploader
        self.attachments: list[Attachment] = []
        self.history: list[Exchange] = []
        self.state = ConversationState()
        self.last = Outcome()
        self._modes: dict[ApiMode, ModeClient] = {}

    @property
    def policy(self) -> ImagePolicy:
        return policy_for(
            self.mode, self.model, self.detail, accepts_urls=self.profile.accepts_image_urls
        )

    def mode_client(self, mode: ApiMode | None = None) -> ModeClient:
        mode = mode or self.mode
        if mode not in self._modes:
            self._modes[mode] = make_mode(mode, self.client, self.profile, self.uploader)
        return self._modes[mode]

    async def attach(
        self,
        source: ImageInput,
        label: str | None = None,
        attachment_id: int | None = None,
        crop: tuple[int, int, int, int] | None = None,
    ) -> AsyncIterator[Event]:
        """Prepare an image off the event loop, then start its upload if the mode uploads.

        Attaching again under the same `attachment_id` (after a change of model, detail or
        mode) replaces that attachment in place.
        """
        attachment = Attachment(source, label or _label(source), crop=crop)
        if attachment_id is not None:
            attachment.id = attachment_id
            self.attachments = [a for a in self.attachments if a.id != attachment_id]
        self.attachments.append(attachment)
        yield Preparing(attachment.label)
        try:
            attachment.prepared = await self._prepare(attachment)
        except ImageError as error:
            attachment.error = error
            self.attachments.remove(attachment)
            yield FileFailed("", error)
            return
        yield Prepared(attachment.prepared)
        async for event in self.mode_client().attach(attachment.prepared):
            yield event

    async def _prepare(self, attachment: Attachment) -> PreparedImage:
        loop = asyncio.get_running_loop()
        job = functools.partial(
            prepare, attachment.source, self.policy, label=attachment.label, crop=attachment.crop
        )
        return await loop.run_in_executor(None, job)

    def reorder(self, attachment_ids: list[int]) -> None:
        """Send the attachments in this order (ids not listed keep their place at the end)."""
        rank = {attachment_id: n for n, attachment_id in enumerate(attachment_ids)}
        self.attachments.sort(key=lambda a: rank.get(a.id, len(rank)))

    def remove(self, attachment_id: int) -> None:
        for attachment in self.attachments:
            if attachment.id == attachment_id:
                self.attachments.remove(attachment)
                if attachment.prepared is not None:
                    self.uploader.cancel(attachment.prepared.sha256)
                return

    async def send(self, prompt: str) -> AsyncIterator[Event]:
        """Send the prompt with every prepared attachment; ends with Completed or Failed.

        On success the attachments move into the history; on failure or cancellation they stay,
        so Retry is the same call again.
        """
        self.last = Outcome()
        images = tuple(a.prepared for a in self.attachments if a.prepared is not None)
        turn = Turn(prompt, images, self.model, self.instructions)
        partial: list[str] = []
        try:
            capabilities = await self.capabilities.get(self.client, self.profile)
            capabilities.require(self.mode, self.profile)
        except VisionDeskError as error:
            self.last = Outcome("", error)
            yield Failed(error)
            return
        try:
            async for event in self.mode_client().send(turn, self.history, self.state):
                if isinstance(event, Completed):
                    self.history.append(Exchange(turn, event.text))
                    self.attachments.clear()
                    self.last = Outcome(event.text)
                elif isinstance(event, Failed):
                    self.last = Outcome(event.partial, event.error)
                elif isinstance(event, TextDelta):
                    partial.append(event.text)
                yield event
        except asyncio.CancelledError:
            for image in images:
                if self.uploader.ready_file(image.sha256) is None:
                    self.uploader.cancel(image.sha256)
            self.last = Outcome("".join(partial), Cancelled("Stopped. The partial answer is kept."))
            raise

    def ready_file_ids(self) -> dict[str, str]:
        return {
            a.prepared.sha256: file_id
            for a in self.attachments
            if a.prepared and (file_id := self.uploader.ready_file(a.prepared.sha256))
        }

    async def aclose(self) -> None:
        """Close the connection if this session made it (shared ones belong to their owner)."""
        if self._owns_connection:
            await self.connection.aclose()


def _label(source: ImageInput) -> str:
    if isinstance(source, bytes | bytearray | memoryview):
        return "pasted image"
    return str(source)
