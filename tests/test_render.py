"""Markdown answers to blocks, headless: math, code, tables while streaming, escaping."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from visiondesk.render import (
    BlockRenderer,
    CodeBlock,
    Prose,
    formula,
    formula_svg,
    markdown_to_html,
    render_blocks,
)


def _keys(html: str) -> list[str]:
    return [part[:16] for part in html.split('src="math:')[1:]]


def test_every_math_delimiter_becomes_a_formula() -> None:
    text = "Inline $E = mc^2$ and \\(a^2+b^2\\).\n\n$$\\int_0^1 x\\,dx$$\n\n\\[\\frac{1}{2}\\]"
    blocks = render_blocks(text)
    html = "".join(b.html for b in blocks if isinstance(b, Prose))
    found = [formula(key) for key in _keys(html)]
    assert [(f.tex, f.display) for f in found if f] == [
        ("E = mc^2", False),
        ("a^2+b^2", False),
        ("\\int_0^1 x\\,dx", True),
        ("\\frac{1}{2}", True),
    ]
    assert "$" not in html


def test_formulas_are_svg_1_that_qtsvg_can_draw() -> None:
    svg = formula_svg("\\sqrt{x}", False)
    assert svg is not None and svg.startswith("<svg") and "<symbol" not in svg


def test_a_formula_ziamath_cannot_read_stays_as_its_source_in_code_style() -> None:
    [block] = render_blocks("Broken: $\\frac{1}{$ here")
    assert isinstance(block, Prose)
    assert "<code>\\frac{1}{</code>" in block.html and "math:" not in block.html


def test_code_blocks_stand_apart_with_their_language_and_highlighting() -> None:
    blocks = render_blocks("Before\n\n```python\nx = 1\nprint(x)\n```\n\nAfter")
    assert [type(b) for b in blocks] == [Prose, CodeBlock, Prose]
    code = blocks[1]
    assert isinstance(code, CodeBlock)
    assert code.language == "python" and code.code == "x = 1\nprint(x)"
    assert "<span style=" in code.html
    dark = render_blocks("```python\nx = 1\n```", dark=True)[0]
    assert isinstance(dark, CodeBlock) and dark.html != code.html


def test_inline_code_keeps_its_spaces_as_written() -> None:
    [block] = render_blocks("Set `x = 1` first")
    assert isinstance(block, Prose) and "<code>x = 1</code>" in block.html


def test_a_table_row_still_being_streamed_is_held_back() -> None:
    text = "| a | b |\n|---|---|\n| 1 | 2 |\n| 3"
    [streaming] = render_blocks(text, streaming=True)
    [finished] = render_blocks(text)
    assert isinstance(streaming, Prose) and isinstance(finished, Prose)
    assert streaming.html.count("<tr>") == 2  # the header and the one finished row
    assert finished.html.count("<tr>") == 3


def test_html_in_answers_is_shown_as_text() -> None:
    [block] = render_blocks("<script>alert(1)</script> **bold**")
    assert isinstance(block, Prose)
    assert "<script>" not in block.html and "&lt;script&gt;" in block.html
    assert "<strong>bold</strong>" in block.html


def test_exports_show_formulas_as_their_source() -> None:
    page = markdown_to_html("Energy $E=mc^2$\n\n```\ncode\n```")
    assert "<code>E=mc^2</code>" in page and "<pre>code</pre>" in page and "math:" not in page


TRICKY = {
    "lists across blank lines": (
        "Intro\n\n- one\n- two\n\n- three, after a blank\n\n  its second paragraph\n\n"
        "1. first\n2. second\n\nAfter the lists.\n"
    ),
    "fences": (
        "Text\n\n```python\ndef f(x):\n\n    return x  # a blank line inside\n```\n\n"
        "Inline ``` is no fence\n\n~~~\n| not a table |\n~~~\n\n```\nnever closed\n"
    ),
    "tables": (
        "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\nA paragraph, then a table:\n"
        "| x | y |\n|---|---|\n| 5 | 6 |\n"
    ),
    "math": (
        "Inline $x^2$ and $$y$$.\n\n$$\n\\int_0^1 x\\,dx\n$$\n\n\\[\\frac{1}{2}\\]\n\n"
        "$$a$$ then text\n\n$$b$$\n"
    ),
    "a formula underlined": "$$\n===\n$$\n\nafter\n",  # a setext heading until the 2nd $$
    "setext headings": (
        "Title\n=====\n\nSub\n---\n\npara\n***\n\n***bold*** text\n---\n\nlast\n-\n"
    ),
    "nested quotes": "> outer\n> > inner\n> > more\n> back\nlazy line\n\n> second\n\n>> deep\n",
    "references": 'See [the docs][d] and [x].\n\n[d]: http://example.com "T"\n[x]: http://x.org\n',
    "raw html": "<script>alert(1)</script>\n\n<div>\n*x*\n</div>\n\n<img src=x onerror=y>\n",
    "indented code": "para\n\n    code\n\n    more code\nnext\n",
}


@pytest.mark.parametrize("name", TRICKY)
@pytest.mark.parametrize("step", [1, 4, 9])
def test_a_streamed_answer_ends_as_it_renders_at_once(name: str, step: int) -> None:
    text = TRICKY[name]
    renderer = BlockRenderer()
    for end in range(1, len(text), step):  # every prefix the stream could stop at
        prefix = text[:end]
        assert renderer.blocks(prefix, streaming=True) == render_blocks(prefix, streaming=True)
    assert renderer.blocks(text) == render_blocks(text)
    assert renderer.blocks(text, dark=True) == render_blocks(text, dark=True)


@given(
    st.lists(
        st.sampled_from(
            [
                "# Head\n",
                "para ",
                "text\n",
                "\n",
                "- item\n",
                "  indented\n",
                "1. one\n",
                "> quote\n",
                "```py\n",
                "```\n",
                "x = 1\n",
                "| a | b |\n",
                "|---|---|\n",
                "| 1 | 2 |\n",
                "$$\n",
                "$$x$$\n",
                "$y$ ",
                "===\n",
                "---\n",
                "***\n",
                "[r]: http://r\n",
                "[r] ",
                "<b>",
                "    code\n",
                "2",
                "3. ",
                "* ",
                "\\[x\\]\n",
                "para\n",
            ]
        ),
        max_size=14,
    ),
    st.lists(st.integers(min_value=0, max_value=400), max_size=6),
)
@settings(max_examples=150, deadline=None)
def test_any_answer_in_any_pieces_ends_as_it_renders_at_once(
    pieces: list[str], cuts: list[int]
) -> None:
    text = "".join(pieces)
    renderer = BlockRenderer()
    for end in sorted({min(cut, len(text)) for cut in cuts}):
        prefix = text[:end]
        assert renderer.blocks(prefix, streaming=True) == render_blocks(prefix, streaming=True)
    assert renderer.blocks(text) == render_blocks(text)


def test_finished_blocks_are_rendered_once_and_only_the_last_is_parsed_again() -> None:
    finished = (
        "# Plan\n\nFirst, $x$ look.\n\n```python\nx = 1\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "$$\\sum_i x_i$$\n\n\\[y^2\\]\n\n"
    )
    renderer = BlockRenderer()
    before = renderer.blocks(finished + "The last one\nbegan", streaming=True)
    parsed = renderer.parsed
    after = renderer.blocks(finished + "The last one\nbegan and grows", streaming=True)
    assert len(after) == len(before) == 7
    assert all(a is b for a, b in zip(after[:6], before[:6], strict=True))  # the same objects
    assert renderer.parsed - parsed == len("The last one\nbegan and grows")  # the tail alone
    assert isinstance(after[-1], Prose) and "grows" in after[-1].html


def test_code_is_highlighted_once_per_code_language_and_theme() -> None:
    code = "```python\nfor boat in boats:\n    print(boat)\n```\n"
    first = BlockRenderer().blocks(code + "\nAfter", streaming=True)[0]
    again = BlockRenderer().blocks(code + "\nAfter it", streaming=True)[0]
    assert isinstance(first, CodeBlock) and first == again
    assert BlockRenderer().blocks(code, dark=True)[0] != first  # another theme, its own colours


def test_the_incremental_render_keeps_html_inert() -> None:
    renderer = BlockRenderer()
    text = "Fine.\n\n<script>alert(1)</script> and <img src=x onerror=alert(2)>\n"
    for end in range(1, len(text) + 1):
        blocks = renderer.blocks(text[:end], streaming=True)
    html = "".join(block.html for block in blocks)
    assert "<script>" not in html and "<img src=x" not in html and "&lt;script&gt;" in html


def test_each_top_level_block_is_a_block_of_its_own() -> None:
    blocks = render_blocks("# Head\n\nOne.\n\n- a\n- b\n\n```\nc\n```\n\nTwo.")
    assert [type(block) for block in blocks] == [Prose, Prose, Prose, CodeBlock, Prose]
