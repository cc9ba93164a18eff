"""Text from outside made inert for where it goes: any string, not just the ones we thought of."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from visiondesk.escaping import for_terminal, inert_markdown, markdown_label, web_link

VIEWER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
PIECES = st.sampled_from(
    ["![a](http://h/t.png)", "<img src=x>", "<script>", "`", "```", "~~~", "\\", "!", "[", "]",
     "(", ")", "<", ">", "\n", "    ", "[r]: http://h/r.png", "![r]", "<http://h>", "a", " ",
     "<!-- -->", "&lt;", "|", "*"]
)  # fmt: skip


def loads_or_runs(tokens: list[Token]) -> list[str]:
    """What of a rendered document a browser would load or run: images and raw HTML."""
    found = []
    for token in tokens:
        if token.type in ("html_block", "html_inline", "image"):
            found.append(token.type)
        found += loads_or_runs(token.children or [])
    return found


@given(st.lists(PIECES, max_size=40).map("".join))
def test_inert_markdown_renders_no_image_and_no_html(text: str) -> None:
    assert loads_or_runs(VIEWER.parse(inert_markdown(text))) == []


@given(st.text())
def test_the_terminal_gets_no_control_character(text: str) -> None:
    shown = for_terminal(text)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", shown)
    assert shown.count("\n") == text.replace("\r\n", "\n").count("\n")


def test_terminal_escapes_are_shown_not_obeyed() -> None:
    assert for_terminal("a\x1b]0;title\x07b\tc\r\nd\x00") == "a\\x1b]0;title\\x07b\tc\nd\\x00"


@given(st.text())
def test_a_markdown_label_stays_one_plain_line(text: str) -> None:
    tokens = VIEWER.parseInline(f"[{markdown_label(text)}](x)")[0].children or []
    assert [t.type for t in tokens][:1] == ["link_open"] or not text.strip()
    assert loads_or_runs(tokens) == []


def test_only_web_addresses_become_links() -> None:
    assert web_link("https://example.com/a.png") == "https://example.com/a.png"
    for hostile in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "http://",
                    "http://h/a b", "ftp://h/x"):  # fmt: skip
        assert web_link(hostile) is None
