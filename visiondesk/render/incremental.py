"""An answer rendered again and again as it streams: finished top-level blocks are parsed,
rendered and highlighted once, only the block being written is parsed again. The blocks equal
`render_blocks` of the same text at every step (tests/test_render.py feeds tricky answers in
every prefix)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.token import Token
from markdown_it.utils import EnvType

from visiondesk.render.blocks import Block, block_of, parser, settled, top_level


class BlockRenderer:
    """`render_blocks` for one answer drawn again and again as it grows: each finished
    top-level block is parsed and rendered once (kept by its source and theme: the same
    object every time), and only the text from the block being written on is parsed again.

    A block is finished once the next block has begun with a whole line: no later text can
    pull that line back into it. Link references change how blocks before their definition
    render, so an answer that defines one is parsed whole each time (code still highlighted
    once)."""

    def __init__(self) -> None:
        self.parsed = 0
        """Characters of Markdown parsed so far: what redraws cost (tests read it)."""
        self._source = ""  # the finished blocks' text, which the answer starts with
        self._finished: list[Block] = []
        self._dark = False
        self._whole = False  # the answer defines a link reference
        self._kept: dict[tuple[str, bool], Block] = {}

    def blocks(self, text: str, dark: bool = False, streaming: bool = False) -> list[Block]:
        """The blocks of `text`, equal to `render_blocks(text, dark, streaming)`."""
        if dark != self._dark or not text.startswith(self._source):
            self._source, self._finished, self._dark = "", [], dark
        tail = text[len(self._source) :]
        if streaming:
            tail = settled(tail)
        markdown = parser()
        env: EnvType = {}
        tokens = markdown.parse(tail, env)
        self.parsed += len(tail)
        if env.get("references") and self._source:  # defined after blocks that may use it
            self._source, self._finished, self._whole = "", [], True
            return self.blocks(text, dark, streaming)
        if env.get("references"):
            self._whole = True
        groups = top_level(tokens)
        starts = _line_starts(tail)
        lines = _begin_lines(groups, tail, starts)
        done, begin = 0, 0  # groups finished (the next one has begun for good), their end
        while (
            not self._whole
            and done + 1 < len(groups)
            and _begun(groups[done], groups[done + 1], lines[done + 1], tail, begin, starts)
        ):
            done += 1
            begin = starts[lines[done] or 0]
        blocks = list(self._finished)
        begin = 0
        for index, group in enumerate(groups):
            if index < done:
                end = starts[lines[index + 1] or 0]
                source, begin = tail[begin:end], end  # with the blank lines after it
                block = self._kept.get((source, dark))
                if block is None:
                    block = block_of(group, dark, markdown, env, cached=True)
                    self._kept[(source, dark)] = block
                blocks.append(block)
            else:
                blocks.append(block_of(group, dark, markdown, env, cached=True))
        if done:
            self._source += tail[:begin]
            self._finished = blocks[: len(self._finished) + done]
        return blocks


def _begin_lines(groups: list[list[Token]], text: str, starts: list[int]) -> list[int | None]:
    """The line each group begins on. texmath's `\\[ \\]` blocks do not say: one begins on the
    first line that is not blank after the block before it, when that block says where it
    ends; otherwise None."""
    lines: list[int | None] = []
    end: int | None = 0
    for group in groups:
        where = group[0].map
        if where is not None:
            lines.append(where[0])
            end = where[1]
            continue
        line = end
        while (
            line is not None
            and line + 1 < len(starts)
            and not text[starts[line] : starts[line + 1]].strip()
        ):
            line += 1
        lines.append(line)
        end = None
    return lines


_MATH_OPENER = re.compile(r"^ {0,3}(\$\$|\\\[)", re.MULTILINE)


def _begun(
    group: Sequence[Token],
    after: Sequence[Token],
    line: int | None,
    text: str,
    begin: int,
    starts: list[int],
) -> bool:
    """Whether no later text can pull the start of `after` (on `line`) back into `group`
    (which began at offset `begin`): its first line is whole (a partial `***` may become
    `***bold***`, `$$x$$` may go on as text), or it is a paragraph (one begins only where
    the block before has ended: after a blank line, a heading, a rule or a closed fence) that
    cannot still become the next item of a list."""
    if line is None:
        return False
    if group[0].type in ("paragraph_open", "heading_open") and _MATH_OPENER.search(
        text, begin, starts[line]
    ):
        # A `$$` closed later would make it a formula reaching over what follows; a setext
        # heading too (`$$` underlined by `===` is a heading until the second `$$`).
        return False
    if line + 1 < len(starts):  # its first line is whole
        return True
    if after[0].type != "paragraph_open":
        return False
    list_before = group[0].type in ("bullet_list_open", "ordered_list_open")
    return not (list_before and text[starts[line] :].strip().isdigit())


def _line_starts(text: str) -> list[int]:
    """The offset of each line of `text` (and one past its end)."""
    starts = [0]
    position = text.find("\n")
    while position >= 0:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    return starts
