"""Find in the open conversation, over the transcript's values rather than its widgets, so a
match in a message not built yet is found (the transcript builds old messages lazily).

Each message is searched as it reads: the question as typed, the answer's and a notice's
Markdown as drawn (`render.render_blocks`, then the text of its HTML: `**a** b` reads `a b`),
block by block as the transcript draws them, so a hit's (block, occurrence) is the very match
the widget highlights. A message's text is kept by its Markdown, so typing searches again in
a few milliseconds over 500 turns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from visiondesk.find import count, html_text, pattern
from visiondesk.render import Prose, render_blocks
from visiondesk.workspace.transcript import Deleted, Item, Notice


class Part(Enum):
    """Where in a message a match is."""

    QUESTION = "question"
    ANSWER = "answer"
    NOTICE = "notice"


_ORDER = {Part.QUESTION: 0, Part.ANSWER: 1, Part.NOTICE: 0}


@dataclass(frozen=True, slots=True)
class Hit:
    """One match: the message (by id), its part, the block of the part and which match of
    that block's text it is (from 0)."""

    item_id: int
    part: Part
    block: int
    occurrence: int


@lru_cache(maxsize=4096)
def answer_texts(markdown: str, streaming: bool = False) -> tuple[str, ...]:
    """An answer's blocks as read (the transcript draws each block as one widget)."""
    return tuple(html_text(block.html) for block in render_blocks(markdown, streaming=streaming))


@lru_cache(maxsize=1024)
def notice_html(markdown: str) -> str:
    """A notice as one piece of HTML, as its line draws it (dark or light: the same text)."""
    return notice_body(markdown, False)


def notice_body(markdown: str, dark: bool) -> str:
    """A notice's blocks as its line draws them, in one piece."""
    blocks = render_blocks(markdown, dark)
    return "".join(b.html if isinstance(b, Prose) else f"<pre>{b.html}</pre>" for b in blocks)


def texts(item: Item) -> list[tuple[Part, int, str]]:
    """What of a message is searched: (part, block, text) in reading order."""
    if isinstance(item, Notice):
        return [(Part.NOTICE, 0, html_text(notice_html(item.text)))]
    if isinstance(item, Deleted):
        return []  # gone from the conversation: its Undo line holds no words to find
    parts = [(Part.QUESTION, 0, item.prompt)]
    answer = item.answer or ("…" if item.status.running else "")
    blocks = answer_texts(answer, item.status.running)
    parts.extend((Part.ANSWER, index, text) for index, text in enumerate(blocks))
    return parts


def search(items: Sequence[Item], query: str) -> tuple[Hit, ...]:
    """Every match of `query` in the messages, in reading order."""
    found = pattern(query)
    if found is None:
        return ()
    hits: list[Hit] = []
    for item in items:
        for part, block, text in texts(item):
            for occurrence in range(count(text, query)):
                hits.append(Hit(item.id, part, block, occurrence))
    return tuple(hits)


@dataclass(frozen=True)
class Finding:
    """A search in the conversation: what is searched, every match, and which is current
    (an index into `hits`, None when there is none)."""

    query: str = ""
    hits: tuple[Hit, ...] = ()
    current: int | None = None

    @property
    def hit(self) -> Hit | None:
        return self.hits[self.current] if self.current is not None else None

    @property
    def words(self) -> str:
        """The count as a person reads it: "3 of 12", "No matches", or nothing to say."""
        if not self.query.strip():
            return ""
        if self.current is None:
            return "No matches"
        return f"{self.current + 1} of {len(self.hits)}"

    def step(self, forward: bool) -> Finding:
        """The next (or previous) match, round the end to the start."""
        if not self.hits:
            return self
        here = self.current if self.current is not None else (-1 if forward else 0)
        return Finding(self.query, self.hits, (here + (1 if forward else -1)) % len(self.hits))


def _place(hit: Hit, positions: dict[int, int]) -> tuple[int, int, int, int]:
    return (positions.get(hit.item_id, -1), _ORDER[hit.part], hit.block, hit.occurrence)


def find(items: Sequence[Item], query: str, near: int | None) -> Finding:
    """A new search, its current match the first at or after the message `near` (the first
    one in sight), else the last before it: the match nearest what the person reads."""
    hits = search(items, query)
    if not hits:
        return Finding(query)
    positions = {item.id: index for index, item in enumerate(items)}
    start = positions.get(near, 0) if near is not None else 0
    after = next((i for i, hit in enumerate(hits) if positions[hit.item_id] >= start), None)
    return Finding(query, hits, after if after is not None else len(hits) - 1)


def again(finding: Finding, items: Sequence[Item]) -> Finding:
    """The same search after the conversation changed (an answer streams in, a message goes):
    the current match stays if it is still there, else the next one after where it was."""
    hits = search(items, finding.query)
    old = finding.hit
    if not hits:
        return Finding(finding.query)
    if old is None:
        return Finding(finding.query, hits, 0)
    if old in hits:
        return Finding(finding.query, hits, hits.index(old))
    positions = {item.id: index for index, item in enumerate(items)}
    if old.item_id not in positions:  # its message went: the match now where it was
        return Finding(finding.query, hits, min(finding.current or 0, len(hits) - 1))
    where = _place(old, positions)
    after = next((i for i, hit in enumerate(hits) if _place(hit, positions) > where), None)
    return Finding(finding.query, hits, after if after is not None else len(hits) - 1)
