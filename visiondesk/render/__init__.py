"""Markdown answers to blocks the transcript draws, and exports' HTML (blocks.py); the same,
incrementally, for an answer that streams (incremental.py)."""

from visiondesk.render.blocks import (
    CODE_STYLE,
    Block,
    CodeBlock,
    Formula,
    Prose,
    formula,
    formula_svg,
    markdown_to_html,
    plain_to_html,
    render_blocks,
)
from visiondesk.render.incremental import BlockRenderer

__all__ = [
    "CODE_STYLE",
    "Block",
    "BlockRenderer",
    "CodeBlock",
    "Formula",
    "Prose",
    "formula",
    "formula_svg",
    "markdown_to_html",
    "plain_to_html",
    "render_blocks",
]
