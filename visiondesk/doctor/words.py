"""Split a pasted shell command into words, as `shlex.split` does, in linear time.

shlex builds each word one character at a time (`token = token + char` on an attribute), so
a 10 MB word, a photo as a data URL in `-d '…'`, costs a copy per character: minutes. Here
each quoted or bare run is one regular-expression match."""

from __future__ import annotations

import re

_BLANK = re.compile(r"[ \t\r\n]*")
_PIECE = re.compile(
    r"""'(?P<single>[^']*)'"""  # single quotes: every character literal
    r'''|"(?P<double>[^"\\]*(?:\\[\s\S][^"\\]*)*)"'''  # double quotes: \" and \\ are escapes
    r"""|\\(?P<escaped>[\s\S])"""  # a backslash outside quotes escapes any character
    r"""|(?P<bare>[^ \t\r\n'"\\]+)"""
)
_DOUBLE_ESCAPE = re.compile(r'\\(["\\])')


def split_words(command: str) -> list[str]:
    """The words of `command`; ValueError on an open quote or a trailing backslash."""
    words: list[str] = []
    pos = _BLANK.match(command).end()  # type: ignore[union-attr]  # matches the empty string
    end = len(command)
    while pos < end:
        pieces: list[str] = []
        while pos < end:
            match = _PIECE.match(command, pos)
            if match is None:
                if command[pos] in " \t\r\n":
                    break
                if command[pos] == "\\":
                    raise ValueError("No escaped character")
                raise ValueError("No closing quotation")
            pieces.append(_unquote(match))
            pos = match.end()
        words.append("".join(pieces))
        pos = _BLANK.match(command, pos).end()  # type: ignore[union-attr]
    return words


def _unquote(match: re.Match[str]) -> str:
    kind = match.lastgroup
    text = match.group(kind or 0)
    if kind == "double":
        return _DOUBLE_ESCAPE.sub(r"\1", text)
    return text
