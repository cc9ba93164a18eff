"""Scripted faults and latencies: the knobs tests and people turn to see failure paths."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Knobs:
    """Everything adjustable while the emulator runs. Thread-safe through `lock`."""

    token_delay: float = 0.0
    """Seconds between streamed deltas."""
    first_token_delay: float = 0.0
    """Seconds between a stream's headers and its first delta (a model thinking)."""
    scripted_answer: str | None = None
    """Answer every question with this text instead of the report on its images (a long
    Markdown answer for the streaming benchmark)."""
    file_processing_delay: float = 0.0
    """Seconds a new file stays `uploaded` before it becomes `processed`."""
    fail_429: int = 0
    """Answer the next N requests with 429 and `retry_after`."""
    retry_after: float = 1.0
    fail_500: int = 0
    """Answer the next N requests with 500."""
    cut_stream_after: int | None = None
    """Cut the next stream after N deltas (the connection drops mid-answer)."""
    file_error: bool = False
    """New files end in status `error` instead of `processed`."""
    file_never_ready: bool = False
    """New files stay `uploaded` forever."""
    upload_bytes_per_second: float | None = None
    """Read upload bodies no faster than this (a slow link)."""
    stall_uploads_after: int | None = None
    """Stop reading each upload (multipart body) after this many bytes of it, for
    `stall_seconds` or until `resume_uploads` is set, then read on: a stalled server."""
    stall_seconds: float = 15.0
    """How long a stalled upload waits (shorter than the client's 60 s write timeout, so it
    moves again rather than being sent again)."""
    resume_uploads: threading.Event = field(default_factory=threading.Event, repr=False)
    receive_buffer: int | None = None
    """SO_RCVBUF of the emulator's sockets in bytes (read when it starts): a small one makes a
    slow or stalled read push back on the sender at once, as a slow link does."""
    max_file_bytes: int = 512 * 2**20
    """The largest upload (the Files API's 512 MB); past it the answer is 413."""
    max_json_bytes: int = 512 * 2**20
    """The largest JSON body (the API's 512 MB payload); past it the answer is 413."""
    max_image_bytes: int = 50 * 2**20
    """The largest image file the emulator reads back to decode (its own bound)."""
    no_expiry: bool = False
    """Refuse `expires_after` on uploads, as servers without that feature do."""
    serve_html: bool = False
    """Answer every request with a web page (200, text/html), as a wrong base URL does."""
    never_answer: bool = False
    """Accept each request and never send anything back, not even headers."""
    malformed_stream: bool = False
    """Streams break their format after two deltas (an event whose data is not JSON)."""
    odd_shapes: bool = False
    """Streams send, after two deltas, an event of the same kind whose fields are of another
    shape (a gateway that renamed or retyped them): JSON, but not the API's."""
    end_stream_early: bool = False
    """End streams cleanly before their final events (a proxy that stops forwarding)."""
    gateway_quirks: bool = False
    """Behave like an OpenAI-compatible gateway: drop the body of POST /threads, frame run
    events inside `data` with no SSE `event:` line, lack GET /threads/{id}/runs/{id}, and
    answer 500 with the reason in the body for routes it has not configured."""
    batch_delay: float = 0.0
    """Seconds a batch spends in each stage (validating, in progress, finalizing)."""
    batch_fail_lines: int = 0
    """In each new batch, the first N lines fail (they go to the error file)."""
    batch_expire: bool = False
    """New batches expire with half of their lines done."""
    batch_invalid: bool = False
    """New batches fail validation."""
    hold_after: int | None = None
    """Let the first N live model requests through, then hold the rest unanswered until
    `release` is set (to stop a client at an exact point, e.g. before killing it)."""
    release: threading.Event = field(default_factory=threading.Event, repr=False)
    disabled_modes: set[str] = field(default_factory=set)
    """API families to answer with 404, e.g. {"assistants"} like OpenAI after 2026-08-26."""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take_status_fault(self) -> tuple[int, float | None] | None:
        """The status code to fail this request with, consuming one scripted fault."""
        with self.lock:
            if self.fail_429 > 0:
                self.fail_429 -= 1
                return 429, self.retry_after
            if self.fail_500 > 0:
                self.fail_500 -= 1
                return 500, None
        return None

    def take_cut(self) -> int | None:
        with self.lock:
            cut, self.cut_stream_after = self.cut_stream_after, None
            return cut

    def clear(self) -> None:
        with self.lock:
            self.fail_429 = self.fail_500 = 0
            self.cut_stream_after = None
            self.file_error = self.file_never_ready = False
            self.upload_bytes_per_second = self.stall_uploads_after = None
