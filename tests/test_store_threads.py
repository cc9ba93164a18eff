"""The history read from a worker thread (opening a conversation, Check history) while the UI
thread writes: every read succeeds and sees one committed moment, and no write waits for a read
that is under way, however long its image files take."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import images
from visiondesk.domain import ConversationState, Detail, PreparedImage, Question
from visiondesk.store import History, StoredMessage
from visiondesk.store.blobs import Blobs

TIMEOUT = 30.0
"""How long a thread may take to reach the next step before the test fails (never hangs)."""
ROUNDS = 120


def image(seed: int) -> PreparedImage:
    data = images.encode(images.photo(16, 12, seed=seed), "JPEG")
    return PreparedImage(
        f"p{seed}.jpg", f"{seed:064x}", 16, 12, "JPEG", 16, 12, "image/jpeg", data, Detail.LOW, 85
    )


def test_a_worker_thread_reads_while_the_main_thread_writes(tmp_path: Path) -> None:
    history = History(tmp_path / "data")
    conversation = history.create_conversation("Busy", "p", "chat", "gpt-4o", "auto")
    history.add_user_message(conversation, Question("Question 0?", (image(0),)))
    done = threading.Event()
    read = threading.Semaphore(0)
    seen: list[int] = []
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            while not done.is_set():
                assert history.conversation(conversation) is not None
                messages = history.messages(conversation)
                history.state(conversation)
                history.exchanges(conversation, "gpt-4o")
                history.conversations("Question")
                assert all(m.intact for m in messages)
                # a question and its image are one commit: never seen apart
                assert all(len(m.images) == 1 for m in messages if m.role == "user")
                seen.append(len(messages))
                read.release()
        except BaseException as error:
            errors.append(error)
            read.release()

    worker = threading.Thread(target=reader)
    worker.start()
    try:
        for n in range(1, ROUNDS):
            history.add_user_message(conversation, Question(f"Question {n}?", (image(n),)))
            answer = history.add_answer(conversation)
            for words in range(1, 4):
                history.checkpoint(answer, "word " * words, "streaming")
            history.checkpoint(answer, f"Answer {n}", "complete")
            history.rename(conversation, f"After {n}")
            history.save_state(conversation, ConversationState(response_id=f"resp-{n}"))
            assert read.acquire(timeout=TIMEOUT), "the reader stopped reading"  # interleaved
            assert errors == []
    finally:
        done.set()
        worker.join(TIMEOUT)
    assert not worker.is_alive() and errors == []
    assert len(seen) >= ROUNDS - 1 and seen == sorted(seen)  # never back in time
    assert len(history.messages(conversation)) == 1 + 2 * (ROUNDS - 1)
    assert history.state(conversation).response_id == f"resp-{ROUNDS - 1}"
    history.close()


READS: dict[str, Callable[[History, int], object]] = {
    "open a conversation": lambda h, c: h.messages(c),
    "check history": lambda h, c: h.integrity_check(),
}


@pytest.mark.parametrize("name", sorted(READS))
def test_a_read_under_way_holds_up_no_write(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = History(tmp_path / "data")
    conversation = history.create_conversation("Slow disk", "p", "chat", "gpt-4o", "auto")
    history.add_user_message(conversation, Question("What is it?", (image(1),)))
    inside, release = threading.Event(), threading.Event()
    results: list[object] = []
    real_get = Blobs.get

    def held_get(self: Blobs, digest: str) -> bytes:
        if threading.current_thread() is worker:  # the worker's image files take their time
            inside.set()
            assert release.wait(TIMEOUT), "the test never let the read finish"
        return real_get(self, digest)

    monkeypatch.setattr(Blobs, "get", held_get)
    worker = threading.Thread(target=lambda: results.append(READS[name](history, conversation)))
    worker.start()
    try:
        assert inside.wait(TIMEOUT)
        # The worker is reading image files: the UI thread saves an answer, renames, and reads.
        answer = history.add_answer(conversation)
        history.checkpoint(answer, "Saved while the read was under way", "complete")
        history.rename(conversation, "Renamed meanwhile")
        assert [c.title for c in history.conversations()] == ["Renamed meanwhile"]
        assert history.messages(conversation)[-1].text == "Saved while the read was under way"
    finally:
        release.set()
        worker.join(TIMEOUT)
    [result] = results
    if name == "open a conversation":
        assert isinstance(result, list) and all(isinstance(m, StoredMessage) for m in result)
        [question] = result  # the committed moment it started from: before the answer
        assert question.text == "What is it?" and len(question.images) == 1
    else:
        assert result == []
    history.close()


def test_a_read_after_close_is_refused_and_the_history_reopens_whole(tmp_path: Path) -> None:
    history = History(tmp_path / "data")
    conversation = history.create_conversation("Closing", "p", "chat", "gpt-4o", "auto")
    history.add_user_message(conversation, Question("Still there?", (image(2),)))
    history.close()
    assert history.closed
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):  # a late job: a bug, named
        history.messages(conversation)
    with History(tmp_path / "data") as again:
        [question] = again.messages(conversation)
        assert question.intact and question.text == "Still there?"
