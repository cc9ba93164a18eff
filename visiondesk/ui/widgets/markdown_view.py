"""An answer's Markdown as native widgets: prose as rich-text labels (formulas drawn from
ziamath's SVG by QtSvg), code blocks with a header naming the language and a Copy button.

Re-rendering reuses the widgets already there, so a streaming answer only redraws the block
that grows: each top-level Markdown block has a widget of its own, and a widget whose block is
the same object as before is left alone.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache

from PySide6.QtCore import QBuffer, QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QTextDocumentFragment
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from visiondesk.find import Mark, Marks, highlighted_html
from visiondesk.render import Block, CodeBlock, Prose, formula, formula_svg
from visiondesk.ui.theme import Colours
from visiondesk.ui.widgets.sized_label import SizedLabel

_MATH = re.compile(r'<img src="math:([0-9a-f]{16})"')
_SCALE = 2  # formulas are drawn at twice their size, sharp on high-DPI screens
SPACING = 6
PARAGRAPH_GAP = 6
"""Added above prose that follows prose: with SPACING, the 12 px Qt leaves between blocks of
one rich text."""


@lru_cache(maxsize=1024)
def formula_uri(key: str, colour: str) -> tuple[str, int, int] | None:
    """The formula as a PNG data URI in the text colour, with its size in logical pixels."""
    from PySide6.QtSvg import QSvgRenderer  # only once a formula shows

    found = formula(key)
    svg = formula_svg(found.tex, found.display) if found else None
    if svg is None:
        return None
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    if not renderer.isValid():
        return None
    size = renderer.defaultSize()
    image = QImage(size.width() * _SCALE, size.height() * _SCALE, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(image.rect(), QColor(colour))  # ziamath draws black: take the text colour
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes, Qt wants str
    uri = "data:image/png;base64," + base64.b64encode(bytes(data.data())).decode()
    return uri, size.width(), size.height()


def prose_html(rendered: str, scheme: Colours) -> str:
    """Qt's rich text with the theme's colours; formulas become images."""

    def image(match: re.Match[str]) -> str:
        drawn = formula_uri(match.group(1), scheme.text)
        if drawn is None:
            return match.group(0)
        uri, width, height = drawn
        return f'<img style="vertical-align: middle" width="{width}" height="{height}" src="{uri}"'

    body = _MATH.sub(image, rendered)
    body = body.replace("<code>", f'<code style="background-color:{scheme.code}">&#8202;')
    body = body.replace("</code>", "&#8202;</code>")
    body = body.replace(
        'border="1"',
        f'border="1" style="border:1px solid {scheme.border}; border-collapse:collapse"',
    )
    return f'<div style="color:{scheme.text}">{body}</div>'


class ProseLabel(SizedLabel):
    """A run of Markdown prose: selectable, links open in the browser."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setOpenExternalLinks(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.shown: tuple[str, Colours, Mark | None] | None = None

    def show_block(self, block: Prose, scheme: Colours, mark: Mark | None = None) -> None:
        """The prose, with a find's matches highlighted if `mark` says so."""
        if (block.html, scheme, mark) != self.shown:
            self.shown = (block.html, scheme, mark)
            self.setText(prose_html(highlighted_html(block.html, mark, scheme.look()), scheme))


class CodeView(QFrame):
    """A fenced code block: language and Copy above, highlighted lines below.

    Signals: none (Copy puts the code on the clipboard itself)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("code")
        self.code = ""
        self.shown: tuple[CodeBlock, Colours, Mark | None] | None = None
        self.language = QLabel(self)
        self.copy_button = QToolButton(self)
        self.copy_button.setText("Copy")
        self.copy_button.setAccessibleName("Copy code")
        self.copy_button.setToolTip("Copy the code")
        self.copy_button.setAutoRaise(True)
        self.copy_button.clicked.connect(self.copy)
        self.body = SizedLabel(self)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        header = QHBoxLayout()
        header.setContentsMargins(10, 2, 4, 0)
        header.addWidget(self.language)
        header.addStretch(1)
        header.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.body)
        self.body.setContentsMargins(10, 4, 10, 0)

    def show_block(self, block: CodeBlock, scheme: Colours, mark: Mark | None = None) -> None:
        """The code, with a find's matches highlighted if `mark` says so."""
        if (block, scheme, mark) == self.shown:
            return
        self.shown = (block, scheme, mark)
        self.code = block.code
        self.language.setText(block.language or "text")
        code = highlighted_html(block.html, mark, scheme.look())
        self.body.setText(f'<pre style="white-space:pre-wrap; font-family:monospace">{code}</pre>')
        self.setStyleSheet(
            f"#code {{ background:{scheme.code}; border:1px solid {scheme.border};"
            f" border-radius:6px; }} QLabel {{ color:{scheme.muted}; background:transparent; }}"
        )

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code)


class MarkdownView(QWidget):
    """An answer as its blocks, in order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(SPACING)
        self.parts: list[ProseLabel | CodeView] = []

    def show_blocks(self, blocks: list[Block], scheme: Colours, marks: Marks | None = None) -> None:
        for index, block in enumerate(blocks):
            kind = CodeView if isinstance(block, CodeBlock) else ProseLabel
            if index < len(self.parts) and not isinstance(self.parts[index], kind):
                for stale in self.parts[index:]:
                    stale.deleteLater()
                del self.parts[index:]
            if index == len(self.parts):
                part = kind(self)
                if kind is ProseLabel and index and isinstance(self.parts[-1], ProseLabel):
                    part.setContentsMargins(0, PARAGRAPH_GAP, 0, 0)  # as <p> after <p> in one label
                self._layout.addWidget(part)
                self.parts.append(part)
            mark = marks.of(index) if marks is not None else None
            self.parts[index].show_block(block, scheme, mark)  # type: ignore[arg-type]
        for stale in self.parts[len(blocks) :]:
            stale.deleteLater()
        del self.parts[len(blocks) :]

    def plain_text(self) -> str:
        texts = []
        for part in self.parts:
            if isinstance(part, CodeView):
                texts.append(part.code)
            else:
                texts.append(QTextDocumentFragment.fromHtml(part.text()).toPlainText())
        return "\n".join(texts)
