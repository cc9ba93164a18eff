"""Markdown answers to blocks, headless: math, code, tables while streaming, escaping."""

from __future__ import annotations

from visiondesk.render import (
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
