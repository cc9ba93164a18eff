"""What a question's images are saved as, the moment Send is pressed: pastes and files as their
bytes (bounded per file and per question), URLs and what is too large as references; saved
and read back in order with their crops, and gone with their question."""

from __future__ import annotations

from pathlib import Path

import pytest

from visiondesk.domain import Question
from visiondesk.marks import Marks
from visiondesk.store import History
from visiondesk.store import sources as module
from visiondesk.store.sources import (
    SavedSource,
    conversation_sources,
    drop_sources,
    question_sources,
    save_sources,
)


def test_bytes_within_bounds_references_beyond(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "MAX_BYTES", 100)
    monkeypatch.setattr(module, "MAX_QUESTION_BYTES", 150)
    small, large, later = tmp_path / "small.png", tmp_path / "large.png", tmp_path / "later.png"
    small.write_bytes(b"s" * 80)
    large.write_bytes(b"l" * 101)
    later.write_bytes(b"t" * 80)  # within MAX_BYTES, beyond what is left for the question
    saved = question_sources(
        [
            (b"pasted", "pasted image", (0, 0, 2, 2), Marks()),
            (str(small), str(small), None, Marks()),
            (str(large), str(large), None, Marks()),
            ("https://example.com/a.png", "https://example.com/a.png", None, Marks()),
            (str(later), str(later), None, Marks()),
            (str(tmp_path / "gone.png"), "gone.png", None, Marks()),
        ]
    )
    assert [s.data is not None for s in saved] == [True, True, False, False, False, False]
    assert saved[0].input == b"pasted" and saved[0].crop == (0, 0, 2, 2)
    assert saved[1].input == b"s" * 80 and saved[2].input == str(large)


def test_saved_read_back_and_dropped(tmp_path: Path) -> None:
    with History(tmp_path / "history") as history:
        conversation = history.create_conversation("t", "p", "chat", "gpt-4o", "auto")
        question = history.add_user_message(conversation, Question("Which?"))
        saved = (
            SavedSource("pasted image", b"\x89PNG", None, (1, 2, 3, 4)),
            SavedSource("/a/b.png", None, "/a/b.png", None),
        )
        save_sources(history, question, saved)
        assert conversation_sources(history, conversation) == {question: saved}
        drop_sources(history, question)
        assert conversation_sources(history, conversation) == {}
        save_sources(history, question, saved)
        history.delete_message(question)
        assert conversation_sources(history, conversation) == {}
