"""multipart/form-data parsed as it arrives: file parts go straight to a file on disk, form
fields are kept (small), and every count and size has a bound, so neither a 1 GB upload nor a
body of a million parts costs more than a few pieces of memory or more than a bounded parse.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import Message
from email.parser import BytesHeaderParser
from pathlib import Path

from visiondesk.emulator.body import PIECE, BodyReader
from visiondesk.emulator.errors import BodyError, content_too_large, malformed_body


@dataclass(frozen=True, slots=True)
class FormLimits:
    """The bounds of one multipart body. The file bound is the API's (a knob); the others are
    far above anything the Files API takes (a file and three short fields)."""

    max_file_bytes: int
    max_parts: int = 64
    max_header_bytes: int = 8 * 1024
    """One part's header block."""
    max_field_bytes: int = 64 * 1024
    """One form field's value."""
    max_preamble_bytes: int = 64 * 1024
    """Text before the first boundary, and after the last one."""

    @property
    def max_body_bytes(self) -> int:
        """The whole body: one file at the limit plus every other part at its bound."""
        return self.max_file_bytes + self.max_parts * (self.max_header_bytes + self.max_field_bytes)


@dataclass(frozen=True, slots=True)
class Upload:
    """A file part, spooled to `path` (the receiver moves it away to keep it)."""

    filename: str
    content_type: str
    path: Path
    size: int


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)

    def discard(self) -> None:
        """Remove the spooled files nobody kept."""
        for upload in self.files.values():
            upload.path.unlink(missing_ok=True)


def boundary_of(content_type: str) -> bytes:
    header = Message()
    header["content-type"] = content_type
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not 1 <= len(boundary) <= 70 or not boundary.isascii():
        raise malformed_body("its Content-Type has no valid boundary")
    return boundary.encode()


def parse(reader: BodyReader, content_type: str, limits: FormLimits, folder: Path) -> Form:
    """The form of this body, its file parts written into `folder`."""
    form = Form()
    try:
        _Parser(reader, boundary_of(content_type), limits, folder, form).run()
    except BaseException:
        form.discard()
        raise
    return form


class _Parser:
    def __init__(
        self, reader: BodyReader, boundary: bytes, limits: FormLimits, folder: Path, form: Form
    ) -> None:
        self.reader = reader
        self.delimiter = b"\r\n--" + boundary
        self.buffer = bytearray(b"\r\n")  # so the first boundary line is a delimiter too
        self.limits = limits
        self.folder = folder
        self.form = form

    def run(self) -> None:
        self._skip_to_delimiter()
        parts = 0
        while self._another_part():
            parts += 1
            if parts > self.limits.max_parts:
                raise malformed_body(f"it has more than {self.limits.max_parts} parts")
            self._part(self._headers())
        # The epilogue (after the closing boundary) is read away, within its bound.
        self.buffer.clear()
        epilogue = 0
        while piece := self.reader.read():
            epilogue += len(piece)
            if epilogue > self.limits.max_preamble_bytes:
                raise malformed_body("it goes on after its closing boundary")

    def _fill(self, reason: str) -> None:
        piece = self.reader.read(PIECE)
        if not piece:
            raise malformed_body(reason)
        self.buffer += piece

    def _skip_to_delimiter(self) -> None:
        skipped, keep = 0, len(self.delimiter) - 1
        while (at := self.buffer.find(self.delimiter)) < 0:
            drop = max(0, len(self.buffer) - keep)
            skipped += drop
            del self.buffer[:drop]
            if skipped > self.limits.max_preamble_bytes:
                raise malformed_body("no boundary where its parts should start")
            self._fill("it ends before its first boundary")
        if skipped + at > self.limits.max_preamble_bytes:
            raise malformed_body("no boundary where its parts should start")
        del self.buffer[: at + len(self.delimiter)]

    def _another_part(self) -> bool:
        """After a delimiter: `--` closes the body, a line end starts another part."""
        while len(self.buffer) < 2:
            self._fill("it ends after a boundary")
        if self.buffer.startswith(b"--"):
            return False
        while (at := self.buffer.find(b"\r\n")) < 0:
            if len(self.buffer) > 256:
                raise malformed_body("a boundary line goes on")
            self._fill("it ends after a boundary")
        if self.buffer[:at].strip(b" \t"):
            raise malformed_body("a boundary line goes on")
        del self.buffer[: at + 2]
        return True

    def _headers(self) -> Message:
        most = self.limits.max_header_bytes
        while not self.buffer.startswith(b"\r\n") and (at := self.buffer.find(b"\r\n\r\n")) < 0:
            if len(self.buffer) > most:
                raise malformed_body(f"a part's headers are longer than {most} bytes")
            self._fill("it ends inside a part's headers")
        if self.buffer.startswith(b"\r\n"):
            block, end = b"", 2
        else:
            block, end = bytes(self.buffer[: at + 2]), at + 4
        if len(block) > most:
            raise malformed_body(f"a part's headers are longer than {most} bytes")
        del self.buffer[:end]
        return BytesHeaderParser(policy=email_policy.HTTP).parsebytes(block)

    def _part(self, headers: Message) -> None:
        name = headers.get_param("name", header="content-disposition")
        filename = headers.get_filename()
        if isinstance(name, str) and filename is not None:
            self._file(name, filename, headers.get_content_type())
            return
        value = bytearray()
        most = self.limits.max_field_bytes
        self._body(value.extend, most, lambda: malformed_body(f"a field is over {most} bytes"))
        if isinstance(name, str):
            self.form.fields[name] = value.decode("utf-8", "replace")

    def _file(self, name: str, filename: str, content_type: str) -> None:
        descriptor, spooled = tempfile.mkstemp(prefix="upload-", dir=self.folder)
        path = Path(spooled)
        try:
            with os.fdopen(descriptor, "wb") as sink:
                most = self.limits.max_file_bytes
                size = self._body(
                    sink.write, most, lambda: content_too_large(most, self.reader.consumed)
                )
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        replaced = self.form.files.get(name)
        if replaced is not None:
            with contextlib.suppress(OSError):
                replaced.path.unlink()
        self.form.files[name] = Upload(filename, content_type, path, size)

    def _body(
        self, sink: Callable[[memoryview], object], most: int, over: Callable[[], BodyError]
    ) -> int:
        """Hand the part's bytes to `sink` up to the next delimiter; their count."""
        size, keep = 0, len(self.delimiter) - 1
        while (at := self.buffer.find(self.delimiter)) < 0:
            flush = len(self.buffer) - keep
            if flush > 0:
                size += flush
                if size > most:
                    raise over()
                with memoryview(self.buffer) as view:  # handed on, not copied
                    sink(view[:flush])
                del self.buffer[:flush]
            self._fill("it ends inside a part")
        size += at
        if size > most:
            raise over()
        with memoryview(self.buffer) as view:
            sink(view[:at])
        del self.buffer[: at + len(self.delimiter)]
        return size
