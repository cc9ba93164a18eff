"""What a question's images were made from, saved the moment Send is pressed.

Preparing and uploading come later and may never finish (Stop, a crash, kill -9); the question
must still come back with every image, and Retry must send them. So the sources (the original
bytes of a paste, a capture or a file up to `MAX_BYTES`; otherwise the path or URL to read
again) and their crops are committed with the question, before any of that work starts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from visiondesk.domain import PdfPage
from visiondesk.marks import NO_MARKS, Marks, MarksFormatError, from_json, to_json
from visiondesk.store.history import History

MAX_BYTES = 32 * 2**20
"""A file larger than this is saved as its path (read again on Retry), not as bytes."""
MAX_QUESTION_BYTES = 128 * 2**20
"""Files beyond this much for one question are saved as their paths (pastes always as bytes:
nothing else could bring them back)."""

Crop = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class SavedSource:
    """One image of a question as it was attached: its bytes or a reference, and its crop."""

    label: str
    data: bytes | None = None
    reference: str | None = None
    """A path or an https URL, for a source not kept as bytes."""
    crop: Crop | None = None
    marks: Marks = NO_MARKS
    """Drawings to put on it when it is prepared (its redactions are in `data` already)."""
    page: int | None = None
    """A PDF's page (0-based): `reference` is the PDF it is drawn from."""

    def __post_init__(self) -> None:
        if (self.data is None) == (self.reference is None):
            raise ValueError("a saved source is either bytes or a reference")
        if self.page is not None and self.reference is None:
            raise ValueError("a PDF's page is saved as a reference to its PDF")

    @property
    def input(self) -> bytes | str | PdfPage:
        """What the pipeline prepares it from."""
        if self.page is not None:
            return PdfPage(str(self.reference), self.page)
        return self.data if self.data is not None else str(self.reference)


Source = bytes | str | os.PathLike[str] | PdfPage


def question_sources(
    attached: Sequence[tuple[Source, str, Crop | None, Marks]],
) -> tuple[SavedSource, ...]:
    """What to save for a question's images (source, label, crop, marks each), in order: the
    bytes of a paste, or of a file up to `MAX_BYTES` while the question stays under
    `MAX_QUESTION_BYTES`; a URL, or a larger or unreadable file, as its reference (preparing
    will say what is wrong with it)."""
    saved: list[SavedSource] = []
    budget = MAX_QUESTION_BYTES
    for source, label, crop, marks in attached:
        item = _saved(source, label, crop, marks, budget)
        budget -= len(item.data or b"")
        saved.append(item)
    return tuple(saved)


def _saved(source: Source, label: str, crop: Crop | None, marks: Marks, budget: int) -> SavedSource:
    if isinstance(source, bytes | bytearray | memoryview):
        return SavedSource(label, bytes(source), None, crop, marks)
    if isinstance(source, PdfPage):  # the PDF may be large: its path and the page
        return SavedSource(label, None, source.path, crop, marks, source.index)
    text = os.fspath(source)
    if not text.startswith(("http://", "https://", "data:")):
        path = Path(text)
        try:
            if path.stat().st_size <= min(MAX_BYTES, budget):
                return SavedSource(label, path.read_bytes(), None, crop, marks)
        except OSError:
            pass
    return SavedSource(label, None, text, crop, marks)


def save_sources(history: History, message_id: int, sources: Sequence[SavedSource]) -> None:
    """Commit a question's sources, in the order they will be sent."""
    if not sources:
        return
    with history.writing() as db:
        db.executemany(
            "INSERT INTO question_sources "
            "(message_id, position, label, data, reference, crop, marks, page) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    message_id,
                    position,
                    source.label,
                    source.data,
                    source.reference,
                    None if source.crop is None else json.dumps(list(source.crop)),
                    to_json(source.marks) if source.marks else None,
                    source.page,
                )
                for position, source in enumerate(sources)
            ],
        )


def conversation_sources(
    history: History, conversation_id: int
) -> dict[int, tuple[SavedSource, ...]]:
    """The saved sources of a conversation's questions, by question (those without any are left
    out)."""
    found: dict[int, list[SavedSource]] = {}
    with history.reading() as db:
        rows = db.execute(
            "SELECT s.message_id, s.label, s.data, s.reference, s.crop, s.marks, s.page "
            "FROM question_sources s "
            "JOIN messages m ON m.id = s.message_id WHERE m.conversation_id = ? "
            "ORDER BY s.message_id, s.position",
            (conversation_id,),
        ).fetchall()
    for message_id, label, data, reference, crop, marks, page in rows:
        box = _crop(json.loads(crop)) if crop else None
        page = int(page) if page is not None and reference is not None else None
        saved = SavedSource(str(label), data, reference, box, _marks(marks), page)
        found.setdefault(int(message_id), []).append(saved)
    return {message_id: tuple(sources) for message_id, sources in found.items()}


def _marks(text: str | None) -> Marks:
    """Saved marks; ones that do not read are dropped (the image is then sent unmarked, and
    never less redacted: redactions are in its bytes)."""
    try:
        return from_json(text)
    except MarksFormatError:
        return Marks()


def _crop(values: list[int]) -> Crop:
    left, top, right, bottom = (int(value) for value in values)
    return left, top, right, bottom


def drop_sources(history: History, message_id: int) -> None:
    """The question's prepared images are all stored now: its sources are no longer needed
    (the history does not keep every original twice)."""
    with history.writing() as db:
        db.execute("DELETE FROM question_sources WHERE message_id = ?", (message_id,))
