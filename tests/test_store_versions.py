"""Versions of an exchange and deletions with Undo in the history: they survive reopening, a
history from before them migrates, and exports, search and the words a reopened conversation
continues from follow the version shown."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from visiondesk.domain import Question
from visiondesk.store import History
from visiondesk.store.export import to_markdown
from visiondesk.store.opening import read_conversation
from visiondesk.store.schema import MIGRATIONS


def exchange(history: History, conversation: int, prompt: str, answer: str) -> tuple[int, int]:
    question = history.add_user_message(conversation, Question(prompt, (), "gpt-4o"))
    answered = history.add_answer(conversation)
    history.checkpoint(answered, answer, "complete")
    return question, answered


def test_versions_and_the_one_shown_survive_reopening(tmp_path: Path) -> None:
    history = History(tmp_path / "data")
    conversation = history.create_conversation("Colours", "Emulator", "chat", "gpt-4o", "high")
    first = exchange(history, conversation, "Name a colour", "Blue")
    second = exchange(history, conversation, "Name a fruit", "Pear")
    history.save_versions(first[0], [*first, *second], first)  # version 1 of 2 shown
    history.close()

    again = History(tmp_path / "data")
    messages = again.messages(conversation)
    assert [(m.text, m.place, m.shown) for m in messages] == [
        ("Name a colour", first[0], True),
        ("Blue", first[0], True),
        ("Name a fruit", first[0], False),
        ("Pear", first[0], False),
    ]
    opened = read_conversation(again, conversation)
    assert opened is not None
    [continued] = opened.exchanges("gpt-4o")  # the words continue from the version shown
    assert (continued.turn.prompt, continued.answer) == ("Name a colour", "Blue")
    assert [(e.turn.prompt, e.answer) for e in again.exchanges(conversation, "gpt-4o")] == [
        ("Name a colour", "Blue")
    ]
    page = to_markdown(again, conversation, tmp_path / "md").read_text()
    assert "Blue" in page and "Pear" not in page
    assert [c.id for c in again.conversations("Pear")] == [conversation]  # every version searched
    again.close()


def test_a_deleted_exchange_is_hidden_until_undone_and_purged_on_restart(tmp_path: Path) -> None:
    history = History(tmp_path / "data")
    conversation = history.create_conversation("Boats", "Emulator", "chat", "gpt-4o", "high")
    exchange(history, conversation, "One", "Harbour")
    gone = exchange(history, conversation, "Two", "Lighthouse")
    history.set_messages_deleted(gone)
    assert [m.text for m in history.messages(conversation)] == ["One", "Harbour"]
    assert history.conversations("Lighthouse") == []
    history.set_messages_deleted(gone, deleted=False)  # Undo
    assert [m.text for m in history.messages(conversation)][-1] == "Lighthouse"
    history.set_messages_deleted(gone)
    history.close()
    History(tmp_path / "data").close()  # a restart: the Undo is gone, so are the rows
    with sqlite3.connect(tmp_path / "data" / "history.sqlite3") as db:
        assert [r[0] for r in db.execute("SELECT text FROM messages ORDER BY id")] == [
            "One",
            "Harbour",
        ]


def test_a_history_from_before_versions_migrates(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    with sqlite3.connect(folder / "history.sqlite3") as db:
        for number, script in enumerate(MIGRATIONS[:6], start=1):
            db.executescript(f"BEGIN; {script} PRAGMA user_version = {number}; COMMIT;")
        db.execute(
            "INSERT INTO conversations (id, title, profile, mode, model, detail, created_at, "
            "updated_at) VALUES (1, 'Old', 'Emulator', 'chat', 'gpt-4o', 'high', 0, 0)"
        )
        db.executemany(
            "INSERT INTO messages (conversation_id, role, text, status, created_at, updated_at) "
            "VALUES (1, ?, ?, 'complete', 0, 0)",
            [("user", "Old question"), ("assistant", "Old answer")],
        )
    history = History(folder)
    assert history.version == len(MIGRATIONS) == 12
    messages = history.messages(1)
    assert [(m.text, m.place, m.shown) for m in messages] == [
        ("Old question", None, True),
        ("Old answer", None, True),
    ]
    history.close()
