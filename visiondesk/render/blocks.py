"""Markdown answers to blocks the transcript draws (markdown-it-py + mdit-py-plugins + Pygments),
and LaTeX to SVG (ziamath).

Plain Python so it is testable without a display; raw HTML in answers is escaped, never run.
Prose becomes the HTML subset Qt's rich text understands; fenced code becomes its own block so
the transcript can give it a header and a Copy button; a formula becomes an `<img>` whose source
names it (`math:<key>`) so the transcript can draw the SVG from `formula(key)`.
"""

from __future__ import annotations

import hashlib
import html
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.texmath import texmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

from visiondesk.escaping import attribute, web_link

CODE_STYLE = {False: "default", True: "github-dark"}
"""Pygments styles whose every token keeps 4.5:1 on their own background."""


@dataclass(frozen=True)
class Prose:
    html: str


@dataclass(frozen=True)
class CodeBlock:
    language: str
    code: str
    html: str
    """Highlighted lines, to sit inside a `<pre>`."""


Block = Prose | CodeBlock


@dataclass(frozen=True)
class Formula:
    tex: str
    display: bool


_formulas: dict[str, Formula] = {}


def formula(key: str) -> Formula | None:
    """The formula an `<img src="math:key">` stands for."""
    return _formulas.get(key)


@lru_cache(maxsize=512)
def formula_svg(tex: str, display: bool) -> str | None:
    """The formula as SVG 1.1 (what QtSvg draws), or None when ziamath cannot read it."""
    with warnings.catch_warnings():  # ziamath still asks importlib for its font the old way
        warnings.simplefilter("ignore", DeprecationWarning)
        from ziamath.config import config
        from ziamath.zmath import Latex

    config.svg2 = False  # QtSvg cannot draw SVG 2's <symbol> glyphs
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            svg: str = Latex(tex, size=20 if display else 17, inline=not display).svg()
    except Exception:  # ziamath raises many kinds on unknown commands: show the source instead
        return None
    return svg


def _math(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    display = token.type != "math_inline"
    tex = token.content.strip()
    if formula_svg(tex, display) is None:
        source = html.escape(tex)
        return f"<p><code>{source}</code></p>" if display else f"<code>{source}</code>"
    key = hashlib.sha1(f"{display}:{tex}".encode()).hexdigest()[:16]
    _formulas[key] = Formula(tex, display)
    image = f'<img src="math:{key}" alt="{html.escape(tex, quote=True)}">'
    return f'<p align="center">{image}</p>' if display else image


def _inline_code(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f"<code>{html.escape(tokens[idx].content)}</code>"


def _image_as_link(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """An image an answer names, for a file opened later (exports): its own `data:` pixels are
    drawn, anything remote becomes a link the reader may follow, so opening the file tells no
    one when and where it is read."""
    token = tokens[idx]
    source = str(token.attrGet("src") or "")
    alt = renderer.renderInlineAsText(token.children or [], options, env)
    if source.startswith("data:image/"):
        return f'<img src="{attribute(source)}" alt="{attribute(alt)}">'
    link = web_link(source)
    label = html.escape(alt or source)
    if link is None:
        return f"<span>[image: {label}]</span>"
    return f'<a href="{attribute(link)}" rel="noreferrer">[image: {label}]</a>'


@lru_cache(maxsize=2)
def parser(images_as_links: bool = False) -> MarkdownIt:
    """The Markdown parser answers are read with (raw HTML off: shown as text)."""
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False})
    parser.enable(["table", "strikethrough"])
    parser.use(dollarmath_plugin, double_inline=True).use(texmath_plugin, delimiters="brackets")
    for name in (
        "math_inline",
        "math_inline_double",
        "math_block",
        "math_block_label",
        "math_block_eqno",
    ):
        parser.add_render_rule(name, _math)
    parser.add_render_rule("code_inline", _inline_code)
    if images_as_links:
        parser.add_render_rule("image", _image_as_link)
    return parser


def _highlighted(code: str, language: str, dark: bool) -> str:
    try:
        lexer = get_lexer_by_name(language) if language else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    formatter = HtmlFormatter(noclasses=True, nowrap=True, style=CODE_STYLE[dark])
    highlighted: str = highlight(code, lexer, formatter)
    return highlighted.rstrip("\n")


_highlighted_once = lru_cache(maxsize=256)(_highlighted)
"""Code highlighted per (code, language, theme): a streaming answer's finished code blocks
are never highlighted again."""


def settled(text: str) -> str:
    """While an answer streams, hold back a table row still being written: it would draw as a
    row of empty cells with a rule through it."""
    head, _, last = text.rpartition("\n")
    return head + "\n" if last.lstrip().startswith("|") else text


def top_level(tokens: Sequence[Token]) -> list[list[Token]]:
    """The tokens of each top-level block (a paragraph, heading, list, table, quote, fence,
    formula, rule), in order."""
    groups: list[list[Token]] = []
    depth = 0
    for token in tokens:
        if depth == 0:
            groups.append([])
        groups[-1].append(token)
        depth += token.nesting
    return groups


def block_of(
    group: Sequence[Token], dark: bool, markdown: MarkdownIt, env: EnvType, cached: bool
) -> Block:
    """One top-level block's tokens as a block; `cached` highlights code once per code,
    language and theme."""
    first = group[0]
    if first.type in ("fence", "code_block"):
        language = first.info.strip().split(" ")[0] if first.info else ""
        code = first.content.rstrip("\n")
        paint = _highlighted_once if cached else _highlighted
        return CodeBlock(language, code, paint(code, language, dark))
    return Prose(_qt_tables(markdown.renderer.render(group, markdown.options, env)))


def render_blocks(
    text: str, dark: bool = False, streaming: bool = False, *, images_as_links: bool = False
) -> list[Block]:
    """The answer as blocks, one per top-level Markdown block, in order: the whole text parsed
    and every code block highlighted, at once (exports, notices; `BlockRenderer` is the
    incremental one a streaming answer uses)."""
    markdown = parser(images_as_links)
    env: EnvType = {}
    tokens = markdown.parse(settled(text) if streaming else text, env)
    return [block_of(group, dark, markdown, env, cached=False) for group in top_level(tokens)]


def _qt_tables(rendered: str) -> str:
    # Qt's rich text draws table borders from attributes, not from CSS.
    return rendered.replace("<table>", '<table border="1" cellspacing="0" cellpadding="6">')


def markdown_to_html(text: str, dark: bool = False) -> str:
    """The whole answer as one HTML page (exports): code highlighted, formulas as source,
    remote images as links."""
    parts: list[str] = []
    for block in render_blocks(text, dark, images_as_links=True):
        if isinstance(block, CodeBlock):
            parts.append(f"<pre>{block.html}</pre>")
        else:
            parts.append(_with_formula_sources(block.html))
    return "".join(parts)


def _with_formula_sources(rendered: str) -> str:
    out: list[str] = []
    rest = rendered
    while (start := rest.find('<img src="math:')) >= 0:
        end = rest.find(">", start)
        key = rest[start + len('<img src="math:') : start + len('<img src="math:') + 16]
        found = formula(key)
        out.append(rest[:start])
        out.append(f"<code>{html.escape(found.tex)}</code>" if found else "")
        rest = rest[end + 1 :]
    out.append(rest)
    return "".join(out)


def plain_to_html(text: str) -> str:
    return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"
