"""Reading what comes from outside with a bound: the doctor's input and the files a pasted
curl command names. A pasted command is someone else's text, so `@/dev/zero`, a FIFO nobody
writes or `@/proc/self/environ` must be refused before a byte is read."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO, TextIO

from visiondesk.errors import VisionDeskError

MAX_INPUT_BYTES = 64 * 1024 * 1024
LIMIT_TEXT = "64 MB"
MAX_DEPTH = 100
"""Deeper than any request body (a structured-output schema is a few dozen levels)."""

_SYSTEM_ROOTS = (Path("/proc"), Path("/sys"), Path("/dev"))
_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


class UnusableInput(VisionDeskError):
    """Not JSON, not a curl command with a JSON body, or too much of it: nothing to check."""


def too_big(what: str, size: int, limit: int = MAX_INPUT_BYTES) -> UnusableInput:
    mb = size / 2**20
    shown = f"{mb:.1f} MB" if mb < 1024 else f"{mb / 1024:.1f} GB"
    left = (
        ""
        if limit == MAX_INPUT_BYTES
        else f" in all (the other files took {MAX_INPUT_BYTES - limit} bytes)"
    )
    return UnusableInput(f"{what} is {shown}; the doctor reads at most {LIMIT_TEXT}{left}.")


def check_length(text: str, what: str) -> None:
    """Pasted text: refuse more than the limit (a character is at least a byte)."""
    if len(text) > MAX_INPUT_BYTES:
        raise _over(what)


def read_stream(stream: TextIO, what: str) -> str:
    """At most the limit from a pipe or terminal (standard input): its bytes when it has
    them, else its characters (each at least a byte)."""
    binary: BinaryIO | None = getattr(stream, "buffer", None)
    if binary is None:
        text = stream.read(MAX_INPUT_BYTES + 1)
        if len(text) > MAX_INPUT_BYTES:
            raise _over(what)
        return text
    data = binary.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise _over(what)
    return _text(data, what)


def read_file(path: Path, what: str, *, pipes: bool = False, limit: int = MAX_INPUT_BYTES) -> str:
    """A regular file below `limit` (and a pipe when `pipes`, read up to the limit).

    Devices, sockets, directories and, unless `pipes`, the kernel's files (/proc, /sys, /dev)
    are refused unopened; the type is checked again on the opened file, so a swap in between
    is caught."""
    try:
        found = os.stat(path)
    except OSError as exc:
        raise UnusableInput(f"Cannot read {_lower(what)} {path}: {exc.strerror}.") from None
    _refuse(found.st_mode, what, path, pipes)
    if not pipes and _is_system(path):
        raise UnusableInput(f"{what} {path} is a system file: not read.")
    if stat.S_ISREG(found.st_mode) and found.st_size > limit:
        raise too_big(f"{what} {path}", found.st_size, limit)
    try:
        descriptor = os.open(path, _FLAGS & ~os.O_NONBLOCK if pipes else _FLAGS)
    except OSError as exc:
        raise UnusableInput(f"Cannot read {_lower(what)} {path}: {exc.strerror}.") from None
    with os.fdopen(descriptor, "rb") as file:
        opened = os.fstat(file.fileno())
        _refuse(opened.st_mode, what, path, pipes)
        data = file.read(limit + 1)
    if len(data) > limit:
        raise _over(f"{what} {path}")
    return _text(data, f"{what} {path}")


_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
"""Non-blocking, so opening a FIFO nobody writes does not wait for ever (a pipe the person
gave as the input, `doctor <(…)`, is opened blocking: its writer is on its way)."""


def _refuse(mode: int, what: str, path: Path, pipes: bool) -> None:
    if stat.S_ISREG(mode) or (pipes and stat.S_ISFIFO(mode)):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    raise UnusableInput(f"{what} {path} is {kind}, not a regular file: not read.")


def _is_system(path: Path) -> bool:
    """Under /proc, /sys or /dev, where files report a size of 0 and are made on reading."""
    real = path.resolve()
    return any(real == root or root in real.parents for root in _SYSTEM_ROOTS)


def _over(what: str) -> UnusableInput:
    return UnusableInput(
        f"{what} is more than {LIMIT_TEXT}; the doctor reads at most {LIMIT_TEXT}."
    )


def _lower(what: str) -> str:
    return what[:1].lower() + what[1:]


def _text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnusableInput(f"{what} is not UTF-8 text.") from None


def depth_of(value: object) -> int:
    """How deeply lists and objects nest in a parsed JSON value (without recursing)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            return depth
        stack.extend((child, depth + 1) for child in children)
    return deepest


def too_deep(what: str) -> UnusableInput:
    return UnusableInput(
        f"{what} is nested more than {MAX_DEPTH} levels deep: no request body is; check that "
        "this is the request you meant to paste."
    )
