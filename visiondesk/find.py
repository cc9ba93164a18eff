"""Find in text as a person reads it: matches of a search in plain text or in the HTML our
renderer makes, and the same HTML with every match highlighted.

The HTML is hostile answer content the renderer has already escaped: only its text nodes are
searched and wrapped, never a tag, an attribute or half an entity, and the search text itself
is matched literally (`<b>` finds the characters `<b>`; it never becomes markup).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

_PIECE = re.compile(r"<[^>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|[^<&]+|&")
"""A tag, an entity, or a run of plain characters: what our renderer's HTML is made of (it
escapes `<`, `>`, `&` and quotes in text and attributes)."""
_BLOCK = re.compile(r"</?(?:p|li|ul|ol|br|tr|td|th|h[1-6]|pre|div|blockquote|hr|table)\b", re.I)
"""Tags that end a line as drawn: the text on either side is not one word."""


@dataclass(frozen=True)
class Mark:
    """What to highlight in one piece of text: every match of `query`, the `current`-th (from
    0) distinctly, or none of them if None."""

    query: str
    current: int | None = None


@dataclass(frozen=True)
class Marks:
    """A search's highlights over a message's blocks (its question is block 0): every match of
    `query`, and the current one as (block, occurrence), if it is in this message."""

    query: str
    current: tuple[int, int] | None = None

    def of(self, block: int) -> Mark:
        current = self.current
        return Mark(self.query, current[1] if current and current[0] == block else None)


@dataclass(frozen=True)
class Look:
    """How a match is drawn: the inline CSS of every match and of the current one."""

    match: str
    current: str


@lru_cache(maxsize=64)
def pattern(query: str) -> re.Pattern[str] | None:
    """The search as a regular expression: literal, case-insensitive, a run of spaces matching
    any run of white space (a line break in a paragraph reads as a space); None for nothing."""
    words = query.split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)


def count(text: str, query: str) -> int:
    found = pattern(query)
    return sum(1 for _ in found.finditer(text)) if found is not None else 0


def _atoms(markup: str) -> list[tuple[str, str, int]]:
    """Each piece of the HTML as (visible text, raw text, kind): kind 0 a tag (its visible
    text a line break or nothing), 1 a character or entity of a text node."""
    atoms: list[tuple[str, str, int]] = []
    for piece in _PIECE.findall(markup):
        if piece.startswith("<"):
            atoms.append(("\n" if _BLOCK.match(piece) else "", piece, 0))
        elif piece.startswith("&"):
            atoms.append((html.unescape(piece), piece, 1))
        else:
            atoms.extend((char, char, 1) for char in piece)
    return atoms


@lru_cache(maxsize=8192)
def html_text(markup: str) -> str:
    """The text of the HTML as drawn: text nodes with their entities read, a line break where
    a block ends, tags and attributes (link targets, image descriptions) left out."""
    return "".join(visible for visible, _raw, _kind in _atoms(markup))


def highlighted_html(markup: str, mark: Mark | None, look: Look) -> str:
    """The HTML with every match of the mark's query wrapped in a `<span>` of the look's style,
    within text nodes only (a match across tags is wrapped piece by piece)."""
    found = pattern(mark.query) if mark is not None else None
    if found is None or mark is None:
        return markup
    atoms = _atoms(markup)
    starts: list[int] = []  # the visible offset where each atom starts
    offset = 0
    for visible, _raw, _kind in atoms:
        starts.append(offset)
        offset += len(visible)
    text = "".join(visible for visible, _raw, _kind in atoms)
    spans = [(m.start(), m.end()) for m in found.finditer(text)]
    if not spans:
        return markup
    out: list[str] = []
    which = 0  # the match the next atoms may fall in
    open_style: str | None = None
    for (_visible, raw, kind), start in zip(atoms, starts, strict=True):
        while which < len(spans) and spans[which][1] <= start:
            which += 1
        inside = kind == 1 and which < len(spans) and spans[which][0] <= start
        style = (look.current if which == mark.current else look.match) if inside else None
        if style != open_style:
            if open_style is not None:
                out.append("</span>")
            if style is not None:
                out.append(f'<span style="{style}">')
            open_style = style
        out.append(raw)
    if open_style is not None:
        out.append("</span>")
    return "".join(out)


def highlighted_text(text: str, mark: Mark | None, look: Look) -> str:
    """Plain text as HTML (escaped, its line breaks kept) with its matches highlighted."""
    body = highlighted_html(html.escape(text, quote=False), mark, look)
    return f'<span style="white-space:pre-wrap">{body}</span>'
