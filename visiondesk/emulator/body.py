"""A request body read off the socket one piece at a time, so no body costs more memory than
its reader chooses to keep (a JSON body up to its bound, an upload not at all: it goes to disk).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from io import BufferedIOBase

from visiondesk.emulator.errors import BodyError

PIECE = 256 * 1024
"""How much is read at once: large enough for a fast loopback, small next to any bound."""
SLOW_PIECE = 16 * 1024
"""The piece with `upload_bytes_per_second` set, so a slow link reads (and waits) often."""
MAX_CHUNK_LINE = 1024
"""A chunked body's size line (hex digits and extensions)."""
MAX_TRAILERS = 32
MAX_TRAILER_LINE = 8 * 1024


class TooLarge(Exception):
    """The body is over the bound its reader was given; `size` is what is known of it: its
    declared length, or the bytes read when it crossed the bound."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class BodyReader:
    """The body of one request, framed by Content-Length or chunked transfer encoding."""

    def __init__(
        self,
        rfile: BufferedIOBase,
        length: int | None,
        *,
        chunked: bool = False,
        rate: float | None = None,
        stopping: threading.Event | None = None,
        on_read: Callable[[int], None] | None = None,
    ) -> None:
        self._rfile = rfile
        self.declared = None if chunked else length
        self._chunked = chunked
        self._left = 0 if chunked else (length or 0)
        self._done = not chunked and not length
        self._rate = rate
        self._stopping = stopping or threading.Event()
        self._on_read = on_read
        self.consumed = 0
        self.pause_at: int | None = None
        """Once this many bytes are read, call `pause` (which blocks) before reading on."""
        self.pause: Callable[[], None] | None = None
        self.limit: int | None = None
        """Reading past this many bytes raises TooLarge (checked up front against a declared
        length, so an announced oversized body is refused before a byte of it is read)."""

    @property
    def done(self) -> bool:
        return self._done

    def bound(self, limit: int) -> None:
        self.limit = limit
        if self.declared is not None and self.declared > limit:
            raise TooLarge(self.declared)

    def read(self, size: int = PIECE) -> bytes:
        """Up to `size` bytes of the body (fewer when that is what has arrived); b"" at its end."""
        if self._done:
            return b""
        if self._rate:
            size = min(size, SLOW_PIECE)
        if self.pause_at is not None:
            if self.consumed >= self.pause_at:
                self.pause_at, pause = None, self.pause
                if pause is not None:
                    pause()
            else:
                size = min(size, self.pause_at - self.consumed)
        if self._chunked and self._left == 0:
            self._left = self._chunk_size()
            if self._left == 0:
                self._trailers()
                self._done = True
                return b""
        data = self._rfile.read1(min(size, self._left))
        if not data:
            raise ConnectionError("the client closed the connection in the middle of its body")
        self._left -= len(data)
        self.consumed += len(data)
        if self._on_read is not None:
            self._on_read(len(data))
        if self._chunked and self._left == 0 and self._line(2) not in (b"\r\n", b"\n"):
            raise BodyError(400, "We could not read the chunked body of your request.")
        if not self._chunked and self._left == 0:
            self._done = True
        if self.limit is not None and self.consumed > self.limit:
            raise TooLarge(self.consumed)
        if self._rate:
            self._stopping.wait(len(data) / self._rate)  # a slow link; ends when stopping
        return data

    def read_all(self) -> bytearray:
        """The whole body in memory: only for bodies with a bound (see `bound`)."""
        whole = bytearray()
        while piece := self.read():
            whole += piece
        return whole

    def drain(self, most: int) -> int:
        """Read the rest of the body away, up to `most` bytes; how many were read."""
        self.limit, self._rate, start = None, None, self.consumed
        self.pause_at = None
        while not self._done and self.consumed - start < most:
            self.read(min(PIECE, most - (self.consumed - start)))
        return self.consumed - start

    def _chunk_size(self) -> int:
        line = self._line(MAX_CHUNK_LINE)
        try:
            size = int(line.split(b";")[0].strip(), 16)
        except ValueError:
            size = -1
        if size < 0 or not line.endswith(b"\n"):
            raise BodyError(400, "We could not read the chunked body of your request.")
        return size

    def _trailers(self) -> None:
        for _ in range(MAX_TRAILERS):
            if self._line(MAX_TRAILER_LINE).strip() == b"":
                return
        raise BodyError(400, "We could not read the chunked body of your request.")

    def _line(self, most: int) -> bytes:
        line = self._rfile.readline(most)
        if not line:
            raise ConnectionError("the client closed the connection in the middle of its body")
        return line
