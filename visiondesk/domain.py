"""Frozen values shared by every layer; no behaviour beyond validation and formatting."""

from __future__ import annotations

import binascii
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum


def human_bytes(count: int) -> str:
    """A byte count as people read it (KB and MB of 1024)."""
    if count < 1024:
        return f"{count} B"
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count / 2**20:.1f} MB"


class Detail(StrEnum):
    """How closely the model looks at an image (the API's `detail`)."""

    LOW = "low"
    HIGH = "high"
    AUTO = "auto"
    ORIGINAL = "original"


class AnswerStatus(StrEnum):
    """An answer as the history stores it."""

    PENDING = "pending"
    STREAMING = "streaming"
    COMPLETE = "complete"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


class ApiMode(StrEnum):
    """The OpenAI API a turn travels through."""

    CHAT = "chat"
    RESPONSES = "responses"
    ASSISTANTS = "assistants"

    @property
    def label(self) -> str:
        """The mode's name wherever a person reads it (toolbar, Settings, inspector)."""
        return {"chat": "Chat Completions", "responses": "Responses", "assistants": "Assistants"}[
            self.value
        ]


class BatchStatus(StrEnum):
    """A provider batch's status, as the Batch API names it (API-FACTS §9)."""

    VALIDATING = "validating"
    FAILED = "failed"
    IN_PROGRESS = "in_progress"
    FINALIZING = "finalizing"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """No further change will come: the output (if any) can be collected."""
        return self in (self.FAILED, self.COMPLETED, self.EXPIRED, self.CANCELLED)


class BatchEngine(StrEnum):
    """How a batch job's requests travel: one by one now, or on the provider's Batch API."""

    LIVE = "live"
    BATCH_API = "batch-api"


class JobStatus(StrEnum):
    """Where a batch job is, as the person sees it."""

    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    FINISHED = "finished"


class ItemStatus(StrEnum):
    """One image of a batch job."""

    PENDING = "pending"
    QUEUED = "queued"
    """Written into a provider batch; its answer comes with that batch's output."""
    DONE = "done"
    FAILED = "failed"
    REFUSED = "refused"
    """The image could not be prepared (not an image, too large, …); never sent."""
    DUPLICATE = "duplicate"
    """The same bytes as an earlier image of the job: not sent, takes that image's answer."""


@dataclass(frozen=True, slots=True)
class PreparedImage:
    """What VisionDesk will send for one attachment, and what it learned on the way.

    Either `data` (encoded bytes) or `url` (an https URL the server fetches itself) is set.
    """

    label: str
    sha256: str
    original_width: int | None
    original_height: int | None
    original_format: str | None
    width: int | None
    height: int | None
    mime: str
    data: bytes
    detail: Detail
    tokens: int
    url: str | None = None
    notes: tuple[str, ...] = field(default=())
    thumbnail: bytes = b""
    """A small PNG of what is sent, made off the UI thread, for cards and the transcript."""
    _key: str = field(default="", repr=False, compare=False)
    """The hash of `data`, computed once (see `upload_key`)."""
    _data_url: str = field(default="", init=False, repr=False, compare=False)
    """The `data:` URL, made on first use and reused: Chat re-sends every image every turn."""

    def __post_init__(self) -> None:
        if (self.url is None) == (not self.data):
            raise ValueError("a PreparedImage carries either bytes or a URL")
        if not self._key:
            key = hashlib.sha256(self.data).hexdigest() if self.data else self.sha256
            object.__setattr__(self, "_key", key)

    @property
    def is_url(self) -> bool:
        return self.url is not None

    @property
    def extension(self) -> str:
        return _EXTENSIONS.get(self.mime, "bin")

    @property
    def filename(self) -> str:
        """A stable name for uploads and exports, derived from the content hash."""
        return f"{self.sha256[:16]}.{self.extension}"

    def upload_key(self) -> str:
        """The hash of the bytes sent: an upload is reused only for exactly these bytes (the
        same original prepared for another detail or model is another file)."""
        return self._key

    def base64(self) -> str:
        return binascii.b2a_base64(self.data, newline=False).decode("ascii")

    def data_url(self) -> str:
        """The `data:` URL Chat Completions and Responses accept; the MIME comes from the bytes."""
        if self.url is not None:
            raise ValueError(f"{self.label} is sent as a URL, not as data")
        if not self._data_url:  # a race only builds the same string twice
            object.__setattr__(self, "_data_url", f"data:{self.mime};base64,{self.base64()}")
        return self._data_url

    def image_url(self) -> str:
        """The URL to put in a request: the https URL itself, or a data URL."""
        return self.url if self.url is not None else self.data_url()


_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
}


@dataclass(frozen=True, slots=True)
class Question:
    """One question: the prompt and the prepared images that go with it."""

    prompt: str
    images: tuple[PreparedImage, ...] = ()
    model: str = "gpt-4o"
    instructions: str | None = None


@dataclass(frozen=True, slots=True)
class Exchange:
    """A finished turn and its answer, as history for the modes that re-send it."""

    turn: Question
    answer: str


@dataclass(frozen=True, slots=True)
class ConversationState:
    """Server-side ids a conversation continues from (persisted with the conversation). A value:
    the api modes report a new one (`events.StateChanged`), its owner keeps it."""

    response_id: str | None = None
    thread_id: str | None = None
    assistant_id: str | None = None
    responses_stateless: bool = False
    """Set once a server showed it does not keep responses: send the history instead."""
    thread_note: str = ""
    """Why the next Assistants turn starts a new thread (said in the inspector); not stored."""


@dataclass(frozen=True, slots=True)
class Continuation:
    """Where a conversation's next turn continues from: its id in the history (None until its
    first question is saved), the exchanges a mode re-sends, and the server-side state. Held
    once, by the conversation's owner (the workspace; the CLI's `OwnConversation`)."""

    conversation_id: int | None = None
    exchanges: tuple[Exchange, ...] = ()
    state: ConversationState = field(default_factory=ConversationState)


@dataclass(frozen=True, slots=True)
class Replay:
    """What a turn was built from, so its request can be rebuilt exactly ("Copy as Python")."""

    mode: ApiMode
    base_url: str
    turn: Question
    history: tuple[Exchange, ...] = ()
    state: ConversationState = field(default_factory=ConversationState)
    """The conversation's server-side ids as they were BEFORE the send."""
    uploads_images: bool = False
    """Responses: images travel as uploaded files (`file_id`), not data URLs."""
    stores_responses: bool = True
    """Responses: the server keeps responses, so turns chain with `previous_response_id`."""
    cache_key: str | None = None
    """The `prompt_cache_key` the request carried (api/prompt_cache.py), if any."""

    @property
    def images(self) -> tuple[PreparedImage, ...]:
        """Every image the request may carry, history first (`write_images` saves these)."""
        return tuple(i for exchange in self.history for i in exchange.turn.images) + (
            self.turn.images
        )


@dataclass(frozen=True, slots=True)
class PdfPage:
    """Page `index` (0-based) of the PDF at `path`: an image source of its own, drawn at the
    size the model reads it (imaging/pdf_pages.py)."""

    path: str
    index: int

    def __str__(self) -> str:
        return page_label(self.path, self.index)


def page_label(path: str, index: int) -> str:
    """ "file.pdf p. 3": what a card, a log line or an answer calls the page."""
    return f"{file_name(path)} p. {index + 1}"


def file_name(label: str) -> str:
    """A label that is a path (of either system's separators), by its last part; any other
    label as it is."""
    return label.replace("\\", "/").rsplit("/", 1)[-1] or label
