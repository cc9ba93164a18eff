"""Turn what a person gave us (a path, clipboard bytes, an https URL) into bytes or a URL."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass

from visiondesk.domain import PdfPage, human_bytes
from visiondesk.errors import ImageError

ImageInput = str | os.PathLike[str] | bytes | PdfPage
"""A file path, raw image bytes (e.g. from the clipboard), an https URL, or a PDF's page."""

Fetcher = Callable[[str], bytes]

MAX_FILE_BYTES = 512 * 1024 * 1024
"""The API's own per-file ceiling; anything larger is refused before it is read."""


@dataclass(frozen=True, slots=True)
class BytesSource:
    label: str
    data: bytes


@dataclass(frozen=True, slots=True)
class UrlSource:
    label: str
    url: str


def is_url(value: object) -> bool:
    return isinstance(value, str) and value.lower().startswith(("https://", "http://"))


def read_source(source: ImageInput, label: str | None = None) -> BytesSource | UrlSource:
    """Read the bytes of a file or clipboard image; leave URLs alone (the policy decides)."""
    if isinstance(source, bytes | bytearray | memoryview):
        name = label or "pasted image"
        if not source:
            raise ImageError(name, "is empty (0 bytes)")
        return BytesSource(name, bytes(source))
    if isinstance(source, PdfPage):
        raise TypeError("a PDF page is rendered, not read as an image (pipeline.prepare)")
    if is_url(source):
        url = str(source)
        if not url.lower().startswith("https://"):
            raise ImageError(url, "only https URLs can be sent; download the image and attach it")
        return UrlSource(label or url, url)
    path = os.fspath(source)  # not pathlib: its urllib.parse and ipaddress cost a CLI start 5 ms
    return BytesSource(label or path, _read_file(path, label or path))


def _read_file(path: str, label: str) -> bytes:
    """Only regular files, checked before any read (a FIFO would block forever, /dev/zero never
    end); the read itself stops past the limit, whatever the file claims its size is."""
    try:
        _refuse_non_regular(os.stat(path).st_mode, label)
        # O_NONBLOCK: if a FIFO was swapped in after the check, opening it cannot hang.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        descriptor = os.open(path, flags)
        with os.fdopen(descriptor, "rb") as stream:
            status = os.fstat(stream.fileno())
            _refuse_non_regular(status.st_mode, label)  # what was opened is what was checked
            if status.st_size == 0:
                raise ImageError(label, "is empty (0 bytes)")
            if status.st_size > MAX_FILE_BYTES:
                raise ImageError(label, f"is {human_bytes(status.st_size)}; {_limit()}")
            data = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ImageError(label, "does not exist") from None
    except PermissionError:
        raise ImageError(label, "cannot be read (permission denied)") from None
    except OSError as exc:
        raise ImageError(label, f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ImageError(label, f"grew while it was read; {_limit()}")
    if not data:
        raise ImageError(label, "is empty (0 bytes)")
    return data


def _limit() -> str:
    return f"the limit is {human_bytes(MAX_FILE_BYTES)}"


_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _refuse_non_regular(mode: int, label: str) -> None:
    if stat.S_ISDIR(mode):
        raise ImageError(label, "is a folder, not an image")
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "a special file")
        raise ImageError(label, f"is not a regular file ({kind})")


def fetch_url(url: str, timeout: float = 20.0, max_bytes: int = 64 * 2**20) -> bytes:
    """Download an image for servers that take base64 only (Ollama); bounded in time and size."""
    import urllib.error  # http.client and ssl: 15 ms that a local file never needs
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "VisionDesk"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data: bytes = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise ImageError(url, f"could not be downloaded (HTTP {exc.code})") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ImageError(url, f"could not be downloaded ({reason})") from None
    if len(data) > max_bytes:
        raise ImageError(url, f"is larger than {max_bytes // 2**20} MB")
    if not data:
        raise ImageError(url, "downloaded as 0 bytes")
    return data
