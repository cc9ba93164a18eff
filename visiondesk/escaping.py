"""Text from outside (a server, a file, a URL, a person) made inert for where it goes: a
terminal, a Markdown file, an HTML attribute. Each function names its destination, so a caller
never has to remember which characters matter there."""

from __future__ import annotations

import functools
import html
import json
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@functools.cache
def _viewer() -> MarkdownIt:
    """How the most permissive Markdown viewers read a file: CommonMark with raw HTML on.
    Made on first use: the commands that print to a terminal never pay its ~50 ms."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True})


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls (ESC, CSI, OSC, BEL, NUL…) but tab and newline, and the bidirectional
overrides that make a line read otherwise than it is (the "Trojan Source" characters)."""


def for_terminal(text: str) -> str:
    """`text` safe to print: controls become visible `\\xNN` escapes, newlines and tabs stay. A
    carriage return alone would let a server overwrite what the line said before it."""
    text = text.replace("\r\n", "\n")
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def json_line(record: object) -> str:
    """One JSON line a terminal shows as it is: controls inside strings as `\\uXXXX`
    escapes (json escapes C0 itself; C1 and the bidirectional overrides it leaves raw)."""
    text = json.dumps(record, ensure_ascii=False)
    return _CONTROL.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def attribute(value: str) -> str:
    """A value for a double- or single-quoted HTML attribute."""
    return html.escape(value, quote=True)


def web_link(url: str) -> str | None:
    """`url` if it is an http(s) address a person could follow, else None (javascript:, file:,
    data: and the like are never made into links)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url.strip()):
        return None
    return url.strip()


_MD_LABEL = re.compile(r"([\\\[\]()<>*_`!#|])")


def markdown_label(text: str) -> str:
    """Text for inside `[…]` of a Markdown link: one line, its punctuation escaped."""
    return _MD_LABEL.sub(r"\\\1", " ".join(text.split()))


def markdown_destination(url: str) -> str:
    """A link destination in angle brackets, which may then hold anything but `<`, `>` and a
    line break (those are percent-encoded)."""
    cleaned = url.replace("<", "%3C").replace(">", "%3E").replace("\n", "%0A").replace("\r", "%0D")
    return f"<{cleaned}>"


def inert_markdown(text: str) -> str:
    """Markdown that renders the same words but loads nothing and runs nothing in a viewer
    that allows raw HTML: outside code, an image (`![…]`) becomes a link (`&#33;[…]` renders
    "!" and a link) and raw HTML's `<` becomes `&lt;`, so `<img src=…>` and `<script>` show
    as text; code blocks and code spans are left as they are (viewers never interpret them).
    The result is parsed once more to make sure; where CommonMark's corners defeat the
    rewrite, the whole text goes into one code block instead."""
    lines = text.splitlines(keepends=True)
    verbatim: set[int] = set()
    for token in _viewer().parse(text):
        if token.type in ("fence", "code_block") and token.map:
            verbatim.update(range(*token.map))
    candidate = "".join(
        line if number in verbatim else _inert_line(line) for number, line in enumerate(lines)
    )
    if not _loads_or_runs(_viewer().parse(candidate)):
        return candidate
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}\n"


def _loads_or_runs(tokens: list[Token]) -> bool:
    """Whether a rendered document would load or run something: an image or raw HTML."""
    return any(
        token.type in ("image", "html_block", "html_inline") or _loads_or_runs(token.children or [])
        for token in tokens
    )


def _inert_line(line: str) -> str:
    result: list[str] = []
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):  # an escape stays as it is
            result.append(line[i : i + 2])
            i += 2
            continue
        if ch == "`":
            run = len(line) - len(line[i:].lstrip("`"))
            ticks = line[i : i + run]
            close = line.find(ticks, i + run)
            while close >= 0 and line[close + run : close + run + 1] == "`":
                close = line.find(ticks, close + run + 1)
            if close >= 0:  # a code span: verbatim
                result.append(line[i : close + run])
                i = close + run
                continue
            result.append(ticks)
            i += run
            continue
        if ch == "!" and line[i + 1 : i + 2] == "[":
            result.append("&#33;")
        elif ch == "<":
            result.append("&lt;")
        else:
            result.append(ch)
        i += 1
    return "".join(result)
