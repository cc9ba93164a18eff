"""Damage found after start-up: a conversation opens with what can be read (text never depends
on the image files), each unreadable image a placeholder naming the problem; Check history
lists what is damaged; exporting what can be read works; nothing is deleted or rewritten."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from tests.stores import stored_image as image
from visiondesk.domain import Question
from visiondesk.errors import StorageError, StorageFault
from visiondesk.store import History, MissingImage
from visiondesk.store.export import to_html, to_markdown


def conversation(store: History, title: str, seeds: list[int]) -> int:
    conversation_id = store.create_conversation(title, "p", "chat", "gpt-4o", "auto")
    store.add_user_message(
        conversation_id, Question(f"Question of {title}", tuple(map(image, seeds)))
    )
    answer = store.add_answer(conversation_id)
    store.checkpoint(answer, f"Answer of {title}", "complete")
    text_only = store.add_user_message(conversation_id, Question(f"Follow-up of {title}"))
    assert text_only
    return conversation_id


def test_a_missing_image_file_leaves_the_rest_readable(tmp_path: Path) -> None:
    store = History(tmp_path / "data")
    conversation_id = conversation(store, "Lighthouse", [1, 2])
    gone = store.blobs.path(hashlib.sha256(image(2).data).hexdigest())
    kept = gone.read_bytes()
    gone.unlink()  # deleted after start-up

    question, answer, follow_up = store.messages(conversation_id)
    assert question.text == "Question of Lighthouse" and answer.text == "Answer of Lighthouse"
    assert [i.label for i in question.images] == ["photo-1.jpg"]
    [missing] = question.missing
    assert missing == MissingImage(1, "photo-2.jpg", missing.problem)
    assert "missing" in missing.problem and gone.name in missing.problem
    assert not question.intact and answer.intact and follow_up.intact
    assert [e.answer for e in store.exchanges(conversation_id, "gpt-4o")] == [answer.text]

    [problem] = store.integrity_check()
    assert "Lighthouse" in problem and "image 2 (photo-2.jpg)" in problem and "missing" in problem

    markdown = to_markdown(store, conversation_id, tmp_path / "export").read_text()
    assert "Question of Lighthouse" in markdown and "Answer of Lighthouse" in markdown
    assert "Image 2 (photo-2.jpg) could not be read: the image file is missing" in markdown
    page = to_html(store, conversation_id, tmp_path / "export.html").read_text()
    assert "Answer of Lighthouse" in page and "could not be read" in page

    gone.write_bytes(kept)  # nothing was rewritten: the record still points at the file
    assert len(store.messages(conversation_id)[0].images) == 2
    assert store.integrity_check() == []
    store.close()


def test_a_changed_image_file_is_named_not_shown(tmp_path: Path) -> None:
    store = History(tmp_path / "data")
    conversation_id = conversation(store, "Harbour", [3])
    store.blobs.path(hashlib.sha256(image(3).data).hexdigest()).write_bytes(b"\0" * 100)
    [missing] = store.messages(conversation_id)[0].missing
    assert "damaged" in missing.problem
    assert "damaged" in store.integrity_check()[0]
    store.close()


def zero_page(database: Path, table: str) -> int:
    """Zero the root page of `table` in the file (what a bad sector does); returns it."""
    with sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True) as reader:
        size = reader.execute("PRAGMA page_size").fetchone()[0]
        [root] = reader.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
    reader.close()
    with database.open("r+b") as file:
        file.seek((root[0] - 1) * size)
        file.write(b"\0" * size)
    return int(size)


def test_a_zeroed_page_of_the_attachments_table(tmp_path: Path) -> None:
    store = History(tmp_path / "data")
    damaged = conversation(store, "Cliffs", [4, 5])
    text_only = store.create_conversation("Words only", "p", "chat", "gpt-4o", "auto")
    store.add_user_message(text_only, Question("No pictures here"))
    store.close()  # everything in history.sqlite3

    store = History(tmp_path / "data")  # start-up: all well
    database = tmp_path / "data" / "history.sqlite3"
    zero_page(database, "attachments")  # then the disk damages the images' table
    before = database.read_bytes()

    question, answer, follow_up = store.messages(damaged)  # no exception: what can be read
    assert (question.text, answer.text) == ("Question of Cliffs", "Answer of Cliffs")
    assert question.images == [] and len(question.missing) == 2
    assert all("could not be read" in m.problem for m in question.missing)
    assert follow_up.intact and answer.intact  # text-only messages need no image record
    [words] = store.messages(text_only)
    assert words.text == "No pictures here" and words.intact

    problems = store.integrity_check()
    assert problems and any("attachments" in p for p in problems)
    markdown = to_markdown(store, damaged, tmp_path / "export").read_text()
    assert "Answer of Cliffs" in markdown and "could not be read" in markdown
    assert [c.title for c in store.conversations("Cliffs")] == ["Cliffs"]
    store.close()
    assert database.read_bytes()[: len(before)] == before  # nothing deleted or rewritten


def test_a_zeroed_page_of_the_messages_table(tmp_path: Path) -> None:
    store = History(tmp_path / "data")
    damaged = conversation(store, "Dunes", [6])
    store.close()
    zero_page(tmp_path / "data" / "history.sqlite3", "messages")
    store = History(tmp_path / "data")  # opens: what can be read can be

    assert [c.title for c in store.conversations()] == ["Dunes"]  # the sidebar still lists it
    messages = store.messages(damaged)  # one placeholder a row, each naming the problem
    assert messages and all(m.damaged and "could not be read" in m.damaged for m in messages)
    with pytest.raises(StorageError) as raised:  # searching the texts says why it cannot
        store.conversations("Question of")
    assert raised.value.fault is StorageFault.DAMAGED and "Check history" in raised.value.message
    assert any("messages" in p for p in store.integrity_check())
    store.close()


def test_a_file_that_is_not_a_database_fails_to_open_plainly(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "history.sqlite3").write_bytes(b"not sqlite at all " * 512)
    with pytest.raises(StorageError) as raised:
        History(tmp_path / "data")
    assert raised.value.fault is StorageFault.DAMAGED and "history is damaged" in str(raised.value)
    assert isinstance(raised.value, OSError)  # callers guarding with `except OSError` still catch
    assert (tmp_path / "data" / "history.sqlite3").read_bytes().startswith(b"not sqlite")
