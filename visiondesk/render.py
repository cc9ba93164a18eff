"""Markdown answers to the HTML subset Qt's rich text understands (markdown-it-py + Pygments).

Plain Python so it is testable without a display; raw HTML in answers is escaped, never run.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import lru_cache

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name, guess_lexer
from pygments.util import ClassNotFound

_PRE_STYLE = {
    "default": "background:#f2f3f5; color:#1f2328; padding:6px; font-family:monospace;",
    "monokai": "background:#272822; color:#f8f8f2; padding:6px; font-family:monospace;",
}


def _highlighter(style: str) -> Callable[[str, str, object], str]:
    formatter = HtmlFormatter(noclasses=True, nowrap=True, style=style)

    def render(code: str, language: str, _attrs: object) -> str:
        try:
            lexer = get_lexer_by_name(language) if language else guess_lexer(code)
        except ClassNotFound:
            lexer = TextLexer()
        return f'<pre style="{_PRE_STYLE[style]}">{highlight(code, lexer, formatter)}</pre>'

    return render


@lru_cache(maxsize=2)
def _parser(style: str) -> MarkdownIt:
    options = {"html": False, "linkify": False, "highlight": _highlighter(style)}
    return MarkdownIt("commonmark", options).enable(["table", "strikethrough"])


def markdown_to_html(text: str, dark: bool = False) -> str:
    """Headings, lists, tables and highlighted code blocks; HTML in the text is shown as text."""
    rendered: str = _parser("monokai" if dark else "default").render(text)
    # Qt's rich text draws table borders from attributes, not from CSS.
    return rendered.replace("<table>", '<table border="1" cellspacing="0" cellpadding="4">')


def plain_to_html(text: str) -> str:
    return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"
